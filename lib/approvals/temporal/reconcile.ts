// Brings one approval's row in line with Temporal: reads Temporal's truth
// (./truth.ts) and writes it through the records (../records). Used by the
// commands, when Temporal says an activity is gone, and by the worker's sweep.
import { ActivityNotFoundError, type Client } from '@temporalio/client';
import { approvalRequestSchema, type ApprovalKey } from '../../contract/approval';
import type { ApprovalDeps } from '../deps';
import { recordApprovalOutcome } from '../records/outcome';
import { recordApprovalRequest, type RecordedApprovalRequest } from '../records/request';
import { InvalidRoutingError } from '../policy/routing';
import { COMPLETION_DEADLINE_MS } from './activity-call';
import { countTemporalError } from '../../metrics/registry';
import { readApprovalTruth, type ApprovalTruth } from './truth';

/** How long an attempt may run without a row before the row counts as lost. */
export const DEFAULT_RECONCILE_GRACE_MS = 30_000;

export interface ReconcileDeps extends ApprovalDeps {
  /** How long an attempt may run before a missing row counts as lost. */
  graceMs?: number;
}

/** What bringing a row in line did: wrote it from history, closed it, or nothing. */
export type ReconcileChange = 'filled' | 'closed' | 'none';

/** Reports a cancelled attempt as cancelled, so a workflow waiting for that hears it. */
async function acknowledgeCancellation(temporal: Client, key: ApprovalKey): Promise<void> {
  try {
    await temporal.connection.withDeadline(Date.now() + COMPLETION_DEADLINE_MS, () => temporal.activity.reportCancellation(key));
  } catch (error) {
    if (error instanceof ActivityNotFoundError) return;
    countTemporalError('report_cancellation', error);
    throw error;
  }
}

/** Writes what Temporal said about one approval into its row (never the other way round). */
export async function applyApprovalTruth(deps: ReconcileDeps, key: ApprovalKey, truth: ApprovalTruth, now: Date): Promise<ReconcileChange> {
  const { db } = deps;
  if (truth.state === 'CLOSED') {
    return (await recordApprovalOutcome(db, key, truth.outcome, null, { recordedBy: 'reconciler', at: truth.at })) ? 'closed' : 'none';
  }
  if (truth.state !== 'PENDING') return 'none';
  if (truth.activityState === 'CANCEL_REQUESTED') {
    // The workflow withdrew the request but still runs: nobody may decide it now.
    const closed = await recordApprovalOutcome(db, key, { status: 'CANCELLED', reason: 'The workflow cancelled the approval' }, null, {
      recordedBy: 'reconciler',
    });
    await acknowledgeCancellation(deps.temporal, key);
    return closed ? 'closed' : 'none';
  }
  if (
    truth.activityState !== 'STARTED' ||
    !truth.startedAt ||
    now.getTime() - truth.startedAt.getTime() < (deps.graceMs ?? DEFAULT_RECONCILE_GRACE_MS)
  )
    return 'none';
  const row = await db.approvalRequest.findUnique({
    where: { workflowId_activityId: { workflowId: key.workflowId, activityId: key.activityId } },
    select: { runId: true, attempt: true },
  });
  if (row && row.runId === key.runId && row.attempt >= truth.attempt) return 'none';
  const request = approvalRequestSchema.safeParse(truth.request);
  if (!request.success) return 'none'; // the activity fails such a request itself
  let recorded: RecordedApprovalRequest;
  try {
    recorded = await recordApprovalRequest(
      db,
      {
        ...key,
        attempt: truth.attempt,
        taskToken: null,
        requestedAt: truth.requestedAt,
        deadline: truth.deadline ?? now,
        workflowType: truth.workflowType,
      },
      request.data,
      'reconciler',
    );
  } catch (error) {
    if (error instanceof InvalidRoutingError) return 'none'; // the activity fails such a request itself
    throw error;
  }
  return recorded.outcome === 'STALE' ? 'none' : 'filled';
}

/** Brings one request's row in line with Temporal, and returns what Temporal said. */
export async function reconcileApproval(deps: ReconcileDeps, key: ApprovalKey, now = new Date()): Promise<ApprovalTruth> {
  const truth = await readApprovalTruth(deps.temporal, key);
  await applyApprovalTruth(deps, key, truth, now);
  return truth;
}
