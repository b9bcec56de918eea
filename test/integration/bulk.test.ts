// decideApprovals: a bulk decision decides each request on its own, against
// the real Temporal server and database, and answers for each one.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { bulkApproveInputSchema, bulkRejectInputSchema, decideApprovals } from '../../lib/approvals/commands/bulk';
import { BULK_MAX } from '../../lib/contract/limits';
import { claimApproval } from '../../lib/approvals/commands/claim';
import { decideApproval } from '../../lib/approvals/commands/decide';
import { approvalClosings, newReviewer, startPendingOrder, useServices, withWorker } from './helpers';

describe('decideApprovals (bulk)', { timeout: 180_000 }, () => {
  const services = useServices();

  const deps = () => ({ db: services.db, temporal: services.client });

  test('approving 3 where one was already decided by someone else: 2 decided, 1 "already decided by X at T", and Temporal gets exactly 2 new decisions', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const orders = await Promise.all([0, 1, 2].map(() => startPendingOrder(services, taskQueue)));
      const [first, second, third] = orders;
      assert.ok(first && second && third);
      const earlier = await newReviewer(db, 'earlier');
      const bulkReviewer = await newReviewer(db, 'bulk');
      const decidedFirst = await decideApproval(
        deps(),
        { decision: 'APPROVED', id: second.pending.id, comment: undefined },
        { email: earlier },
      );
      const closingsBefore = (await Promise.all(orders.map(({ handle }) => approvalClosings(handle)))).flat().length;
      assert.equal(closingsBefore, 1);

      const input = bulkApproveInputSchema.parse({ ids: orders.map((o) => o.pending.id), comment: 'batch ok' });
      const results = await decideApprovals(deps(), { decision: 'APPROVED', ...input }, { email: bulkReviewer });

      assert.deepEqual(
        results.map((r) => [r.id, r.outcome]),
        [
          [first.pending.id, 'decided'],
          [second.pending.id, 'refused'],
          [third.pending.id, 'decided'],
        ],
      );
      const refused = results[1];
      assert.ok(refused?.outcome === 'refused');
      assert.equal(refused.code, 'ALREADY_DECIDED');
      assert.match(refused.message, /^Already decided by earlier-[0-9a-f]+@example\.com at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/);
      assert.ok(refused.message.includes(earlier));
      assert.ok(refused.message.includes(decidedFirst.decidedAt.toISOString().replace('T', ' ').slice(0, 19)));
      for (const result of [results[0], results[2]]) {
        assert.ok(result?.outcome === 'decided');
        assert.equal(result.status, 'APPROVED');
        assert.equal(result.decidedBy, bulkReviewer);
        assert.equal(result.recorded, true);
        assert.match(result.title ?? '', /^Order t-/);
      }

      // Temporal: one closing per activity, so exactly two new ones.
      const closingsAfter = await Promise.all(orders.map(({ handle }) => approvalClosings(handle)));
      assert.deepEqual(closingsAfter, [['COMPLETED'], ['COMPLETED'], ['COMPLETED']]);
      assert.equal(closingsAfter.flat().length - closingsBefore, 2);
      assert.deepEqual(await first.handle.result(), { status: 'FULFILLED', decidedBy: bulkReviewer, comment: 'batch ok' });
      assert.deepEqual(await second.handle.result(), { status: 'FULFILLED', decidedBy: earlier });
      assert.deepEqual(await third.handle.result(), { status: 'FULFILLED', decidedBy: bulkReviewer, comment: 'batch ok' });
      const decisions = await db.auditEvent.findMany({
        where: { approvalRequestId: { in: orders.map((o) => o.pending.id) }, action: { in: ['APPROVED', 'REJECTED'] } },
        orderBy: { at: 'asc' },
      });
      assert.deepEqual(decisions.map((d) => d.actor).sort(), [bulkReviewer, bulkReviewer, earlier].sort());
    });
  });

  test('a bulk reject answers for each id in the order sent: decided, claimed by another, unknown; duplicates are decided once', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const orders = await Promise.all(Array.from({ length: 6 }, () => startPendingOrder(services, taskQueue)));
      const holder = await newReviewer(db, 'holder');
      const reviewer = await newReviewer(db, 'bulk');
      const claimed = orders[5];
      assert.ok(claimed);
      await claimApproval(deps(), { id: claimed.pending.id }, { email: holder });
      const unknown = randomUUID();
      const ids = [...orders.map((o) => o.pending.id), unknown];
      const firstId = ids[0];
      assert.ok(firstId);

      const input = bulkRejectInputSchema.parse({ ids: [...ids, firstId], reason: 'over budget' });
      assert.equal(input.ids.length, ids.length, 'the repeated id is dropped');
      const results = await decideApprovals(deps(), { decision: 'REJECTED', ...input }, { email: reviewer });

      assert.deepEqual(
        results.map((r) => r.id),
        ids,
      );
      assert.deepEqual(
        results.map((r) => (r.outcome === 'refused' ? r.code : r.outcome)),
        ['decided', 'decided', 'decided', 'decided', 'decided', 'CLAIMED', 'NOT_FOUND'],
      );
      assert.match(
        results[5]?.outcome === 'refused' ? results[5].message : '',
        new RegExp(`^Claimed by ${holder.replace(/[.]/g, '\\.')} since`),
      );
      assert.equal(results[6]?.title, null);
      for (const order of orders.slice(0, 5)) {
        assert.deepEqual(await order.handle.result(), { status: 'REJECTED', decidedBy: reviewer, reason: 'over budget' });
      }
      assert.equal((await db.approvalRequest.findUniqueOrThrow({ where: { id: claimed.pending.id } })).status, 'PENDING');
      assert.equal(await db.auditEvent.count({ where: { actor: reviewer, action: 'REJECTED' } }), 5);
    });
  });

  test('the input schema de-duplicates ids, needs 1 to 100 uuids, and a reason to reject', () => {
    const id = randomUUID();
    assert.deepEqual(bulkApproveInputSchema.parse({ ids: [id, id] }).ids, [id]);
    const hundred = Array.from({ length: BULK_MAX }, () => randomUUID());
    assert.equal(bulkApproveInputSchema.parse({ ids: [...hundred, hundred[0]] }).ids.length, BULK_MAX);

    const issues = (input: unknown, schema: typeof bulkApproveInputSchema | typeof bulkRejectInputSchema = bulkApproveInputSchema) => {
      const parsed = schema.safeParse(input);
      return parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    };
    assert.deepEqual(issues({ ids: [] }), ['ids: Select at least one request']);
    assert.deepEqual(issues({ ids: [...hundred, randomUUID()] }), [`ids: Select at most ${BULK_MAX} requests at a time`]);
    assert.deepEqual(issues({ ids: ['not-a-uuid'] }), ['ids: Unknown request']);
    assert.deepEqual(issues({}), ['ids: Select at least one request']);
    assert.deepEqual(issues({ ids: [id], reason: '  ' }, bulkRejectInputSchema), ['reason: A reason is required to reject']);
  });
});
