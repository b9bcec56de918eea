// Runs started before the window limit: orderWorkflow as it was then
// (test/fixtures/legacy-workflows.ts) scheduled its approval with no attempt
// limit, so Temporal would re-issue it for ever. A release replaces the worker,
// not the retry policy of an activity already scheduled: these tests start a
// run on the legacy code, then let today's worker take over, as a deploy does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRetryState, RetryState } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { APPROVAL_EXPIRED } from '../../lib/contract/approval-expired';
import { workflowTaskFailures } from '../support/histories';
import {
  approvalAttemptsStarted,
  approvalClosings,
  findApproval,
  newReviewer,
  startPendingOrder,
  uniqueTaskQueue,
  useServices,
  waitFor,
  withWorker,
  type WorkerOptions,
} from './helpers';

const LEGACY_WORKFLOWS = require.resolve('../fixtures/legacy-workflows');

/** The approval activity as the run scheduled it: its retry policy, and how it closed. */
async function approvalActivity(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === APPROVAL_ACTIVITY_ID);
  const failed = events.map((e) => e.activityTaskFailedEventAttributes).find((a) => a);
  return {
    maximumAttempts: scheduled?.activityTaskScheduledEventAttributes?.retryPolicy?.maximumAttempts ?? 0,
    failure: failed
      ? {
          type: failed.failure?.applicationFailureInfo?.type,
          message: failed.failure?.message,
          retryState: decodeRetryState(failed.retryState),
        }
      : undefined,
    workflowTaskFailures: workflowTaskFailures(history),
  };
}

/** The run's result, or a failure naming the wait when it has none by then (one re-issued for ever never has). */
async function resultWithin(handle: WorkflowHandle, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${handle.workflowId} had no result after ${ms} ms: still re-issued`)), ms);
  });
  try {
    return await Promise.race([handle.result(), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('runs started before the window limit', { timeout: 120_000 }, () => {
  const services = useServices();

  /** Starts an order on the legacy code and returns once its request is pending; then today's worker serves the queue. */
  async function startOnLegacyCode(options: WorkerOptions) {
    const taskQueue = uniqueTaskQueue();
    const started = await withWorker(services, (queue) => startPendingOrder(services, queue), {
      ...options,
      taskQueue,
      workflowsPath: LEGACY_WORKFLOWS,
    });
    return { ...started, taskQueue };
  }

  test('a legacy order that nobody decides ends EXPIRED after its windows on today’s worker, instead of being re-issued for ever', async () => {
    const settings = { approvalWindowMs: 1_500, approvalWindows: 2 };
    const { handle, pending, taskQueue } = await startOnLegacyCode(settings);
    // The legacy code scheduled it with no attempt limit (0: unlimited), and that cannot change.
    assert.equal((await approvalActivity(handle)).maximumAttempts, 0);

    const result = await withWorker(services, () => resultWithin(handle, 30_000), { ...settings, taskQueue });

    assert.deepEqual(result, { status: 'EXPIRED' });
    // Attempt 3, the one after the last window, ended it at once.
    assert.deepEqual(await approvalAttemptsStarted(handle), [3]);
    assert.deepEqual(await approvalClosings(handle), ['FAILED']);
    const activity = await approvalActivity(handle);
    assert.deepEqual(activity.failure, {
      type: APPROVAL_EXPIRED,
      message: 'No decision within the 2 approval windows: the request expired.',
      retryState: RetryState.NON_RETRYABLE_FAILURE,
    });
    assert.deepEqual(activity.workflowTaskFailures, [], 'today’s code replayed the legacy history without a non-determinism error');

    const row = await findApproval(services.db, handle.workflowId);
    assert.equal(row?.id, pending.id);
    assert.equal(row?.status, 'EXPIRED');
    assert.equal(row?.decisionPath, 'WORKER');
    assert.equal(row?.taskToken, null);
    // Recorded once: by the activity; the workflow's own record of EXPIRED found it so.
    const expired = await services.db.auditEvent.count({ where: { approvalRequestId: pending.id, action: 'EXPIRED' } });
    assert.equal(expired, 1);
  });

  test('within its windows a legacy order is left alone: a decision in the last window still fulfils it', async () => {
    const settings = { approvalWindowMs: 3_000, approvalWindows: 2 };
    const reviewer = await newReviewer(services.db);
    const { handle, taskQueue } = await startOnLegacyCode(settings);

    const result = await withWorker(
      services,
      async () => {
        const second = await waitFor('attempt 2 of the legacy approval', async () => {
          const row = await findApproval(services.db, handle.workflowId);
          return row?.status === 'PENDING' && row.attempt === 2 && row.taskToken ? row : undefined;
        });
        await decideApproval(
          { db: services.db, temporal: services.client },
          { decision: 'APPROVED', ...approveInputSchema.parse({ id: second.id }) },
          { email: reviewer },
        );
        return handle.result();
      },
      { ...settings, taskQueue },
    );

    assert.deepEqual(result, { status: 'FULFILLED', decidedBy: reviewer });
    assert.deepEqual(await approvalClosings(handle), ['COMPLETED']);
    assert.deepEqual((await approvalActivity(handle)).workflowTaskFailures, []);
    assert.equal((await findApproval(services.db, handle.workflowId))?.status, 'APPROVED');
  });

  test('a run scheduled with its own attempt limit keeps it, even when APPROVAL_WINDOWS is lowered since', async () => {
    // The run read 3 windows when it started; the worker now says 2. The third window is the run's, and it times out as usual.
    const result = await withWorker(
      services,
      async (taskQueue) => {
        const { handle } = await startPendingOrder(services, taskQueue);
        const outcome = await handle.result();
        assert.deepEqual(await approvalAttemptsStarted(handle), [3]);
        assert.deepEqual(await approvalClosings(handle), ['TIMED_OUT']);
        return outcome;
      },
      {
        approvalWindowMs: 1_000,
        approvalWindows: 2,
        activities: (real) => ({ ...real, getApprovalPolicy: async () => ({ windowMs: 1_000, windows: 3 }) }),
      },
    );
    assert.deepEqual(result, { status: 'EXPIRED' });
  });
});
