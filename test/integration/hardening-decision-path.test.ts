// Who decided, and through which path, cannot be forged from Temporal: a
// decision is DASHBOARD only when Countersign's own transaction wrote it;
// recordApprovalOutcome checks its input against the contract, and never
// overwrites what the dashboard recorded.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Timeline } from '../../components/request/timeline';
import { closedSummary } from '../../lib/approvals/closed-sentences';
import { decideApproval, rejectInputSchema } from '../../lib/approvals/commands/decide';
import { getApproval } from '../../lib/approvals/reads/queries';
import {
  APPROVAL_ACTIVITY_ID,
  APPROVAL_DENIED,
  INVALID_APPROVAL_REQUEST,
  VIA_COUNTERSIGN,
  type ApprovalDeniedDetails,
  type ApprovalOutcome,
  type ApprovalRequest,
  type ApprovalResult,
} from '../../lib/contract/approval';
import { findApproval, newReviewer, startPendingOrder, useServices, waitForPendingApproval, withWorker, type Services } from './helpers';
import type { FailureSeen, misrecordingWorkflow, recordOutcomeWorkflow } from './workflows';

const WORKFLOWS = require.resolve('./workflows');
const OUTSIDE = 'decided outside Countersign, reviewer named by the caller';

/** The request page's summary sentence and timeline, as a reviewer reads them. */
async function requestPage(services: Services, id: string): Promise<{ summary: string; timeline: string }> {
  const approval = await getApproval(services.db, id);
  assert.ok(approval && approval.status !== 'PENDING', 'a closed request');
  const summary = closedSummary({
    status: approval.status,
    decidedBy: approval.decidedBy,
    decidedAt: approval.decidedAt,
    windows: approval.attempt,
    path: approval.decisionPath,
  });
  const timeline = renderToStaticMarkup(createElement(Timeline, { events: approval.events }));
  return { summary, timeline };
}

async function auditTrail(services: Services, id: string) {
  return services.db.auditEvent.findMany({
    where: { approvalRequestId: id },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    select: { action: true, actor: true, path: true },
  });
}

