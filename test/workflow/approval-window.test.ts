// orderWorkflow's approval windows, with stub activities: the workflow's logic
// is what is under test. @temporalio/testing starts a Temporal dev server of
// this file's own (the project's `temporal` CLI); no database is involved.
// The windows are real seconds: Temporal's time-skipping test server never
// skips time while an activity is open, and the approval activity stays open
// for its whole window.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { activityInfo, CompleteAsyncError } from '@temporalio/activity';
import { ActivityNotFoundError, ApplicationFailure, CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { decodeRetryState, RetryState } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import {
  APPROVAL_ACTIVITY_ID,
  APPROVAL_DENIED,
  INVALID_APPROVAL_REQUEST,
  VIA_COUNTERSIGN,
  type ApprovalDeniedDetails,
  type ApprovalOutcome,
  type ApprovalResult,
} from '../../lib/contract/approval';
import { ORDER_WORKFLOW_TYPE, orderWorkflowId, type Order, type OrderWorkflow } from '../../lib/contract/orders';
import { ensureTemporal } from '../../scripts/temporal';
import type { Activities } from '../../worker/activities';
import { expectInvalidRequestFailure } from '../support/workflow-failures';
import { createWorkerLogger } from '../../worker/logger';

/** Long enough that no window can pass while a test is deciding it. */
const LONG_WINDOW_MS = 60_000;

// Warnings and errors only: the SDK's info lines would bury the test report.
Runtime.install({ logger: createWorkerLogger('WARN') });

/** One attempt of requestApproval (one window), as the stub saw it. */
interface Attempt {
  attempt: number;
  taskToken: Uint8Array;
}

interface Policy {
  windowMs: number;
  windows: number;
  /** What requestApproval does; by default it leaves the activity open for a decision from outside, like the real one. */
  requestApproval?: () => Promise<unknown>;
}

/** Stand-ins for the worker's activities, and what each was asked to do. */
function stubActivities({ windowMs, windows, requestApproval }: Policy) {
  const attempts: Attempt[] = [];
  const outcomes: ApprovalOutcome[] = [];
  const fulfilled: Order[] = [];
  const waiters: (() => void)[] = [];
  const activities: Activities = {
    async getApprovalPolicy() {
      return { windowMs, windows };
    },
    async requestApproval() {
      const { attempt, taskToken } = activityInfo();
      attempts.push({ attempt, taskToken });
      for (const wake of waiters.splice(0)) wake();
      if (requestApproval) return requestApproval();
      throw new CompleteAsyncError();
    },
    async recordApprovalOutcome(_activityId, outcome) {
      outcomes.push(outcome);
      return true;
    },
    async sendEmailTool() {
      throw new Error('orderWorkflow never sends email');
    },
    async fulfillOrder(order) {
      fulfilled.push(order);
      return { fulfilledAt: new Date().toISOString() };
    },
  };
  /** Attempt `n` of requestApproval, once it has started. */
  async function attempt(n: number): Promise<Attempt> {
    for (;;) {
      const found = attempts.find((a) => a.attempt === n);
      if (found) return found;
      await new Promise<void>((wake) => waiters.push(wake));
    }
  }
  const attemptNumbers = () => attempts.map((a) => a.attempt);
  return { activities, attempt, attemptNumbers, outcomes, fulfilled };
}

type Stubs = ReturnType<typeof stubActivities>;

function newOrder(): Order {
  return { id: `wf-${randomUUID()}`, customer: 'Workflow Test Ltd', amount: 99.5, currency: 'EUR', items: [{ sku: 'SKU-1', qty: 1 }] };
}

/**
 * How the approval activity closed, from the workflow history. Temporal
 * records only the last attempt's closing; its retry state says why no other
 * attempt followed.
 */
async function approvalClosings(handle: WorkflowHandle): Promise<{ closedAs: string; retryState?: RetryState }[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityId === APPROVAL_ACTIVITY_ID).map((e) => String(e.eventId)),
  );
  return events.flatMap((e) => {
    const closings = [
      ['COMPLETED', e.activityTaskCompletedEventAttributes, undefined],
      ['FAILED', e.activityTaskFailedEventAttributes, e.activityTaskFailedEventAttributes?.retryState],
      ['TIMED_OUT', e.activityTaskTimedOutEventAttributes, e.activityTaskTimedOutEventAttributes?.retryState],
      ['CANCELLED', e.activityTaskCanceledEventAttributes, undefined],
    ] as const;
    const closing = closings.find(([, attributes]) => attributes && scheduled.has(String(attributes.scheduledEventId)));
    if (!closing) return [];
    const [closedAs, , retryState] = closing;
    return [retryState === undefined ? { closedAs } : { closedAs, retryState: decodeRetryState(retryState) }];
  });
}

