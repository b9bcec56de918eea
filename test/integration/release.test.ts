// A release of the workflow code while approvals wait, as it happens in
// production: approvals start on today's code; a release adds a step behind
// patched() (test/support/workflow-release.ts edits the real workflows file);
// the old worker stops and the release's worker takes the same task queue; the
// waiting approvals are decided through the domain. And the same change
// without patched(), checked against what those waiting runs wrote.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { AGENT_TOOL_WORKFLOW_TYPE, type AgentToolResult } from '../../lib/contract/agent';
import type { ApprovalOutcome, ApprovalRequest } from '../../lib/contract/approval';
import type { OrderResult } from '../../lib/contract/orders';
import { createActivities } from '../../worker/activities';
import { createWorkerLogger } from '../../worker/logger';
import { patchMarkers, scheduledActivities, workflowTaskFailures } from '../support/histories';
import { RELEASE_ACTIVITY, RELEASE_PATCH_ID, writeReleaseVariant, type ReleaseVariant } from '../support/workflow-release';
import { NAMESPACE, newGroup, newReviewer, startPendingOrder, uniqueTaskQueue, useServices, waitForPendingApproval } from './helpers';

const WINDOW_MS = 60_000;

describe('a release while approvals wait', { timeout: 240_000 }, () => {
  const services = useServices();
  let current: WorkflowBundle;
  let patched: ReleaseVariant;
  let unpatched: ReleaseVariant;
  let patchedBundle: WorkflowBundle;

  before(async () => {
    patched = writeReleaseVariant({ patched: true });
    unpatched = writeReleaseVariant({ patched: false });
    [current, patchedBundle] = await Promise.all([
      bundleWorkflowCode({ workflowsPath: require.resolve('../../worker/workflows'), logger: createWorkerLogger('WARN') }),
      patched.bundle(),
    ]);
  });

  after(() => {
    patched?.remove();
    unpatched?.remove();
  });

  /** Runs `fn` while a worker of `workflowBundle` (the real activities, and the release's when given) polls `taskQueue`, then stops it. */
  async function withBuild<R>(taskQueue: string, workflowBundle: WorkflowBundle, fn: () => Promise<R>, announced?: string[]): Promise<R> {
    const activities = {
      ...createActivities({ db: services.db, approvalWindowMs: WINDOW_MS, approvalWindows: 2 }),
      // The release's new activity; only its worker has it.
      ...(announced && {
        async [RELEASE_ACTIVITY](_request: unknown): Promise<void> {
          announced.push(Context.current().info.workflowExecution?.workflowId ?? 'none');
        },
      }),
    };
    const worker = await Worker.create({ connection: services.connection, namespace: NAMESPACE, taskQueue, workflowBundle, activities });
    return worker.runUntil(fn);
  }

  const deps = () => ({ db: services.db, temporal: services.client });
  const approve = (id: string, email: string) =>
    decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id }) }, { email });

  async function startApproval(taskQueue: string, type: string, arg: unknown) {
    const workflowId = `release-${randomUUID()}`;
    services.started.push(workflowId);
    const handle = await services.client.workflow.start(type, { workflowId, taskQueue, args: [arg] });
    return { handle, pending: await waitForPendingApproval(services.db, workflowId) };
  }

  test('approvals started before a release that adds a step behind patched() are decided after it: each completes, no workflow task fails', async () => {
    const { db } = services;
    const taskQueue = uniqueTaskQueue();
    const group = await newGroup(db, 'release');
    const [ana, ben] = [await newReviewer(db, 'ana', { groups: [group] }), await newReviewer(db, 'ben', { groups: [group] })];
    const quorumRequest: ApprovalRequest = {
      version: 2,
      title: `Release quorum ${randomUUID()}`,
      approvers: { groups: [group] },
      quorum: 2,
    };
    const agentCall = { tool: 'send_email', args: { to: 'customer@example.com', subject: 'Your refund', body: 'On its way.' } };

    // 1. Today's code: three approvals wait; the quorum has one of its two approvals.
    const waiting = await withBuild(taskQueue, current, async () => {
      const order = await startPendingOrder(services, taskQueue);
      const quorum = await startApproval(taskQueue, 'approvalWorkflow', quorumRequest);
      const agent = await startApproval(taskQueue, AGENT_TOOL_WORKFLOW_TYPE, agentCall);
      assert.equal((await approve(quorum.pending.id, ana)).status, 'PENDING');
      return { order, quorum, agent };
    });

    // 2–3. The old worker has stopped; the release's worker takes the same task queue.
    const announced: string[] = [];
    const { results, later } = await withBuild(
      taskQueue,
      patchedBundle,
      async () => {
        // 4. Decide what waited across the release, and one approval started after it.
        await approve(waiting.order.pending.id, ana);
        await approve(waiting.quorum.pending.id, ben);
        await approve(waiting.agent.pending.id, ben);
        const later = await startPendingOrder(services, taskQueue);
        await approve(later.pending.id, ben);
        const results = {
          order: (await waiting.order.handle.result()) as OrderResult,
          quorum: (await waiting.quorum.handle.result()) as ApprovalOutcome,
          agent: (await waiting.agent.handle.result()) as AgentToolResult,
          later: (await later.handle.result()) as OrderResult,
        };
        return { results, later };
      },
      announced,
    );

    assert.deepEqual(results.order, { status: 'FULFILLED', decidedBy: ana });
    assert.ok(results.quorum.status === 'APPROVED', JSON.stringify(results.quorum));
    assert.deepEqual(
      results.quorum.approvers?.map((a) => a.reviewer),
      [ana, ben],
    );
    assert.ok(results.agent.status === 'EXECUTED', JSON.stringify(results.agent));
    assert.deepEqual(results.later, { status: 'FULFILLED', decidedBy: ben });

    const handles: WorkflowHandle[] = [waiting.order.handle, waiting.quorum.handle, waiting.agent.handle, later.handle];
    for (const handle of handles) {
      assert.deepEqual(workflowTaskFailures(await handle.fetchHistory()), [], `${handle.workflowId}: no workflow task failed`);
    }
    // The runs that started before the release skipped its step (no patch marker); the one after took it.
    for (const { handle } of Object.values(waiting)) {
      const history = await handle.fetchHistory();
      assert.deepEqual(patchMarkers(history), [], handle.workflowId);
      assert.ok(!scheduledActivities(history).includes(RELEASE_ACTIVITY), handle.workflowId);
    }
    const laterHistory = await later.handle.fetchHistory();
    assert.deepEqual(patchMarkers(laterHistory), [RELEASE_PATCH_ID]);
    assert.deepEqual(scheduledActivities(laterHistory).slice(0, 2), [RELEASE_ACTIVITY, 'requestApproval']);
    assert.deepEqual(announced, [later.handle.workflowId]);
  });

  test('the same change without patched() would break the approvals waiting on today’s code: their histories fail to replay', async () => {
    const taskQueue = uniqueTaskQueue();
    const { handle } = await withBuild(taskQueue, current, () => startPendingOrder(services, taskQueue));
    const history = await handle.fetchHistory();

    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: await unpatched.bundle() }, history, handle.workflowId),
      DeterminismViolationError,
    );
    // The check passes the release that keeps to the rule.
    await Worker.runReplayHistory({ workflowBundle: patchedBundle }, history, handle.workflowId);
  });
});