describe('the decision path cannot be forged from Temporal', { timeout: 180_000 }, () => {
  const services = useServices();

  test('an approval sent from outside with via "countersign" is recorded EXTERNAL, and the request page says the caller named the reviewer', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const cfo = `cfo-${randomUUID()}@example.com`;
      const forged: ApprovalResult = { approved: true, reviewer: cfo, via: VIA_COUNTERSIGN };
      await services.client.activity.complete(
        { workflowId: handle.workflowId, runId: pending.runId, activityId: APPROVAL_ACTIVITY_ID },
        forged,
      );
      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: cfo });

      const row = await findApproval(services.db, handle.workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.decidedBy, cfo);
      assert.equal(row?.decisionPath, 'EXTERNAL');
      assert.deepEqual((await auditTrail(services, pending.id)).at(-1), { action: 'APPROVED', actor: cfo, path: 'EXTERNAL' });

      const { summary, timeline } = await requestPage(services, pending.id);
      assert.match(summary, new RegExp(`^Approved by ${cfo} at .* \\(${OUTSIDE}\\)\\.$`));
      assert.ok(!summary.includes('in Countersign'), summary);
      assert.ok(timeline.includes(`Approved by ${cfo} (${OUTSIDE})`), timeline);
    });
  });

  test('a rejection sent from outside with via "countersign" is recorded EXTERNAL too', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const cfo = `cfo-${randomUUID()}@example.com`;
      const details: ApprovalDeniedDetails = { reviewer: cfo, via: VIA_COUNTERSIGN };
      await services.client.activity.fail(
        pending.taskToken,
        ApplicationFailure.create({ type: APPROVAL_DENIED, message: 'Over budget', nonRetryable: true, details: [details] }),
      );
      assert.deepEqual(await handle.result(), { status: 'REJECTED', decidedBy: cfo, reason: 'Over budget' });
      const row = await findApproval(services.db, handle.workflowId);
      assert.equal(row?.decisionPath, 'EXTERNAL');
      assert.match((await requestPage(services, pending.id)).summary, new RegExp(`^Rejected by ${cfo} at .* \\(${OUTSIDE}\\)\\.$`));
    });
  });

  test('recordApprovalOutcome refuses input that breaks the contract: non-retryable InvalidApprovalRequest, and nothing is written', async () => {
    const request: ApprovalRequest = { title: 'Outcome contract' };
    const cases: { name: string; args: [unknown, unknown, unknown]; names: RegExp }[] = [
      { name: 'an unknown status', args: [APPROVAL_ACTIVITY_ID, { status: 'BOGUS' }, request], names: /status/ },
      { name: 'an approval naming no one', args: [APPROVAL_ACTIVITY_ID, { status: 'APPROVED' }, request], names: /decidedBy/ },
      { name: 'no activity id', args: ['', { status: 'EXPIRED' }, request], names: /activityId is required/ },
      {
        name: 'a NUL in the reviewer',
        args: [APPROVAL_ACTIVITY_ID, { status: 'APPROVED', decidedBy: 'cfo\u0000' }, request],
        names: /decidedBy.*U\+0000/,
      },
      { name: 'a request with no title', args: [APPROVAL_ACTIVITY_ID, { status: 'EXPIRED' }, { summary: 'no title' }], names: /title/ },
    ];
    await withWorker(
      services,
      async (taskQueue) => {
        for (const { name, args, names } of cases) {
          const workflowId = `record-outcome-${randomUUID()}`;
          services.started.push(workflowId);
          const result = await services.client.workflow.execute<typeof recordOutcomeWorkflow>('recordOutcomeWorkflow', {
            workflowId,
            taskQueue,
            args,
          });
          assert.ok(typeof result === 'object', `${name}: refused, not ${String(result)}`);
          const failure: FailureSeen = result;
          assert.equal(failure.type, INVALID_APPROVAL_REQUEST, `${name}: ${failure.message}`);
          assert.equal(failure.nonRetryable, true, name);
          assert.match(failure.message, names, name);
          assert.equal(await services.db.approvalRequest.count({ where: { workflowId } }), 0, `${name}: no row`);
        }
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test('a new run of the same workflow id cannot take over a request the dashboard decided', async () => {
    const { db, client } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const reviewer = await newReviewer(db, 'reviewer');
      await decideApproval(
        { db, temporal: client },
        { decision: 'REJECTED', ...rejectInputSchema.parse({ id: pending.id, reason: 'Not this quarter' }) },
        { email: reviewer },
      );
      assert.equal((await handle.result()).status, 'REJECTED');
      const before = await findApproval(db, handle.workflowId);
      const trail = await auditTrail(services, pending.id);

      // The workflow id is free again: any caller may start a run of its own there.
      await withWorker(
        services,
        async (otherQueue) => {
          const forged: ApprovalOutcome = { status: 'APPROVED', decidedBy: `cfo-${randomUUID()}@example.com` };
          const recorded = await client.workflow.execute<typeof recordOutcomeWorkflow>('recordOutcomeWorkflow', {
            workflowId: handle.workflowId,
            taskQueue: otherQueue,
            args: [APPROVAL_ACTIVITY_ID, forged, { title: 'Take-over' }],
          });
          assert.equal(recorded, false);
        },
        { workflowsPath: WORKFLOWS },
      );

      const after = await findApproval(db, handle.workflowId);
      assert.deepEqual(after, before, 'the row is as the dashboard left it');
      assert.equal(after?.status, 'REJECTED');
      assert.equal(after?.decisionPath, 'DASHBOARD');
      assert.deepEqual(await auditTrail(services, pending.id), trail);
    });
  });

  test('the same run cannot change a dashboard decision into another one (only the withdrawn case, CANCELLED, corrects it)', async () => {
    const { db, client } = services;
    await withWorker(
      services,
      async (taskQueue) => {
        const workflowId = `misrecording-${randomUUID()}`;
        services.started.push(workflowId);
        const request: ApprovalRequest = { title: `Misrecorded ${workflowId}`, amount: 10, currency: 'EUR' };
        const claimed: ApprovalOutcome = { status: 'APPROVED', decidedBy: `cfo-${randomUUID()}@example.com` };
        const handle = await client.workflow.start<typeof misrecordingWorkflow>('misrecordingWorkflow', {
          workflowId,
          taskQueue,
          args: [request, claimed],
        });
        const pending = await waitForPendingApproval(db, workflowId);
        const reviewer = await newReviewer(db, 'reviewer');
        await decideApproval(
          { db, temporal: client },
          { decision: 'REJECTED', ...rejectInputSchema.parse({ id: pending.id, reason: 'No' }) },
          { email: reviewer },
        );
        assert.equal(await handle.result(), false, 'the claimed outcome changed nothing');
        const row = await findApproval(db, workflowId);
        assert.equal(row?.status, 'REJECTED');
        assert.equal(row?.decidedBy, reviewer);
        assert.equal(row?.decisionPath, 'DASHBOARD');
        assert.deepEqual(
          (await auditTrail(services, pending.id)).map((e) => e.action),
          ['REQUESTED', 'REJECTED'],
        );
      },
      { workflowsPath: WORKFLOWS },
    );
  });
});