describe('orderWorkflow: the approval windows', { timeout: 60_000 }, () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundle;

  before(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: ensureTemporal() } },
    });
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../worker/workflows'),
      logger: createWorkerLogger('WARN'),
    });
  });

  after(async () => {
    await env?.teardown();
  });

  /** Starts orderWorkflow for a fresh order on a task queue of its own, and runs `fn` while a worker with `stubs` serves it. */
  async function withOrderWorkflow(stubs: Stubs, fn: (handle: WorkflowHandle<OrderWorkflow>, order: Order) => Promise<void>) {
    const taskQueue = `test-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: stubs.activities });
    await worker.runUntil(async () => {
      const order = newOrder();
      const handle = await env.client.workflow.start<OrderWorkflow>(ORDER_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: orderWorkflowId(order.id),
        args: [order],
      });
      try {
        await fn(handle, order);
      } finally {
        // A failed assertion must not leave the workflow waiting on a stopped worker.
        const { status } = await handle.describe();
        if (status.name === 'RUNNING') await handle.terminate('test finished');
      }
    });
  }

  test('with no decision, each window is one attempt, and after the last of 2 the order is EXPIRED', async () => {
    const stubs = stubActivities({ windowMs: 1_000, windows: 2 });
    await withOrderWorkflow(stubs, async (handle) => {
      assert.deepEqual(await handle.result(), { status: 'EXPIRED' });
      assert.deepEqual(stubs.attemptNumbers(), [1, 2]);
      assert.deepEqual(await approvalClosings(handle), [{ closedAs: 'TIMED_OUT', retryState: RetryState.MAXIMUM_ATTEMPTS_REACHED }]);
      assert.deepEqual(stubs.outcomes, [{ status: 'EXPIRED' }]);
      assert.deepEqual(stubs.fulfilled, []);
    });
  });

  test('an approval by token in the second window fulfils the order; the first window’s token is refused', async () => {
    // Two seconds to decide once the second window opens.
    const stubs = stubActivities({ windowMs: 2_000, windows: 2 });
    await withOrderWorkflow(stubs, async (handle, order) => {
      const first = await stubs.attempt(1);
      const second = await stubs.attempt(2);
      const approval: ApprovalResult = { approved: true, reviewer: 'r@x', via: VIA_COUNTERSIGN };

      await assert.rejects(env.client.activity.complete(first.taskToken, approval), ActivityNotFoundError);
      await env.client.activity.complete(second.taskToken, approval);

      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: 'r@x' });
      assert.deepEqual(stubs.attemptNumbers(), [1, 2]);
      assert.deepEqual(await approvalClosings(handle), [{ closedAs: 'COMPLETED' }]);
      assert.deepEqual(stubs.outcomes, [{ status: 'APPROVED', decidedBy: 'r@x', via: VIA_COUNTERSIGN }]);
      assert.deepEqual(stubs.fulfilled, [order]);
    });
  });

  test('an ApprovalDenied failure is not retried: the order is REJECTED with the reviewer and the reason', async () => {
    const stubs = stubActivities({ windowMs: LONG_WINDOW_MS, windows: 2 });
    await withOrderWorkflow(stubs, async (handle) => {
      const { taskToken } = await stubs.attempt(1);
      const details: ApprovalDeniedDetails = { reviewer: 'r@x', via: VIA_COUNTERSIGN };
      await env.client.activity.fail(
        taskToken,
        ApplicationFailure.create({ type: APPROVAL_DENIED, message: 'Over budget', nonRetryable: true, details: [details] }),
      );

      assert.deepEqual(await handle.result(), { status: 'REJECTED', decidedBy: 'r@x', reason: 'Over budget' });
      assert.deepEqual(stubs.attemptNumbers(), [1]);
      assert.deepEqual(await approvalClosings(handle), [{ closedAs: 'FAILED', retryState: RetryState.NON_RETRYABLE_FAILURE }]);
      assert.deepEqual(stubs.outcomes, [{ status: 'REJECTED', decidedBy: 'r@x', reason: 'Over budget', via: VIA_COUNTERSIGN }]);
      assert.deepEqual(stubs.fulfilled, []);
    });
  });

  test('a retryable failure sent from outside opens the next window; in the last window it ends the order EXPIRED', async () => {
    const stubs = stubActivities({ windowMs: LONG_WINDOW_MS, windows: 2 });
    await withOrderWorkflow(stubs, async (handle) => {
      const first = await stubs.attempt(1);
      await env.client.activity.fail(first.taskToken, new Error('try again later'));
      const second = await stubs.attempt(2);
      await env.client.activity.fail(second.taskToken, new Error('try again later'));

      assert.deepEqual(await handle.result(), { status: 'EXPIRED' });
      // Ended by the failure, long before the window could run out.
      assert.deepEqual(await approvalClosings(handle), [{ closedAs: 'FAILED', retryState: RetryState.MAXIMUM_ATTEMPTS_REACHED }]);
      assert.deepEqual(stubs.outcomes, [{ status: 'EXPIRED' }]);
      assert.deepEqual(stubs.fulfilled, []);
    });
  });

  test('the activity’s own non-retryable failure (an invalid request) is no decision: the workflow fails', async () => {
    const stubs = stubActivities({
      windowMs: LONG_WINDOW_MS,
      windows: 2,
      requestApproval: async () => {
        throw ApplicationFailure.nonRetryable('Invalid approval request: currency: bad', INVALID_APPROVAL_REQUEST);
      },
    });
    await withOrderWorkflow(stubs, async (handle) => {
      await expectInvalidRequestFailure(handle);
      assert.deepEqual(stubs.attemptNumbers(), [1]);
      assert.deepEqual(stubs.outcomes, [], 'no outcome: there is no decision to record');
    });
  });

  test('cancelled while waiting, the workflow records CANCELLED before it ends', async () => {
    const stubs = stubActivities({ windowMs: LONG_WINDOW_MS, windows: 2 });
    await withOrderWorkflow(stubs, async (handle) => {
      await stubs.attempt(1);
      await handle.cancel();

      const error = await handle.result().then(
        () => assert.fail('the workflow should have been cancelled'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(error)}`);
      assert.ok(error.cause instanceof CancelledFailure);
      assert.deepEqual(stubs.outcomes, [{ status: 'CANCELLED', reason: 'The workflow was cancelled' }]);
      assert.deepEqual(stubs.fulfilled, []);
    });
  });
});
