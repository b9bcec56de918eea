// Claims: who holds a request, in the database and in Temporal's heartbeat
// details; and a heartbeat that answers "cancelled".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { claimApproval, releaseClaim } from '../../lib/approvals/commands/claim';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { ApprovalError } from '../../lib/approvals/errors';
import { readApprovalTruth } from '../../lib/approvals/temporal/truth';
import {
  approvalClosings,
  findApproval,
  newReviewer,
  startBareApproval,
  startPendingOrder,
  useServices,
  waitFor,
  withWorker,
} from './helpers';
import { withdrawApproval } from './workflows';

describe('claims', { timeout: 120_000 }, () => {
  const services = useServices();
  const deps = () => ({ db: services.db, temporal: services.client });
  const email = (who: string) => newReviewer(services.db, who);
  /** What a claim heartbeat tells Temporal about a request with no approvals yet. */
  const noVotes = { approvals: 0, quorum: 1, approvers: [] };

  async function heartbeatOf(workflowId: string, runId: string) {
    const truth = await readApprovalTruth(services.client, { workflowId, runId, activityId: APPROVAL_ACTIVITY_ID });
    assert.equal(truth.state, 'PENDING');
    return truth.heartbeatDetails;
  }

  test('a claim names its holder in the inbox and in the heartbeat details Temporal shows; others may neither claim nor decide', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const ana = await email('ana');
      const ben = await email('ben');

      const claim = await claimApproval(deps(), { id: pending.id }, { email: ana });
      assert.equal(claim.claimedBy, ana);
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.claimedBy, ana);
      assert.ok(row?.claimedAt);
      assert.deepEqual(await heartbeatOf(handle.workflowId, pending.runId), {
        claimedBy: ana,
        claimedAt: row.claimedAt.toISOString(),
        progress: noVotes,
      });

      const claimedBy = new RegExp(`^Claimed by ${ana.replace(/[.]/g, '\\.')} since \\d{4}-`);
      await assert.rejects(
        claimApproval(deps(), { id: pending.id }, { email: ben }),
        (e) => e instanceof ApprovalError && e.code === 'CLAIMED' && claimedBy.test(e.message),
      );
      await assert.rejects(
        decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) }, { email: ben }),
        (e) => e instanceof ApprovalError && e.code === 'CLAIMED',
      );
      await assert.rejects(
        releaseClaim(deps(), { id: pending.id }, { email: ben }),
        (e) => e instanceof ApprovalError && e.code === 'CLAIMED',
      );

      await releaseClaim(deps(), { id: pending.id }, { email: ana });
      assert.equal((await findApproval(db, handle.workflowId))?.claimedBy, null);
      assert.deepEqual(await heartbeatOf(handle.workflowId, pending.runId), { claimedBy: null, claimedAt: null, progress: noVotes });

      await claimApproval(deps(), { id: pending.id }, { email: ben });
      await decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) }, { email: ben });
      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: ben });
      const events = await db.auditEvent.findMany({
        where: { approvalRequestId: pending.id },
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        select: { action: true, actor: true },
      });
      assert.deepEqual(
        events.map((e) => `${e.action} ${e.actor}`),
        ['REQUESTED worker', `CLAIMED ${ana}`, `RELEASED ${ana}`, `CLAIMED ${ben}`, `APPROVED ${ben}`],
      );
    });
  });

  test('a re-issued (escalated) request lets go of its claim', async () => {
    const { db } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startPendingOrder(services, taskQueue);
        await claimApproval(deps(), { id: pending.id }, { email: await email('slow') });
        const reissued = await waitFor('attempt 2', async () => {
          const row = await findApproval(db, handle.workflowId);
          return row && row.attempt >= 2 ? row : undefined;
        });
        assert.equal(reissued.claimedBy, null);
        assert.equal(reissued.claimedAt, null);
      },
      { approvalWindowMs: 1_500, approvalWindows: 5 },
    );
  });

  test('a heartbeat that answers "cancelled" marks the request cancelled, and the cancellation is reported to Temporal', async () => {
    const { db } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startBareApproval(services, taskQueue, { title: 'Withdrawn while a reviewer looks' });
        const { workflowId } = handle;
        const ana = await email('ana');
        await handle.signal(withdrawApproval);
        await waitFor('the cancel request', async () => (await handle.describe()).raw.pendingActivities?.some((a) => a.state === 3));

        await assert.rejects(
          claimApproval(deps(), { id: pending.id }, { email: ana }),
          (e) => e instanceof ApprovalError && e.code === 'NO_LONGER_PENDING' && /^This request was cancelled/.test(e.message),
        );
        const row = await findApproval(db, workflowId);
        assert.equal(row?.status, 'CANCELLED');
        assert.equal(row?.claimedBy, null);
        const cancelled = await db.auditEvent.findFirst({ where: { approvalRequestId: pending.id, action: 'CANCELLED' } });
        assert.deepEqual(cancelled?.details, { noticedBy: 'heartbeat' });
        await waitFor('the activity to close as cancelled', async () => (await approvalClosings(handle)).includes('CANCELLED'));
      },
      { workflowsPath: require.resolve('./workflows') },
    );
  });
});
