// decideApproval: a reviewer's decision reaches Temporal exactly once, then the
// database, and the workflow acts on it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { approveInputSchema, decideApproval, rejectInputSchema } from '../../lib/approvals/commands/decide';
import { COMPLETION_DEADLINE_MS } from '../../lib/approvals/temporal/activity-call';
import { ApprovalError } from '../../lib/approvals/errors';
import {
  approvalAttemptsStarted,
  approvalClosings,
  findApproval,
  newReviewer,
  startPendingOrder,
  useServices,
  withWorker,
} from './helpers';

const DECISIONS = ['APPROVED', 'REJECTED'];

describe('decideApproval', { timeout: 120_000 }, () => {
  const services = useServices();

  const deps = () => ({ db: services.db, temporal: services.client });

  test('approve fulfils the order, records a DASHBOARD decision once, and a second decision is refused naming the first reviewer', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const first = await newReviewer(db, 'first');
      const second = await newReviewer(db, 'second');

      const decided = await decideApproval(
        deps(),
        { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id, comment: 'ship it' }) },
        { email: first },
      );
      assert.equal(decided.status, 'APPROVED');
      assert.equal(decided.decidedBy, first);

      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: first, comment: 'ship it' });
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.decisionPath, 'DASHBOARD');
      assert.equal(row?.decidedBy, first);
      assert.equal(row?.comment, 'ship it');
      assert.equal(row?.taskToken, null);
      const decisions = await db.auditEvent.findMany({ where: { approvalRequestId: pending.id, action: { in: DECISIONS } } });
      assert.deepEqual(
        decisions.map((e) => [e.action, e.actor, e.path]),
        [['APPROVED', first, 'DASHBOARD']],
      );

      const late = decideApproval(
        deps(),
        { decision: 'REJECTED', ...rejectInputSchema.parse({ id: pending.id, reason: 'too late' }) },
        { email: second },
      );
      await assert.rejects(late, (error: unknown) => {
        assert.ok(error instanceof ApprovalError);
        assert.equal(error.code, 'ALREADY_DECIDED');
        assert.match(error.message, new RegExp(`Already decided by ${first.replace(/[.]/g, '\\.')}`));
        return true;
      });
      assert.equal(await db.auditEvent.count({ where: { approvalRequestId: pending.id, action: { in: DECISIONS } } }), 1);
    });
  });

  test('reject ends the workflow REJECTED with the reason, and the approval is never re-issued', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const rita = await newReviewer(db, 'rita');

      await decideApproval(
        deps(),
        { decision: 'REJECTED', ...rejectInputSchema.parse({ id: pending.id, reason: 'over budget' }) },
        { email: rita },
      );

      assert.deepEqual(await handle.result(), { status: 'REJECTED', decidedBy: rita, reason: 'over budget' });
      const rows = await db.approvalRequest.findMany({ where: { workflowId: handle.workflowId } });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.attempt, 1);
      assert.equal(rows[0]?.status, 'REJECTED');
      assert.equal(rows[0]?.reason, 'over budget');
      assert.equal(rows[0]?.decisionPath, 'DASHBOARD');
      assert.equal(await db.auditEvent.count({ where: { approvalRequestId: pending.id, action: 'REISSUED' } }), 0);
      // One started attempt in history: the rejection was not retried.
      assert.deepEqual(await approvalAttemptsStarted(handle), [1]);
      assert.equal((await handle.describe()).status.name, 'COMPLETED');
    });
  });

  test('refuses an unknown request id with NOT_FOUND and writes nothing', async () => {
    const { db } = services;
    const id = randomUUID();
    const reviewer = await newReviewer(db, 'nobody');
    await assert.rejects(
      decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id }) }, { email: reviewer }),
      (error: unknown) => error instanceof ApprovalError && error.code === 'NOT_FOUND' && error.httpStatus === 404,
    );
    assert.equal(await db.approvalRequest.count({ where: { id } }), 0);
    assert.equal(await db.auditEvent.count({ where: { OR: [{ approvalRequestId: id }, { actor: reviewer }] } }), 0);
  });

  test('completes by workflow id + run id + activity id when the stored task token is unusable', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      await db.$executeRaw`UPDATE approval_requests SET task_token = ${Buffer.from('garbled, not a task token')} WHERE id = ${pending.id}::uuid`;

      const reviewer = await newReviewer(db, 'by-id');
      const started = Date.now();
      await decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) }, { email: reviewer });
      // The garbled token cannot hang the call: both tries share one 5 s deadline.
      assert.ok(Date.now() - started < COMPLETION_DEADLINE_MS, `answered after ${Date.now() - started} ms`);

      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: reviewer });
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.decisionPath, 'DASHBOARD');
    });
  });

  test('of 50 concurrent decisions (approve and reject mixed, different reviewers), exactly one reaches Temporal; the rest learn who decided', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const reviewers = await Promise.all(Array.from({ length: 50 }, (_, i) => newReviewer(db, `r${i}`)));

      const settled = await Promise.allSettled(
        reviewers.map((email, i) =>
          decideApproval(
            deps(),
            i % 2 === 0
              ? { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) }
              : { decision: 'REJECTED', ...rejectInputSchema.parse({ id: pending.id, reason: `no from ${i}` }) },
            { email },
          ),
        ),
      );

      const winners = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.equal(winners.length, 1);
      const winner = winners[0];
      assert.ok(winner);
      const losers = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      assert.equal(losers.length, 49);
      for (const loser of losers) {
        assert.ok(loser instanceof ApprovalError && loser.code === 'ALREADY_DECIDED', String(loser));
        assert.match(loser.message, new RegExp(`^Already decided by ${winner.decidedBy.replace(/[.]/g, '\\.')} at `));
      }

      const result = await handle.result();
      assert.equal(result.status, winner.status === 'APPROVED' ? 'FULFILLED' : 'REJECTED');
      assert.equal('decidedBy' in result && result.decidedBy, winner.decidedBy);
      // Temporal itself took one decision: one completion or failure of the approval in history.
      assert.equal((await approvalClosings(handle)).length, 1);
      const decisions = await db.auditEvent.findMany({ where: { approvalRequestId: pending.id, action: { in: DECISIONS } } });
      assert.equal(decisions.length, 1);
      assert.deepEqual(await approvalAttemptsStarted(handle), [1]);
    });
  });
});
