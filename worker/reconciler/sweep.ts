// The reconciler's sweep: makes the database say what Temporal says. It covers
// what no single process can: a worker killed before it wrote the row, a
// workflow terminated while it waited, a decision the workflow never recorded.
//
// Each sweep (./loop.ts runs one every RECONCILE_INTERVAL) asks Temporal's
// visibility two questions: which workflows run on the task queue, and which
// runs (on any queue) closed since the last sweep. It then reads Temporal's
// truth (describe + history) for:
//  - pending rows whose run closed: listed as closed since the last sweep
//    (the first sweep looks back to the oldest pending request, a few pages a
//    sweep), or running on the task queue last sweep and not now;
//  - pending rows past their deadline (re-issued, or expired);
//  - running workflows with no pending row: an approval activity that started
//    more than RECONCILE_GRACE ago with no row gets one, written from history;
//  - a rotating batch of the other pending rows (decided where no one told us,
//    in a workflow that keeps running): a describe each, and the history only
//    when the attempt is no longer the one waiting.
// No pending row costs a call just for being pending: the calls per sweep are
// the list pages (running workflows on the queue / 1,000, runs closed since
// the last sweep / 1,000) plus at most MAX_READS requests read.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import { APPROVAL_ACTIVITY_TYPE, type ApprovalKey } from '../../lib/contract/approval';
import { applyApprovalTruth, DEFAULT_RECONCILE_GRACE_MS, type ReconcileDeps } from '../../lib/approvals/temporal/reconcile';
import { noCalls, readApprovalTruth, TRUTH_DEADLINE_MS, type ApprovalTruth, type TemporalCalls } from '../../lib/approvals/temporal/truth';

/** Each page of a visibility list answers within this. */
const LIST_DEADLINE_MS = 30_000;
/** Workflows per visibility page (the server's own maximum is larger). */
const LIST_PAGE_SIZE = 1_000;
/**
 * The closed-since list reaches back this far before the last one was asked:
 * visibility is written a moment after a run closes, and the server's clock
 * is not ours. A run listed twice is read once (its row is no longer pending).
 */
const CLOSED_MARGIN_MS = 60_000;
/** Pages of the first sweep's look-back read per sweep, so a long history cannot hold a sweep up. */
const CATCH_UP_PAGES = 10;
/** Requests read from Temporal per sweep at most; more wait for the next sweep, runs that closed first. */
export const MAX_READS = 200;
/** A request Temporal says is still waiting is not read again for this long (unless its run closes). */
const RECHECK_AFTER_MS = 120_000;
/**
 * A request that could not be brought in line (Temporal unreadable, or a row
 * the database refuses) is tried again after this, doubling with each failure
 * up to FAILED_RETRY_MAX_MS: never every sweep.
 */
const FAILED_RETRY_MS = 30_000;
const FAILED_RETRY_MAX_MS = 30 * 60_000;

const { WorkflowExecutionStatus, PendingActivityState } = proto.api.enums.v1;

export interface SweepOptions {
  /** The approval activity's task queue: workflows running there are swept. */
  taskQueue: string;
  /** Pending rows read per sweep in turn, to find decisions no one recorded in runs that keep running. */
  batch?: number;
}

export interface ReconcileReport {
  /** Requests read from Temporal. */
  checked: number;
  /** Rows written from history, because the activity's own write was lost. */
  filled: number;
  /** Pending rows closed: decided elsewhere, expired, cancelled or terminated. */
  closed: number;
  /** Requests Temporal could not be asked about this time. */
  failed: number;
  /** The Temporal calls the sweep made. */
  calls: TemporalCalls;
}

interface ListedRun {
  workflowId: string;
  runId: string;
  startTime: Date | undefined;
}

/** A run's key in the sweeper's sets. */
const runName = (workflowId: string, runId: string) => `${workflowId}\u0000${runId}`;
const keyString = (key: ApprovalKey) => `${key.workflowId}\u0000${key.runId}\u0000${key.activityId}`;
/** A timestamp as a visibility query takes it. */
const visibilityTime = (at: Date) => JSON.stringify(at.toISOString());

