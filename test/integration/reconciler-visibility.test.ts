// The reconciler learns from Temporal's visibility which runs closed, on any
// task queue: a workflow on another team's queue that was decided from
// outside by id and ended, without ever recording its outcome, shows as
// decided after one sweep. And a sweep costs the same Temporal calls whether
// 5 or 55 such workflows wait: no pending row is read just for being pending.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { APPROVAL_ACTIVITY_ID, type ApprovalRequest } from '../../lib/contract/approval';
import { createSweeper, type Sweeper } from '../../worker/reconciler/sweep';
import { findApproval, useServices, waitFor, waitForPendingApproval, withWorker, type Services } from './helpers';
import type { otherQueueApprovalWorkflow } from './workflows/other-queue';

const OTHER_QUEUE_WORKFLOWS = require.resolve('./workflows/other-queue');

const request = (): ApprovalRequest => ({
  title: `Another team's approval ${randomUUID()}`,
  amount: 12,
  currency: 'EUR',
  requester: 'other-team@example.com',
});

/** Starts the other-queue workflow on `otherQueue`, asking for approval on `approvalQueue`, and waits for its pending row. */
async function startOtherQueueApproval(services: Services, otherQueue: string, approvalQueue: string) {
  const workflowId = `other-queue-${randomUUID()}`;
  const handle = await services.client.workflow.start<typeof otherQueueApprovalWorkflow>('otherQueueApprovalWorkflow', {
    workflowId,
    taskQueue: otherQueue,
    args: [request(), approvalQueue],
  });
  services.started.push(workflowId);
  return { handle, pending: await waitForPendingApproval(services.db, workflowId) };
}

/** Waits until visibility lists the workflow as closed: what a sweep asks. */
async function waitUntilListedClosed(client: Client, workflowId: string) {
  await waitFor(`visibility to list ${workflowId} as closed`, async () => {
    for await (const _ of client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowId)} AND ExecutionStatus != "Running"` }))
      return true;
    return false;
  });
}

/**
 * A worker on Countersign's queue (the approval activity) and one on another
 * team's queue (their workflow); `fn` gets both queues.
 */
function withBothQueues<R>(services: Services, fn: (queues: { approvals: string; other: string }) => Promise<R>): Promise<R> {
  return withWorker(services, (approvals) =>
    withWorker(services, (other) => fn({ approvals, other }), { workflowsPath: OTHER_QUEUE_WORKFLOWS }),
  );
}

/** The workflow ids a sweep described or read the history of, through a client that notes them. */
function notingClient(client: Client, read: Set<string>): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, property, receiver) {
      if (property !== 'getHandle') return Reflect.get(target, property, receiver);
      return (workflowId: string, runId?: string) => {
        read.add(workflowId);
        return target.getHandle(workflowId, runId);
      };
    },
  });
  return new Proxy(client, {
    get: (target, property, receiver) => (property === 'workflow' ? workflow : Reflect.get(target, property, receiver)),
  });
}

describe('the reconciler and workflows on other task queues', { timeout: 180_000 }, () => {
  const services = useServices();
  /** A sweeper with no rotating batch: what it finds, it finds through visibility. */
  const sweeperOf = (taskQueue: string, temporal: Client = services.client): Sweeper =>
    createSweeper({ db: services.db, temporal, graceMs: 0 }, { taskQueue, batch: 0 });

  test('a workflow on another task queue, decided from outside by id, that ends without recording: the next sweep shows it decided', async () => {
    const { client, db } = services;
    await withBothQueues(services, async ({ approvals, other }) => {
      const sweeper = sweeperOf(approvals);
      const { handle, pending } = await startOtherQueueApproval(services, other, approvals);
      await sweeper.sweep();
      assert.equal((await findApproval(db, handle.workflowId))?.status, 'PENDING', 'read, and still waiting');

      await client.activity.complete(
        { workflowId: handle.workflowId, runId: pending.runId, activityId: APPROVAL_ACTIVITY_ID },
        { approved: true, reviewer: 'billing-service' },
      );
      assert.equal(await handle.result(), 'decided');
      assert.equal((await findApproval(db, handle.workflowId))?.status, 'PENDING', 'the workflow did not record it');
      await waitUntilListedClosed(client, handle.workflowId);

      const report = await sweeper.sweep();
      assert.ok(report.closed >= 1, JSON.stringify(report));
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.decidedBy, 'billing-service');
      assert.equal(row?.decisionPath, 'EXTERNAL');
    });
  });

  test("a worker's first sweep finds what closed before it started", async () => {
    const { client, db } = services;
    await withBothQueues(services, async ({ approvals, other }) => {
      const { handle, pending } = await startOtherQueueApproval(services, other, approvals);
      await client.activity.complete(
        { workflowId: handle.workflowId, runId: pending.runId, activityId: APPROVAL_ACTIVITY_ID },
        { approved: true, reviewer: 'night-batch' },
      );
      assert.equal(await handle.result(), 'decided');
      await waitUntilListedClosed(client, handle.workflowId);

      await sweeperOf(approvals).sweep();
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.decidedBy, 'night-batch');
    });
  });

  test('a sweep makes the same Temporal calls whether 5 or 55 workflows of another queue wait, and reads none of them', async () => {
    await withBothQueues(services, async ({ approvals, other }) => {
      // What other suites left closed is put right first: both measured sweeps then see the same database.
      const settle = sweeperOf(approvals);
      await waitFor('the leftovers to be put right', async () => (await settle.sweep()).closed === 0, { timeoutMs: 60_000 });

      const waiting: string[] = [];
      const measure = async (count: number) => {
        while (waiting.length < count) waiting.push((await startOtherQueueApproval(services, other, approvals)).handle.workflowId);
        const read = new Set<string>();
        const sweeper = sweeperOf(approvals, notingClient(services.client, read));
        const first = await sweeper.sweep();
        const next = await sweeper.sweep();
        assert.deepEqual(
          waiting.filter((id) => read.has(id)),
          [],
          'no waiting workflow of the other queue was described or read',
        );
        return { first: first.calls, next: next.calls };
      };
      const few = await measure(5);
      const many = await measure(55);
      assert.deepEqual(many, few, `calls with 55 waiting ${JSON.stringify(many)}, with 5 ${JSON.stringify(few)}`);
      assert.ok(few.next.lists <= 3, JSON.stringify(few));
      for (const workflowId of waiting) assert.equal((await findApproval(services.db, workflowId))?.status, 'PENDING');
    });
  });
});
