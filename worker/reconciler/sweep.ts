// The reconciler's sweep: makes the database say what Temporal says. It covers
// what no single process can: a worker killed before it wrote the row, a
// workflow terminated while it waited, a decision the workflow never recorded.
//
// Each sweep (./loop.ts runs one every RECONCILE_INTERVAL) asks Temporal for
// the running workflows on the task queue, then reads Temporal's truth for:
//  - pending rows whose run is not running any more (ended, terminated...);
//  - pending rows past their deadline (re-issued, or expired);
//  - running workflows with no pending row: an approval activity that started
//    more than RECONCILE_GRACE ago with no row gets one, written from history;
//  - a rotating batch of the other pending rows (decided where no one told us).
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { APPROVAL_ACTIVITY_TYPE, type ApprovalKey } from '../../lib/contract/approval';
import { applyApprovalTruth, DEFAULT_RECONCILE_GRACE_MS, type ReconcileDeps } from '../../lib/approvals/temporal/reconcile';
import { readApprovalTruth, TRUTH_DEADLINE_MS } from '../../lib/approvals/temporal/truth';

/** Listing the running workflows, all pages, answers within this. */
const LIST_DEADLINE_MS = 30_000;
/** A suspect Temporal says is still waiting is not read again for this long. */
const RECHECK_AFTER_MS = 120_000;
/**
 * A request that could not be brought in line (Temporal unreadable, or a row
 * the database refuses) is tried again after this, doubling with each failure
 * up to FAILED_RETRY_MAX_MS: never every sweep.
 */
const FAILED_RETRY_MS = 30_000;
const FAILED_RETRY_MAX_MS = 30 * 60_000;

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
  /** Read as still waiting while their run was running: that run ending (terminated, say) is news, read at once. */
  const waitedWhileRunning = new Set<string>();
  /** Failures in a row, per request: the backoff after the next one doubles. */
  const failures = new Map<string, number>();
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
      const isRunning = (key: ApprovalKey) => running.get(key.workflowId)?.runId === key.runId;
      const add = (key: ApprovalKey) => {
        const name = keyString(key);
        const ended = waitedWhileRunning.has(name) && !isRunning(key);
        if (ended || (notBefore.get(name) ?? 0) <= now.getTime()) keys.set(name, key);
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
          const change = await applyApprovalTruth(deps, key, truth, now);
          if (change !== 'none') report[change] += 1;
          // Still waiting (or not an approval Temporal knows as such), nothing to fix: leave it be for a while.
          if (change === 'none' && truth.state !== 'CLOSED') notBefore.set(name, now.getTime() + RECHECK_AFTER_MS);
          else notBefore.delete(name);
          // A row whose run is not on this queue's running list (a workflow on another queue) keeps its pause.
          if (change === 'none' && truth.state !== 'CLOSED' && isRunning(key)) waitedWhileRunning.add(name);
          else waitedWhileRunning.delete(name);
          failures.delete(name);
        } catch (error) {
          // One unreadable workflow must not hold up the rest, nor be retried every sweep.
          report.failed += 1;
          waitedWhileRunning.delete(name);
          const failed = (failures.get(name) ?? 0) + 1;
          failures.set(name, failed);
          const backoffMs = Math.min(FAILED_RETRY_MS * 2 ** (failed - 1), FAILED_RETRY_MAX_MS);
          notBefore.set(name, now.getTime() + backoffMs);
          console.error(
            `[reconciler] ${key.workflowId}/${key.activityId} (failure ${failed}, next try in ${backoffMs / 1000}s):`,
            error instanceof Error ? error.message : error,
          );
        }
      }
      return report;
    },
  };
}
