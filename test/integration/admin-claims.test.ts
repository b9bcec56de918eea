// An admin moves claims: releases anyone's, or hands a request to another
// reviewer. Temporal's heartbeat details name the new holder (or nobody), the
// audit trail names the admin with {from, to}, and nobody else may do it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { claimApproval, reassignClaim, reassignInputSchema, releaseAnyClaim, type ClaimAdmin } from '../../lib/approvals/commands/claim';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { ApprovalError } from '../../lib/approvals/errors';
import { readApprovalTruth } from '../../lib/approvals/temporal/truth';
import {
  findApproval,
  newEmail,
  newReviewer as createReviewer,
  openServices,
  startPendingOrder,
  waitFor,
  startBareApproval,
  withWorker,
  type Services,
} from './helpers';
import { withdrawApproval } from './workflows';

const isCode = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof ApprovalError && e.code === code && (!message || message.test(e.message));

describe('admin claim controls', { timeout: 120_000 }, () => {
  let services: Services;
  const admin: ClaimAdmin = { email: newEmail('admin'), role: 'ADMIN' };

  before(async () => {
    services = await openServices();
  });
  after(async () => {
    await services?.close();
  });
  const deps = () => ({ db: services.db, temporal: services.client });

  /** A user who may hold and decide requests (claimants, deciders and reassign targets must be one). */
  const newReviewer = (who: string) => createReviewer(services.db, who);

  /** What a claim heartbeat tells Temporal about a request with no approvals yet. */
  const noVotes = { approvals: 0, quorum: 1, approvers: [] };

  async function heartbeatOf(workflowId: string, runId: string) {
    const truth = await readApprovalTruth(services.client, { workflowId, runId, activityId: APPROVAL_ACTIVITY_ID });
    assert.equal(truth.state, 'PENDING');
    return truth.heartbeatDetails;
  }

  /** Everything a claim change touches in the database, and Temporal's heartbeat details. */
  async function snapshot(workflowId: string, runId: string, id: string) {
    const row = await findApproval(services.db, workflowId);
    const events = await services.db.auditEvent.findMany({ where: { approvalRequestId: id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    return { row, events, heartbeat: await heartbeatOf(workflowId, runId) };
  }

  const lastEvent = (id: string) =>
    services.db.auditEvent.findFirst({
      where: { approvalRequestId: id },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      select: { action: true, actor: true, details: true },
    });

  test("an admin releases anyone's claim: the row, the heartbeat details and the audit trail say nobody holds it", async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const ana = await newReviewer('ana');
      await claimApproval(deps(), { id: pending.id }, { email: ana });
      assert.equal(((await heartbeatOf(handle.workflowId, pending.runId)) as { claimedBy?: string }).claimedBy, ana);

      const released = await releaseAnyClaim(deps(), { id: pending.id }, admin);
      assert.deepEqual(released, { claimedBy: null, claimedAt: null, previous: ana, changed: true });
      const row = await findApproval(services.db, handle.workflowId);
      assert.equal(row?.claimedBy, null);
      assert.equal(row?.claimedAt, null);
      assert.deepEqual(await heartbeatOf(handle.workflowId, pending.runId), { claimedBy: null, claimedAt: null, progress: noVotes });
      assert.deepEqual(await lastEvent(pending.id), { action: 'RELEASED', actor: admin.email, details: { from: ana, to: null } });

      // Nothing left to release: no call, no event.
      const before = await snapshot(handle.workflowId, pending.runId, pending.id);
      assert.deepEqual(await releaseAnyClaim(deps(), { id: pending.id }, admin), {
        claimedBy: null,
        claimedAt: null,
        previous: null,
        changed: false,
      });
      assert.deepEqual(await snapshot(handle.workflowId, pending.runId, pending.id), before);

      // Anyone may claim it now.
      const ben = await newReviewer('ben');
      assert.equal((await claimApproval(deps(), { id: pending.id }, { email: ben })).claimedBy, ben);
    });
  });

  test('an admin reassigns a claim: the new holder is in the row and the heartbeat details, and only they may decide', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const ana = await newReviewer('ana');
      const ben = await newReviewer('ben');
      await claimApproval(deps(), { id: pending.id }, { email: ana });

      const moved = await reassignClaim(deps(), reassignInputSchema.parse({ id: pending.id, to: ben.toUpperCase() }), admin);
      assert.equal(moved.claimedBy, ben);
      assert.equal(moved.previous, ana);
      assert.equal(moved.changed, true);
      const row = await findApproval(services.db, handle.workflowId);
      assert.equal(row?.claimedBy, ben);
      assert.ok(row?.claimedAt);
      assert.deepEqual(await heartbeatOf(handle.workflowId, pending.runId), {
        claimedBy: ben,
        claimedAt: row.claimedAt.toISOString(),
        progress: noVotes,
      });
      assert.deepEqual(await lastEvent(pending.id), { action: 'REASSIGNED', actor: admin.email, details: { from: ana, to: ben } });

      // The old holder is now like anyone else: refused.
      await assert.rejects(
        decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) }, { email: ana }),
        isCode('CLAIMED', new RegExp(`^Claimed by ${ben.replace(/[.]/g, '\\.')}`)),
      );
      await decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) }, { email: ben });
      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: ben });
      const events = await services.db.auditEvent.findMany({
        where: { approvalRequestId: pending.id },
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        select: { action: true, actor: true },
      });
      assert.deepEqual(
        events.map((e) => `${e.action} ${e.actor}`),
        ['REQUESTED worker', `CLAIMED ${ana}`, `REASSIGNED ${admin.email}`, `APPROVED ${ben}`],
      );
    });
  });

  test('an admin assigns an unclaimed request; assigning it to its holder again changes nothing', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const cleo = await newReviewer('cleo');
      const assigned = await reassignClaim(deps(), { id: pending.id, to: cleo }, admin);
      assert.deepEqual([assigned.claimedBy, assigned.previous, assigned.changed], [cleo, null, true]);
      assert.deepEqual(await lastEvent(pending.id), { action: 'REASSIGNED', actor: admin.email, details: { from: null, to: cleo } });
      assert.equal(((await heartbeatOf(handle.workflowId, pending.runId)) as { claimedBy?: string }).claimedBy, cleo);

      const before = await snapshot(handle.workflowId, pending.runId, pending.id);
      const again = await reassignClaim(deps(), { id: pending.id, to: cleo }, admin);
      assert.deepEqual([again.claimedBy, again.changed], [cleo, false]);
      assert.deepEqual(await snapshot(handle.workflowId, pending.runId, pending.id), before);
    });
  });

  test('a reviewer may neither release nor reassign a claim: FORBIDDEN, and nothing changes', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const ana = await newReviewer('ana');
      const ben = await newReviewer('ben');
      await claimApproval(deps(), { id: pending.id }, { email: ana });
      const before = await snapshot(handle.workflowId, pending.runId, pending.id);

      const reviewer: ClaimAdmin = { email: ben, role: 'REVIEWER' };
      await assert.rejects(
        releaseAnyClaim(deps(), { id: pending.id }, reviewer),
        isCode('FORBIDDEN', /^You do not have permission to do that\.$/),
      );
      await assert.rejects(
        reassignClaim(deps(), { id: pending.id, to: ben }, reviewer),
        isCode('FORBIDDEN', /^You do not have permission to do that\.$/),
      );
      assert.deepEqual(await snapshot(handle.workflowId, pending.runId, pending.id), before);
    });
  });

  test('reassigning to someone who is not a user is refused with a clear message, and nothing changes', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const ana = await newReviewer('ana');
      await claimApproval(deps(), { id: pending.id }, { email: ana });
      const before = await snapshot(handle.workflowId, pending.runId, pending.id);

      const stranger = newEmail('nobody');
      await assert.rejects(
        reassignClaim(deps(), { id: pending.id, to: stranger }, admin),
        isCode(
          'NOT_FOUND',
          new RegExp(`^No active reviewer or admin has the email ${stranger.replace(/[.]/g, '\\.')}\\. Choose someone from the list\\.$`),
        ),
      );
      assert.deepEqual(await snapshot(handle.workflowId, pending.runId, pending.id), before);
    });
  });

  test('the reassign form must name someone: blank or malformed targets fail validation', () => {
    const id = randomUUID();
    for (const to of ['', '   ', 'not an email', undefined]) {
      const parsed = reassignInputSchema.safeParse({ id, to });
      assert.equal(parsed.success, false, String(to));
      assert.equal(parsed.error?.issues[0]?.message, 'Choose who should hold it from the list.');
    }
  });

  test('a heartbeat answered "cancelled" closes the request instead of moving its claim', async () => {
    const { db } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startBareApproval(services, taskQueue, { title: 'Withdrawn while an admin reassigns it' });
        const { workflowId } = handle;
        const ana = await newReviewer('ana');
        const ben = await newReviewer('ben');
        await claimApproval(deps(), { id: pending.id }, { email: ana });
        await handle.signal(withdrawApproval);
        await waitFor('the cancel request', async () => (await handle.describe()).raw.pendingActivities?.some((a) => a.state === 3));

        await assert.rejects(
          reassignClaim(deps(), { id: pending.id, to: ben }, admin),
          isCode('NO_LONGER_PENDING', /^This request was cancelled/),
        );
        const row = await findApproval(db, workflowId);
        assert.equal(row?.status, 'CANCELLED');
        assert.equal(row?.claimedBy, ana);
        // Closed by this heartbeat, or by a reconciler sweeping the shared database first: either way, cancelled and not moved.
        const actions = (await db.auditEvent.findMany({ where: { approvalRequestId: pending.id }, select: { action: true } })).map(
          (e) => e.action,
        );
        assert.ok(actions.includes('CANCELLED'), actions.join());
        assert.ok(!actions.includes('REASSIGNED'), actions.join());
      },
      { workflowsPath: require.resolve('./workflows') },
    );
  });
});