/** One page of a visibility list. */
async function listPage(
  temporal: Client,
  query: string,
  nextPageToken: Uint8Array | undefined,
  calls: TemporalCalls,
): Promise<{ runs: ListedRun[]; next: Uint8Array | undefined }> {
  calls.lists += 1;
  const page = await temporal.connection.withDeadline(Date.now() + LIST_DEADLINE_MS, () =>
    temporal.workflowService.listWorkflowExecutions({
      namespace: temporal.options.namespace,
      query,
      pageSize: LIST_PAGE_SIZE,
      nextPageToken,
    }),
  );
  const runs = (page.executions ?? []).flatMap(({ execution, startTime }) =>
    execution?.workflowId && execution.runId
      ? [{ workflowId: execution.workflowId, runId: execution.runId, startTime: optionalTsToDate(startTime) }]
      : [],
  );
  return { runs, next: page.nextPageToken?.length ? page.nextPageToken : undefined };
}

/** Every page of a visibility list. */
async function listAll(temporal: Client, query: string, calls: TemporalCalls): Promise<ListedRun[]> {
  const runs: ListedRun[] = [];
  let token: Uint8Array | undefined;
  do {
    const page = await listPage(temporal, query, token, calls);
    runs.push(...page.runs);
    token = page.next;
  } while (token);
  return runs;
}

/** Approval activities pending in a running workflow that has no pending row, with the description read to find them. */
async function pendingApprovalKeys(
  temporal: Client,
  workflowId: string,
  runId: string,
  calls: TemporalCalls,
): Promise<{ keys: ApprovalKey[]; description: WorkflowExecutionDescription }> {
  calls.describes += 1;
  const description = await temporal.connection.withDeadline(Date.now() + TRUTH_DEADLINE_MS, () =>
    temporal.workflow.getHandle(workflowId, runId).describe(),
  );
  const keys = (description.raw.pendingActivities ?? [])
    .filter((a) => a.activityType?.name === APPROVAL_ACTIVITY_TYPE && a.activityId)
    .map((a) => ({ workflowId, runId, activityId: a.activityId as string }));
  return { keys, description };
}

