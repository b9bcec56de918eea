// The reconciler: makes the database say what Temporal says. It covers what no
// single process can: a worker killed before it wrote the row, a workflow
// terminated while it waited, a decision the workflow never recorded.
//
// Each sweep (the worker runs one every RECONCILE_INTERVAL) asks Temporal for
// the running workflows on the task queue, then reads Temporal's truth for:
//  - pending rows whose run is not running any more (ended, terminated...);
//  - pending rows past their deadline (re-issued, or expired);
//  - running workflows with no pending row: an approval activity that started
//    more than RECONCILE_GRACE ago with no row gets one, written from history;
//  - a rotating batch of the other pending rows (decided where no one told us).
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { ActivityNotFoundError } from '@temporalio/client';
import { APPROVAL_ACTIVITY_TYPE, approvalRequestSchema } from '../../contract/approval';
import type { Db } from '../../db';
import { COMPLETION_DEADLINE_MS } from './activity-call';
import { notPending, paused, reissued, type ApprovalError } from '../errors';
import { recordApprovalOutcome, type ApprovalKey } from '../records/outcome';
import { recordApprovalRequest } from '../records/request';
import { readApprovalTruth, TRUTH_DEADLINE_MS, type ApprovalTruth } from './truth';

/** Listing the running workflows, all pages, answers within this. */
const LIST_DEADLINE_MS = 30_000;
/** A suspect Temporal says is still waiting is not read again for this long. */
const RECHECK_AFTER_MS = 120_000;

/** How long an attempt may run without a row before the row counts as lost. */
export const DEFAULT_RECONCILE_GRACE_MS = 30_000;

export interface ReconcileDeps {
  db: Db;
  temporal: Client;
  /** How long an attempt may run before a missing row counts as lost. */
  graceMs?: number;
}

export interface SweepOptions {
  /** The approval activity's task queue: workflows running there are swept. */
  taskQueue: string;
  /** Pending rows of running workflows checked per sweep, in turn. */
  batch?: number;
}

export interface ReconcileReport {
  checked: number;
  /** Rows written from history, because the activity's own write was lost. */
  filled: number;
  /** Pending rows closed: decided elsewhere, expired, cancelled or terminated. */
  closed: number;
  /** Requests Temporal could not be asked about this time. */
  failed: number;
}

type Change = 'filled' | 'closed' | 'none';

/** Reports a cancelled attempt as cancelled, so a workflow waiting for that hears it. */
async function acknowledgeCancellation(temporal: Client, key: ApprovalKey): Promise<void> {
  try {
    await temporal.connection.withDeadline(Date.now() + COMPLETION_DEADLINE_MS, () => temporal.activity.reportCancellation(key));
  } catch (error) {
    if (!(error instanceof ActivityNotFoundError)) throw error;
  }
}

async function applyTruth(deps: ReconcileDeps, key: ApprovalKey, truth: ApprovalTruth, now: Date): Promise<Change> {
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
  const recorded = await recordApprovalRequest(
    db,
    {
      ...key,
      attempt: truth.attempt,
      taskToken: null,
      requestedAt: truth.requestedAt,
      deadline: truth.deadline ?? now,
    },
    request.data,
    truth.request,
    'reconciler',
  );
  return recorded.outcome === 'STALE' ? 'none' : 'filled';
}

/** Brings one request's row in line with Temporal, and returns what Temporal said. */
export async function reconcileApproval(deps: ReconcileDeps, key: ApprovalKey, now = new Date()): Promise<ApprovalTruth> {
  const truth = await readApprovalTruth(deps.temporal, key);
  await applyTruth(deps, key, truth, now);
  return truth;
}

/**
 * Why a call to the activity found nothing waiting: reconciles the row first,
 * so the inbox and the message agree. For a reviewer, never a raw gRPC error.
 */
export async function explainGoneActivity(deps: ReconcileDeps, key: ApprovalKey): Promise<ApprovalError> {
  return explainTruth(await reconcileApproval(deps, key));
}

/** Temporal's truth, for a caller who found the activity gone (NotFound): decided, re-issued, expired or ended. */
export function explainTruth(truth: ApprovalTruth): ApprovalError {
  if (truth.state === 'CLOSED') {
    const { outcome, at } = truth;
    const by =
      outcome.status === 'APPROVED' || outcome.status === 'REJECTED'
        ? outcome.decidedBy
        : outcome.status === 'EXPIRED'
          ? null
          : (outcome.by ?? null);
    return notPending(outcome.status, by, at);
  }
  if (truth.state === 'PENDING' && truth.activityState === 'PAUSED') {
    return paused();
  }
  if (truth.state === 'PENDING') return reissued(truth.attempt);
  return notPending('CANCELLED', null, null);
}

/** Running workflows on the task queue, with when they started. */
async function runningWorkflows(temporal: Client, taskQueue: string): Promise<Map<string, { runId: string; startTime: Date }>> {
  const running = new Map<string, { runId: string; startTime: Date }>();
  const query = `TaskQueue = ${JSON.stringify(taskQueue)} AND ExecutionStatus = "Running"`;
  await temporal.connection.withDeadline(Date.now() + LIST_DEADLINE_MS, async () => {
    for await (const workflow of temporal.workflow.list({ query }))
      running.set(workflow.workflowId, { runId: workflow.runId, startTime: workflow.startTime });
  });
  return running;
}

