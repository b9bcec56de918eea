// The approval window and retries: how the approval activity is scheduled, what
// happens when its window passes, and that a database failure is retried.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ActivityNotFoundError } from '@temporalio/client';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { ApprovalError } from '../../lib/approvals/errors';
import { orderWorkflowId } from '../../lib/contract/orders';
import {
  approvalAttemptsStarted,
  approvalClosings,
  findApproval,
  newOrder,
  newReviewer,
  startPendingOrder,
  useServices,
  waitFor,
  withWorker,
} from './helpers';

describe('the approval window', { timeout: 120_000 }, () => {
  const services = useServices();

  test('schedules the approval as activity "approval" with StartToClose = the window and no heartbeat timeout', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle } = await startPendingOrder(services, taskQueue);
        const { events } = await handle.fetchHistory();
        const scheduled = (events ?? [])
          .map((e) => e.activityTaskScheduledEventAttributes)
          .find((a) => a?.activityId === APPROVAL_ACTIVITY_ID);
        assert.ok(scheduled, 'the approval activity was scheduled');
        assert.equal(scheduled.activityType?.name, 'requestApproval');
        assert.equal(Number(scheduled.startToCloseTimeout?.seconds), 4321);
        assert.equal(Number(scheduled.heartbeatTimeout?.seconds ?? 0), 0);
        const row = await findApproval(services.db, handle.workflowId);
        assert.ok(row);
        // The inbox deadline is the window after the attempt started.
        const windowMs = row.deadline.getTime() - row.requestedAt.getTime();
        assert.ok(windowMs >= 4321_000 && windowMs < 4321_000 + 5_000, `deadline ${windowMs} ms after the request`);
      },
      { approvalWindowMs: 4321_000 },
    );
  });

  test('when the window passes, the request is re-issued with a new token; the old one is dead and the live one decides', async () => {
    const { db, client } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending: first } = await startPendingOrder(services, taskQueue);
        assert.equal(first.attempt, 1);

        const reissued = await waitFor('attempt 2 of the approval', async () => {
          const row = await findApproval(db, handle.workflowId);
          return row && row.attempt >= 2 && row.taskToken ? { ...row, taskToken: row.taskToken } : undefined;
        });
        assert.equal(reissued.id, first.id, 'the same request, re-issued');
        assert.equal(reissued.status, 'PENDING');
        assert.notDeepEqual(Buffer.from(reissued.taskToken), Buffer.from(first.taskToken));
        assert.ok(reissued.deadline > first.deadline, 'a new deadline');
        const events = await db.auditEvent.findMany({
          where: { approvalRequestId: first.id },
          orderBy: [{ at: 'asc' }, { id: 'asc' }],
          select: { action: true },
        });
        assert.deepEqual(events.map((e) => e.action).slice(0, 2), ['REQUESTED', 'REISSUED']);

        await assert.rejects(client.activity.complete(first.taskToken, { approved: true, reviewer: 'stale' }), ActivityNotFoundError);

        const reviewer = await newReviewer(db, 'window');
        await decideApproval(
          { db, temporal: client },
          { decision: 'APPROVED', ...approveInputSchema.parse({ id: first.id }) },
          { email: reviewer },
        );
        assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: reviewer });
      },
      { approvalWindowMs: 1_500, approvalWindows: 5 },
    );
  });

  test('after the last window the workflow returns EXPIRED, the inbox says expired, and deciding says so', async () => {
    const { db, client } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startPendingOrder(services, taskQueue);
        assert.deepEqual(await handle.result(), { status: 'EXPIRED' });
        // History keeps the last attempt's start: the second window, and no third.
        assert.deepEqual(await approvalAttemptsStarted(handle), [2]);
        assert.deepEqual(await approvalClosings(handle), ['TIMED_OUT']);

        const row = await findApproval(db, handle.workflowId);
        assert.equal(row?.status, 'EXPIRED');
        assert.equal(row?.attempt, 2);
        assert.equal(row?.taskToken, null, 'no token outlives the request');
        const events = await db.auditEvent.findMany({
          where: { approvalRequestId: pending.id },
          orderBy: [{ at: 'asc' }, { id: 'asc' }],
          select: { action: true },
        });
        assert.deepEqual(
          events.map((e) => e.action),
          ['REQUESTED', 'REISSUED', 'EXPIRED'],
        );

        const late = await newReviewer(db, 'late');
        const decide = () =>
          decideApproval(
            { db, temporal: client },
            { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) },
            { email: late },
          );
        await assert.rejects(
          decide(),
          (error) =>
            error instanceof ApprovalError && error.code === 'NO_LONGER_PENDING' && /^This request expired at /.test(error.message),
        );

        // A row left behind (say the outcome write was lost): Temporal answers
        // NotFound, which is translated into "expired", and the row is put right.
        await db.$executeRaw`UPDATE approval_requests SET status = 'PENDING', decided_at = NULL, decision_path = NULL WHERE id = ${pending.id}::uuid`;
        await assert.rejects(
          decide(),
          (error) =>
            error instanceof ApprovalError && error.code === 'NO_LONGER_PENDING' && /^This request expired at /.test(error.message),
        );
        assert.equal((await findApproval(db, handle.workflowId))?.status, 'EXPIRED');
      },
      { approvalWindowMs: 1_000, approvalWindows: 2 },
    );
  });

  test('a retryable failure sent from outside in the last window ends the request EXPIRED, not the workflow FAILED', async () => {
    const { db, client } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startPendingOrder(services, taskQueue);
        await client.activity.fail(
          { workflowId: handle.workflowId, runId: pending.runId, activityId: APPROVAL_ACTIVITY_ID },
          new Error('try again later'),
        );
        assert.deepEqual(await handle.result(), { status: 'EXPIRED' });
        assert.equal((await findApproval(db, handle.workflowId))?.status, 'EXPIRED');
      },
      { approvalWindows: 1 },
    );
  });

  test('a database failure while storing the request is retried within the attempt: no window is spent', async () => {
    const { db } = services;
    const order = newOrder();
    const workflowId = orderWorkflowId(order.id);
    // A real PostgreSQL error on the first insert for this workflow only: a
    // sequence is not rolled back with the failed transaction, so the retry passes.
    const tag = randomBytes(6).toString('hex');
    await db.$executeRawUnsafe(`CREATE SEQUENCE test_fail_${tag}`);
    await db.$executeRawUnsafe(
      `CREATE FUNCTION test_fail_${tag}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.workflow_id = '${workflowId}' AND nextval('test_fail_${tag}') = 1 THEN
           RAISE EXCEPTION 'injected failure for %', NEW.workflow_id;
         END IF;
         RETURN NEW;
       END $$`,
    );
    await db.$executeRawUnsafe(
      `CREATE TRIGGER test_fail_${tag} BEFORE INSERT ON approval_requests FOR EACH ROW EXECUTE FUNCTION test_fail_${tag}()`,
    );
    try {
      await withWorker(services, async (taskQueue) => {
        const { handle, pending: row } = await startPendingOrder(services, taskQueue, order);
        assert.equal(row.attempt, 1, 'the write was retried inside the first attempt');
        const [{ failures } = { failures: 0n }] = await db.$queryRawUnsafe<{ failures: bigint }[]>(
          `SELECT last_value AS failures FROM test_fail_${tag}`,
        );
        assert.equal(Number(failures), 2, 'the insert ran twice');

        await services.client.activity.complete(row.taskToken, { approved: true, reviewer: 'ops' });
        assert.equal((await handle.result()).status, 'FULFILLED');
        assert.deepEqual(await approvalAttemptsStarted(handle), [1]);
      });
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_fail_${tag} ON approval_requests`);
      await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_fail_${tag}()`);
      await db.$executeRawUnsafe(`DROP SEQUENCE IF EXISTS test_fail_${tag}`);
    }
  });
});