/** Is this description the row's own attempt, running and waiting? Then there is nothing to read in the history. */
function stillWaiting(description: WorkflowExecutionDescription, activityId: string, attempt: number): boolean {
  if (description.raw.workflowExecutionInfo?.status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return false;
  const pending = description.raw.pendingActivities?.find((a) => a.activityId === activityId);
  return pending?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED && (pending.attempt ?? 1) === attempt;
}

type Row = { workflow_id: string; run_id: string; activity_id: string };
const keyOf = (row: Row): ApprovalKey => ({ workflowId: row.workflow_id, runId: row.run_id, activityId: row.activity_id });

export interface Sweeper {
  /** One pass; returns what it changed. Safe to run from several workers at once. */
  sweep(now?: Date): Promise<ReconcileReport>;
}

export function createSweeper(deps: ReconcileDeps, { taskQueue, batch = 50 }: SweepOptions): Sweeper {
  const temporal = () => deps.temporal;
  const NIL = '00000000-0000-0000-0000-000000000000';
  // Each worker starts its round of pending rows somewhere else, so several sweep different rows.
  let cursor: string = randomUUID();
  /** Read as still waiting: not read again before this (unless the run closed). */
  const waitUntil = new Map<string, number>();
  /** Failed: not tried again before this, whatever the reason to. */
  const failedUntil = new Map<string, number>();
  /** Failures in a row, per request: the backoff after the next one doubles. */
  const failures = new Map<string, number>();
  /** Pending rows of runs found closed, still to read (more than one sweep's reads, or a read that failed). */
  const ofClosedRuns = new Map<string, ApprovalKey>();
  /** The runs on the task queue at the last sweep: one missing now has ended. */
  let runningBefore = new Set<string>();
  /** When the last closed-since list was asked: the next asks from there (less the margin). */
  let closedSince: Date | undefined;
  /** The first sweep's look-back: runs closed since the oldest pending request, read a few pages a sweep. */
  let catchUp: { query: string; token: Uint8Array | undefined } | 'done' | undefined;

  /** Pending rows of these runs. */
  async function pendingRowsOf(runs: { workflowId: string; runId: string }[]): Promise<Row[]> {
    if (!runs.length) return [];
    return deps.db.$queryRaw<Row[]>`
      SELECT r.workflow_id, r.run_id, r.activity_id
      FROM unnest(${runs.map((r) => r.workflowId)}::text[], ${runs.map((r) => r.runId)}::text[]) AS c(id, run)
      JOIN approval_requests r ON r.workflow_id = c.id AND r.run_id = c.run
      WHERE r.status = 'PENDING'`;
  }

  /**
   * Runs closed since the last sweep, and (a few pages a sweep) since the oldest pending request.
   * `commit` moves the lists on: called once their rows are safe in `ofClosedRuns`.
   */
  async function closedRuns(calls: TemporalCalls): Promise<{ runs: ListedRun[]; commit: () => void }> {
    const asked = new Date();
    let lookBack = catchUp;
    if (lookBack === undefined) {
      const [oldest] = await deps.db.$queryRaw<{ at: Date | null }[]>`
        SELECT min(requested_at) AS at FROM approval_requests WHERE status = 'PENDING'`;
      // A run closes after it asked for approval: nothing that closed before the oldest pending request matters.
      lookBack = oldest?.at
        ? {
            query: `ExecutionStatus != "Running" AND CloseTime >= ${visibilityTime(new Date(oldest.at.getTime() - CLOSED_MARGIN_MS))}`,
            token: undefined,
          }
        : 'done';
    }
    const since = new Date((closedSince ?? asked).getTime() - CLOSED_MARGIN_MS);
    const runs = await listAll(temporal(), `ExecutionStatus != "Running" AND CloseTime >= ${visibilityTime(since)}`, calls);
    for (let pages = 0; lookBack !== 'done' && pages < CATCH_UP_PAGES; pages++) {
      const page = await listPage(temporal(), lookBack.query, lookBack.token, calls);
      runs.push(...page.runs);
      lookBack = page.next ? { ...lookBack, token: page.next } : 'done';
    }
    return {
      runs,
      commit() {
        closedSince = asked;
        catchUp = lookBack;
      },
    };
  }

  return {
    async sweep(now = new Date()) {
      const { db } = deps;
      const graceMs = deps.graceMs ?? DEFAULT_RECONCILE_GRACE_MS;
      const calls = noCalls();
      const report: ReconcileReport = { checked: 0, filled: 0, closed: 0, failed: 0, calls };

      const running = await listAll(temporal(), `TaskQueue = ${JSON.stringify(taskQueue)} AND ExecutionStatus = "Running"`, calls);
      const runningNow = new Set(running.map((w) => runName(w.workflowId, w.runId)));
      const ended = [...runningBefore]
        .filter((name) => !runningNow.has(name))
        .map((name) => {
          const [workflowId = '', runId = ''] = name.split('\u0000');
          return { workflowId, runId };
        });
      const closed = await closedRuns(calls);
      for (const row of await pendingRowsOf([...closed.runs, ...ended])) ofClosedRuns.set(keyString(keyOf(row)), keyOf(row));
      closed.commit();
      runningBefore = runningNow;
      for (const [name, until] of waitUntil) if (until <= now.getTime()) waitUntil.delete(name);

      const graceCutoff = new Date(now.getTime() - graceMs);
      const due = (name: string, closedRun = false) =>
        (failedUntil.get(name) ?? 0) <= now.getTime() && (closedRun || (waitUntil.get(name) ?? 0) <= now.getTime());

      /** Reads one request's truth and writes it; a failure is counted and backed off, never thrown. */
      async function bringInLine(key: ApprovalKey, read: () => Promise<ApprovalTruth>): Promise<void> {
        const name = keyString(key);
        report.checked += 1;
        try {
          const truth = await read();
          const change = await applyApprovalTruth(deps, key, truth, now);
          if (change !== 'none') report[change] += 1;
          // Still waiting (or not an approval Temporal knows as such), nothing to fix: leave it be for a while.
          if (change === 'none' && truth.state !== 'CLOSED') waitUntil.set(name, now.getTime() + RECHECK_AFTER_MS);
          else waitUntil.delete(name);
          ofClosedRuns.delete(name);
          failures.delete(name);
          failedUntil.delete(name);
        } catch (error) {
          // One unreadable workflow must not hold up the rest, nor be retried every sweep.
          report.failed += 1;
          const failed = (failures.get(name) ?? 0) + 1;
          failures.set(name, failed);
          const backoffMs = Math.min(FAILED_RETRY_MS * 2 ** (failed - 1), FAILED_RETRY_MAX_MS);
          failedUntil.set(name, now.getTime() + backoffMs);
          console.error(
            `[reconciler] ${key.workflowId}/${key.activityId} (failure ${failed}, next try in ${backoffMs / 1000}s):`,
            error instanceof Error ? error.message : error,
          );
        }
      }
      const read = (key: ApprovalKey, described?: WorkflowExecutionDescription) => () =>
        readApprovalTruth(temporal(), key, described, calls);
      /** Runs described to find approvals without a row. */
      let described = 0;
      const budgetLeft = () => MAX_READS - report.checked - described;
      const seen = new Set<string>();

      // Runs that closed: a closure is news, read at once (a failed read waits its backoff).
      for (const [name, key] of ofClosedRuns) {
        if (budgetLeft() <= 0) break;
        seen.add(name);
        if (due(name, true)) await bringInLine(key, read(key));
      }

      // Pending rows past their deadline: re-issued (the new attempt's row is late), or expired.
      const overdue = await db.$queryRaw<Row[]>`
        SELECT workflow_id, run_id, activity_id FROM approval_requests
        WHERE status = 'PENDING' AND deadline < ${graceCutoff} ORDER BY deadline LIMIT ${MAX_READS * 5}`;
      for (const row of overdue) {
        const name = keyString(keyOf(row));
        if (budgetLeft() <= 0) break;
        if (seen.has(name) || !due(name)) continue;
        seen.add(name);
        await bringInLine(keyOf(row), read(keyOf(row)));
      }

      // Running workflows without a pending row (only those that had time to write it): maybe an approval whose row was lost.
      const settled = running.filter((w) => w.startTime && now.getTime() - w.startTime.getTime() >= graceMs);
      const unrecorded = settled.length
        ? await db.$queryRaw<{ id: string; run: string }[]>`
          SELECT w.id, w.run FROM unnest(${settled.map((w) => w.workflowId)}::text[], ${settled.map((w) => w.runId)}::text[]) AS w(id, run)
          WHERE NOT EXISTS (SELECT 1 FROM approval_requests r WHERE r.workflow_id = w.id AND r.run_id = w.run AND r.status = 'PENDING')`
        : [];
      for (const { id, run } of unrecorded) {
        const name = runName(id, run);
        if (budgetLeft() <= 0) break;
        if (!due(name)) continue;
        described += 1;
        const found = await pendingApprovalKeys(temporal(), id, run, calls).catch(() => undefined);
        if (!found) continue;
        // A run asking for no approval (not yet, or never): not described again for a while.
        if (!found.keys.length) waitUntil.set(name, now.getTime() + RECHECK_AFTER_MS);
        for (const key of found.keys) {
          const keyName = keyString(key);
          if (seen.has(keyName) || !due(keyName)) continue;
          seen.add(keyName);
          // The run was just described: the read reuses it.
          await bringInLine(key, read(key, found.description));
        }
      }

      // A rotating batch of the rest, so a decision no one recorded, in a run that keeps running, is found in time.
      const take = Math.max(0, Math.min(batch, budgetLeft()));
      const batchRows = take
        ? await db.$queryRaw<(Row & { id: string; attempt: number })[]>`
          SELECT id, workflow_id, run_id, activity_id, attempt FROM approval_requests
          WHERE status = 'PENDING' AND id > ${cursor}::uuid ORDER BY id LIMIT ${take}`
        : [];
      if (take) cursor = batchRows.length < take ? NIL : (batchRows.at(-1)?.id ?? NIL);
      for (const row of batchRows) {
        const key = keyOf(row);
        const name = keyString(key);
        if (seen.has(name) || !due(name)) continue;
        seen.add(name);
        await bringInLine(key, async () => {
          calls.describes += 1;
          let description: WorkflowExecutionDescription;
          try {
            description = await temporal().connection.withDeadline(Date.now() + TRUTH_DEADLINE_MS, () =>
              temporal().workflow.getHandle(key.workflowId, key.runId).describe(),
            );
          } catch (error) {
            // Gone from Temporal: the full read says what that means for the row.
            if (error instanceof WorkflowNotFoundError) return read(key)();
            throw error;
          }
          // The row's attempt, still waiting: nothing to write, and the history is not read.
          if (stillWaiting(description, key.activityId, row.attempt)) return { state: 'UNKNOWN', why: 'still waiting' };
          return read(key, description)();
        });
      }
      return report;
    },
  };
}