/** Approval activities pending in a running workflow that has no pending row, with the description read to find them. */
async function pendingApprovalKeys(
  temporal: Client,
  workflowId: string,
  runId: string,
): Promise<{ keys: ApprovalKey[]; description: WorkflowExecutionDescription }> {
  const description = await temporal.connection.withDeadline(Date.now() + TRUTH_DEADLINE_MS, () =>
    temporal.workflow.getHandle(workflowId, runId).describe(),
  );
  const keys = (description.raw.pendingActivities ?? [])
    .filter((a) => a.activityType?.name === APPROVAL_ACTIVITY_TYPE && a.activityId)
    .map((a) => ({ workflowId, runId, activityId: a.activityId as string }));
  return { keys, description };
}

export interface Sweeper {
  /** One pass; returns what it changed. Safe to run from several workers at once. */
  sweep(now?: Date): Promise<ReconcileReport>;
}

export function createSweeper(deps: ReconcileDeps, { taskQueue, batch = 25 }: SweepOptions): Sweeper {
  const NIL = '00000000-0000-0000-0000-000000000000';
  // Each worker starts its round of pending rows somewhere else, so several sweep different rows.
  let cursor: string = randomUUID();
  const notBefore = new Map<string, number>();
  const keyString = (key: ApprovalKey) => `${key.workflowId}\u0000${key.runId}\u0000${key.activityId}`;
  return {
    async sweep(now = new Date()) {
      const { db, temporal } = deps;
      const graceMs = deps.graceMs ?? DEFAULT_RECONCILE_GRACE_MS;
      const running = await runningWorkflows(temporal, taskQueue);
      const ids = [...running.keys()];
      const runs = [...running.values()].map((w) => w.runId);
      // Only workflows that had time to write their row.
      const settled = [...running].filter(([, w]) => now.getTime() - w.startTime.getTime() >= graceMs);
      const graceCutoff = new Date(now.getTime() - graceMs);

      // Pending rows whose run is not running, or whose deadline has passed.
      const suspects = await db.$queryRaw<{ workflow_id: string; run_id: string; activity_id: string }[]>`
        SELECT workflow_id, run_id, activity_id FROM approval_requests r
        WHERE status = 'PENDING' AND (
          deadline < ${graceCutoff}
          OR NOT EXISTS (SELECT 1 FROM unnest(${ids}::text[], ${runs}::text[]) AS w(id, run) WHERE w.id = r.workflow_id AND w.run = r.run_id)
        )`;
      // A rotating batch of the rest, so a decision no one recorded is found in time.
      const batchRows = await db.$queryRaw<{ id: string; workflow_id: string; run_id: string; activity_id: string }[]>`
        SELECT id, workflow_id, run_id, activity_id FROM approval_requests
        WHERE status = 'PENDING' AND id > ${cursor}::uuid ORDER BY id LIMIT ${batch}`;
      cursor = batchRows.length < batch ? NIL : (batchRows.at(-1)?.id ?? NIL);
      // Running workflows without a pending row: maybe an approval whose row was lost.
      const unrecorded = await db.$queryRaw<{ id: string; run: string }[]>`
        SELECT w.id, w.run FROM unnest(${settled.map(([id]) => id)}::text[], ${settled.map(([, w]) => w.runId)}::text[]) AS w(id, run)
        WHERE NOT EXISTS (SELECT 1 FROM approval_requests r WHERE r.workflow_id = w.id AND r.run_id = w.run AND r.status = 'PENDING')`;

      const keys = new Map<string, ApprovalKey>();
      const add = (key: ApprovalKey) => {
        if ((notBefore.get(keyString(key)) ?? 0) <= now.getTime()) keys.set(keyString(key), key);
      };
      for (const row of [...suspects, ...batchRows]) add({ workflowId: row.workflow_id, runId: row.run_id, activityId: row.activity_id });
      // Those runs were just described: their truth reads reuse it.
      const described = new Map<string, WorkflowExecutionDescription>();
      for (const { id, run } of unrecorded) {
        const found = await pendingApprovalKeys(temporal, id, run).catch(() => undefined);
        if (!found) continue;
        for (const key of found.keys) add(key);
        described.set(`${id}\u0000${run}`, found.description);
      }

      const report: ReconcileReport = { checked: keys.size, filled: 0, closed: 0, failed: 0 };
      for (const [name, key] of keys) {
        try {
          const truth = await readApprovalTruth(temporal, key, described.get(`${key.workflowId}\u0000${key.runId}`));
          const change = await applyTruth(deps, key, truth, now);
          if (change !== 'none') report[change] += 1;
          // Still waiting (or not an approval Temporal knows as such), nothing to fix: leave it be for a while.
          if (change === 'none' && truth.state !== 'CLOSED') notBefore.set(name, now.getTime() + RECHECK_AFTER_MS);
          else notBefore.delete(name);
        } catch (error) {
          // One unreadable workflow must not hold up the rest; the next sweep tries again.
          report.failed += 1;
          console.error(`[reconciler] ${key.workflowId}/${key.activityId}:`, error instanceof Error ? error.message : error);
        }
      }
      return report;
    },
  };
}
