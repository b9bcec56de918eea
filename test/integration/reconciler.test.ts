// The database follows Temporal: decisions made elsewhere, workflows cancelled
// or terminated, approvals withdrawn, rows that were never written. Each case
// runs against the real server; the reconciler's sweep is called directly.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { ActivityNotFoundError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { APPROVAL_ACTIVITY_ID, APPROVAL_DENIED, approvalRequestSchema } from '../../lib/contract/approval';
import { orderToApprovalRequest } from '../../lib/contract/orders';
import { approveInputSchema, decideApproval, rejectInputSchema } from '../../lib/approvals/commands/decide';
import { ApprovalError } from '../../lib/approvals/errors';
import type { Activities } from '../../worker/activities';
import { createSweeper } from '../../worker/reconciler/sweep';
import {
  approvalClosings,
  findApproval,
  newOrder,
  newReviewer,
  startBareApproval,
  startOrder,
  startPendingOrder,
  useServices,
  waitFor,
  withWorker,
} from './helpers';
import { finish, withdrawApproval } from './workflows';

const WORKFLOWS = require.resolve('./workflows');

function rejectsWith(code: string, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ApprovalError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  };
}

describe('the reconciler and Temporal-side endings', { timeout: 180_000 }, () => {
  const services = useServices();

  const deps = () => ({ db: services.db, temporal: services.client });
  const sweeper = (taskQueue: string) => createSweeper({ ...deps(), graceMs: 0 }, { taskQueue });
  /** Sweeps until the row is closed: a row nothing marks as suspect waits for the sweeps' rotating batch. */
  async function sweepUntilClosed(taskQueue: string, workflowId: string) {
    const sweeps = sweeper(taskQueue);
    return waitFor('a sweep to close the request', async () => {
      await sweeps.sweep();
      const row = await findApproval(services.db, workflowId);
      return row?.status !== 'PENDING' && row;
    });
  }
  const approve = (id: string, email: string) =>
    decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id }) }, { email });
  /** A fresh user who may decide (deciders must be real, active users). */
  const reviewer = (label = 'reviewer') => newReviewer(services.db, label);

  test('a decision made outside, in a workflow that never records it, reaches the inbox through the reconciler (path EXTERNAL)', async () => {
    const { client } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startBareApproval(services, taskQueue);
        await client.activity.complete(
          { workflowId: handle.workflowId, runId: pending.runId, activityId: APPROVAL_ACTIVITY_ID },
          { approved: true, reviewer: 'billing-service' },
        );
        const row = await sweepUntilClosed(taskQueue, handle.workflowId);
        assert.equal(row?.status, 'APPROVED');
        assert.equal(row?.decidedBy, 'billing-service');
        assert.equal(row?.decisionPath, 'EXTERNAL');
        await handle.signal(finish);
        assert.equal(await handle.result(), 'decided');
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test('decided outside while no worker runs: the dashboard is told "already decided by X at T", and the row is put right', async () => {
    const { db, client } = services;
    const { handle, pending } = await withWorker(services, (taskQueue) => startPendingOrder(services, taskQueue));
    // No worker: the workflow cannot record the decision itself.
    await client.activity.fail(
      { workflowId: handle.workflowId, runId: pending.runId, activityId: APPROVAL_ACTIVITY_ID },
      ApplicationFailure.create({
        type: APPROVAL_DENIED,
        message: 'Not this quarter',
        nonRetryable: true,
        details: [{ reviewer: 'cli-person' }],
      }),
    );
    await assert.rejects(
      approve(pending.id, await reviewer('late')),
      rejectsWith('ALREADY_DECIDED', /^Already decided by cli-person at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/),
    );
    const row = await findApproval(db, handle.workflowId);
    assert.equal(row?.status, 'REJECTED');
    assert.equal(row?.reason, 'Not this quarter');
    assert.equal(row?.decisionPath, 'EXTERNAL');
    assert.equal(row?.taskToken, null);
  });

  test('a terminated workflow shows TERMINATED with the reason, and cannot be decided', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      await handle.terminate('order withdrawn by the customer');
      const report = await sweeper(taskQueue).sweep();
      assert.ok(report.closed >= 1, JSON.stringify(report));
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'TERMINATED');
      assert.equal(row?.reason, 'order withdrawn by the customer');
      assert.equal(row?.decisionPath, 'RECONCILER');
      await assert.rejects(approve(pending.id, await reviewer()), rejectsWith('NO_LONGER_PENDING', /^Its workflow was terminated at /));
    });
  });

  test('terminated, and the row still pending: deciding finds out from Temporal and says terminated', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      await handle.terminate('duplicate order');
      await assert.rejects(
        decideApproval(
          deps(),
          { decision: 'REJECTED', ...rejectInputSchema.parse({ id: pending.id, reason: 'no' }) },
          { email: await reviewer() },
        ),
        rejectsWith('NO_LONGER_PENDING', /^Its workflow was terminated at /),
      );
      assert.equal((await findApproval(db, handle.workflowId))?.status, 'TERMINATED');
    });
  });

  test('a cancelled workflow records CANCELLED before it ends, and cannot be decided', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'CANCELLED');
      assert.equal(row?.decisionPath, 'WORKER');
      await assert.rejects(approve(pending.id, await reviewer()), rejectsWith('NO_LONGER_PENDING', /^This request was cancelled at /));
    });
  });

  test('an approval the workflow withdrew (cancel requested, workflow still running) is marked cancelled, and Temporal is told', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle } = await startBareApproval(services, taskQueue);
        await handle.signal(withdrawApproval);
        await waitFor('the cancel request', async () => {
          const { raw } = await handle.describe();
          return raw.pendingActivities?.some((a) => a.activityId === APPROVAL_ACTIVITY_ID && a.state === 3);
        });
        assert.equal((await sweepUntilClosed(taskQueue, handle.workflowId)).status, 'CANCELLED');
        // The reconciler reported the cancellation: the activity is closed as cancelled in history.
        await waitFor('the activity to close as cancelled', async () => (await approvalClosings(handle)).includes('CANCELLED'));
        await handle.signal(finish);
        assert.equal(await handle.result(), 'withdrawn');
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test('a workflow cancelled while its own record is slow: the dashboard is refused "cancelled", never approves it', async () => {
    const { db } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startPendingOrder(services, taskQueue);
        await handle.cancel();
        // The workflow withdrew the approval at once (TRY_CANCEL); its CANCELLED record is still on its way.
        await waitFor('the cancel request', async () => (await handle.describe()).raw.pendingActivities?.some((a) => a.state === 3));
        assert.equal((await findApproval(db, handle.workflowId))?.status, 'PENDING');

        await assert.rejects(approve(pending.id, await reviewer('quick')), rejectsWith('NO_LONGER_PENDING', /^This request was cancelled/));
        assert.equal((await findApproval(db, handle.workflowId))?.status, 'CANCELLED');
        await assert.rejects(handle.result(), WorkflowFailedError);
        assert.deepEqual(await approvalClosings(handle), ['CANCELLED'], 'no completion reached Temporal');
        const row = await findApproval(db, handle.workflowId);
        assert.equal(row?.status, 'CANCELLED');
        assert.equal(row?.decidedBy, null);
      },
      {
        activities: (real) => ({
          ...real,
          async recordApprovalOutcome(...args: Parameters<typeof real.recordApprovalOutcome>) {
            await delay(3_000);
            return real.recordApprovalOutcome(...args);
          },
        }),
      },
    );
  });

  test('a decision Temporal accepted after the workflow withdrew the approval is read from history as cancelled', async () => {
    const { client } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startBareApproval(services, taskQueue);
        await handle.signal(withdrawApproval);
        await waitFor('the cancel request', async () => (await handle.describe()).raw.pendingActivities?.some((a) => a.state === 3));
        // Temporal takes a completion of a cancel-requested activity; the workflow never sees it.
        await client.activity.complete(
          { workflowId: handle.workflowId, runId: pending.runId, activityId: APPROVAL_ACTIVITY_ID },
          { approved: true, reviewer: 'too-late' },
        );
        const row = await sweepUntilClosed(taskQueue, handle.workflowId);
        assert.equal(row.status, 'CANCELLED');
        assert.equal(row.decidedBy, null);
        await handle.signal(finish);
        assert.equal(await handle.result(), 'withdrawn');
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test('between windows (the re-issue not started yet), the old token is dead but a decision still reaches the request by id', async () => {
    const { db } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startBareApproval(services, taskQueue, undefined, {
          windowMs: 1_000,
          retryIntervalMs: 3_600_000,
        });
        await waitFor('attempt 2 to be scheduled', async () => {
          const { raw } = await handle.describe();
          return raw.pendingActivities?.some((a) => a.activityId === APPROVAL_ACTIVITY_ID && a.attempt === 2 && a.state === 1);
        });
        await assert.rejects(
          services.client.activity.complete(pending.taskToken, { approved: true, reviewer: 'stale' }),
          ActivityNotFoundError,
        );
        await approve(pending.id, await reviewer());
        await handle.signal(finish);
        assert.equal(await handle.result(), 'decided');
        assert.deepEqual(await approvalClosings(handle), ['COMPLETED']);
        assert.equal((await findApproval(db, handle.workflowId))?.status, 'APPROVED');
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test('a row that was never written (the activity lost its write) is written from history, and is decided by id', async () => {
    const { db } = services;
    // What the activity would have written, had its write not been lost (the audit trail is append-only: no row is deleted).
    let lost: { request: unknown; deadline: Date } | undefined;
    const losesItsWrite = (real: Activities): Activities => ({
      ...real,
      async requestApproval(input: unknown): Promise<unknown> {
        lost = { request: input, deadline: new Date(Date.now() + Context.current().info.startToCloseTimeoutMs) };
        throw new CompleteAsyncError();
      },
    });
    await withWorker(
      services,
      async (taskQueue) => {
        const order = newOrder();
        const handle = await startOrder(services, taskQueue, order);
        const pending = await waitFor('the approval activity to start', async () => {
          const started = (await handle.describe()).raw.pendingActivities?.some(
            (a) => a.activityId === APPROVAL_ACTIVITY_ID && a.state === 2,
          );
          return (
            started && lost && { ...lost, title: orderToApprovalRequest(order).title, request: approvalRequestSchema.parse(lost.request) }
          );
        });
        assert.equal(await findApproval(db, handle.workflowId), null, 'the row was never written');

        const report = await sweeper(taskQueue).sweep();
        assert.equal(report.filled, 1, JSON.stringify(report));
        const row = await findApproval(db, handle.workflowId);
        assert.ok(row);
        assert.equal(row.status, 'PENDING');
        assert.equal(row.attempt, 1);
        assert.equal(row.taskToken, null, 'history has no token: it is decided by id');
        assert.equal(row.title, pending.title);
        assert.deepEqual(row.request, pending.request);
        assert.ok(Math.abs(row.deadline.getTime() - pending.deadline.getTime()) < 2_000, 'the same window');
        const events = await db.auditEvent.findMany({
          where: { approvalRequestId: row.id },
          select: { action: true, actor: true, path: true },
        });
        assert.deepEqual(events, [{ action: 'REQUESTED', actor: 'reconciler', path: 'RECONCILER' }]);

        assert.equal((await sweeper(taskQueue).sweep()).filled, 0, 'a second sweep finds nothing to do');
        const decider = await reviewer();
        await approve(row.id, decider);
        assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: decider });
      },
      { activities: losesItsWrite },
    );
  });
});
