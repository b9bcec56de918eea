// What deciding and claiming share: the pending row, locked in a transaction
// (a decision's is short, around a lease: ../records/lease.ts; a claim's spans
// its heartbeat), and the questions to Temporal of whether the approval is
// still wanted (a cancelled activity answers so) before anything is changed.
import { ActivityCancelledError, ActivityPausedError, isGrpcServiceError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Prisma } from '@prisma/client';
import { z } from 'zod';
import { isDatabaseBusy, poolSettings, type Db } from '../../db';
import { actorJsonSql } from '../policy/actor';
import type { Actor } from '../policy/eligibility';
import type { Vote } from '../policy/progress';
import { ActivityGoneError, callActivity, COMPLETION_DEADLINE_MS, completionDeadline, type ActivityRow } from '../temporal/activity-call';
import type { ApprovalStatus } from '../../contract/statuses';
import { ApprovalError, notPending, overloaded, paused } from '../errors';
import { inFlight } from './in-flight';
import type { RoutedRequest } from '../policy/eligibility';
import type { QuorumProgress } from '../policy/progress';
import { countTemporalError } from '../../metrics/registry';
import { LEASED_SQL, LeaseHeldError, waitingOutLeases } from '../records/lease';

/** A request id, in one spelling: `ABC…` and `abc…` are the same request. */
export const approvalIdSchema = z.string({ error: 'Unknown request' }).uuid('Unknown request').toLowerCase();

export interface LockedRow extends ActivityRow {
  id: string;
  status: ApprovalStatus;
  decided_by: string | null;
  decided_at: Date | null;
  claimed_by: string | null;
  claimed_at: Date | null;
  attempt: number;
  request: unknown;
  requester: string | null;
  policy_name: string | null;
  quorum: number;
  four_eyes: boolean;
  approver_groups: string[];
  approver_users: string[];
  escalate_groups: string[];
  escalate_users: string[];
  approvals: number;
}

/** The locked row's routing, as eligibility reads it. */
export const routedRequestOf = (row: LockedRow): RoutedRequest => ({
  policyName: row.policy_name,
  quorum: row.quorum,
  fourEyes: row.four_eyes,
  approverGroups: row.approver_groups,
  approverUsers: row.approver_users,
  escalateGroups: row.escalate_groups,
  escalateUsers: row.escalate_users,
  attempt: row.attempt,
  requester: row.requester,
});

export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Room for a transaction's own statements (the lock taken, the writes), beyond the lock wait and Temporal. */
const WRITES_MS = 5_000;

/** "Busy" instead of a driver's timeout, when the database could not take the work in time. */
export function busyAsOverloaded(error: unknown): never {
  if (!isDatabaseBusy(error)) throw error;
  console.error('[countersign] a transaction on a request gave up waiting:', error instanceof Error ? error.message : error);
  throw overloaded();
}

/**
 * Runs `fn` in a short transaction on a request's row: no Temporal call
 * inside, every wait bounded. A row leased to a decision in flight
 * (LeaseHeldError from lockPendingRow) is tried again when the lease ends.
 */
export async function inRowTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { connectTimeoutMs, statementTimeoutMs } = poolSettings(db);
  try {
    return await waitingOutLeases(() =>
      // Prisma's maxWait does not cut the wait for a connection short (it
      // checks once the pool has answered); the pool's connect timeout does.
      db.$transaction(fn, { maxWait: connectTimeoutMs, timeout: statementTimeoutMs + WRITES_MS }),
    );
  } catch (error) {
    return busyAsOverloaded(error);
  }
}

/**
 * Runs `fn` in a transaction that locks a row and then waits for Temporal (a
 * claim): in one of the process's locked connections (./in-flight.ts), with
 * every wait bounded. A leased row is tried again when the lease ends.
 */
export async function inLockedTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { connectTimeoutMs, statementTimeoutMs } = poolSettings(db);
  try {
    return await waitingOutLeases(() =>
      inFlight(db).holdingConnection(() =>
        db.$transaction(fn, {
          maxWait: connectTimeoutMs,
          // The lock wait is one statement; the Temporal calls share one deadline.
          timeout: statementTimeoutMs + COMPLETION_DEADLINE_MS + WRITES_MS,
        }),
      ),
    );
  } catch (error) {
    return busyAsOverloaded(error);
  }
}

/** The columns a decision or a claim reads of its row, and whether it is leased now. */
const ROW_COLUMNS = Prisma.sql`id, status::text AS status, decided_by, decided_at, claimed_by, claimed_at, task_token, workflow_id, run_id,
  activity_id, attempt, request, requester, policy_name, quorum, four_eyes, approver_groups, approver_users, escalate_groups,
  escalate_users, approvals, ${Prisma.raw(LEASED_SQL)} AS leased`;

/** A row as read: refused when gone or closed; LeaseHeldError when leased to a decision in flight. */
function pendingRowOf(found: (LockedRow & { leased: boolean }) | undefined): LockedRow {
  if (!found) throw new ApprovalError('NOT_FOUND', 'No such approval request.');
  const { leased, ...row } = found;
  if (row.status !== 'PENDING') throw notPending(row.status, row.decided_by, row.decided_at);
  if (leased) throw new LeaseHeldError();
  return row;
}

/**
 * Locks the row for the rest of the transaction; refuses one that is gone or
 * closed, and throws LeaseHeldError for one leased to a decision in flight
 * (the transaction wrappers above wait for it to end, then try again).
 */
export async function lockPendingRow(tx: Tx, id: string): Promise<LockedRow> {
  const rows = await tx.$queryRaw<(LockedRow & { leased: boolean })[]>`
    SELECT ${ROW_COLUMNS} FROM approval_requests WHERE id = ${id}::uuid FOR UPDATE`;
  return pendingRowOf(rows[0]);
}

/** What a decision reads before it takes its row: the row, the decider and the run's votes, as of one moment. */
export interface RowForDecision {
  row: LockedRow;
  actor: Actor | null;
  votes: Vote[];
}

/**
 * One statement, no lock and no transaction: the pending row, the decider
 * (actorJsonSql) and the votes of its run (read only when it has any). What
 * a decision then checks holds only while the row is unchanged: the lease is
 * taken only if it still is (leaseIfUnchanged). Refusals as lockPendingRow.
 */
export async function readPendingRow(db: Db, id: string, email: string, now = new Date()): Promise<RowForDecision> {
  const rows = await db.$queryRaw<(LockedRow & { leased: boolean; actor: Actor | null; votes: (Omit<Vote, 'at'> & { at: string })[] })[]>`
    SELECT ${ROW_COLUMNS}, ${actorJsonSql(email, now)} AS actor,
      CASE WHEN r.approvals > 0 THEN coalesce((
        SELECT json_agg(json_build_object('voter', v.voter, 'actor', v.actor, 'attempt', v.attempt, 'comment', v.comment,
            'values', v.values, 'at', v.at AT TIME ZONE 'UTC') ORDER BY v.at)
        FROM approval_votes v WHERE v.approval_request_id = r.id AND v.run_id = r.run_id), '[]'::json)
      ELSE '[]'::json END AS votes
    FROM approval_requests r WHERE r.id = ${id}::uuid`;
  const found = rows[0];
  const { actor, votes, ...rest } = found ?? { actor: null, votes: [] };
  return {
    row: pendingRowOf(found ? (rest as LockedRow & { leased: boolean }) : undefined),
    actor,
    votes: votes.map((vote) => ({ ...vote, at: new Date(vote.at) })),
  };
}

/** What a heartbeat tells Temporal (the pending activity's heartbeat details): who holds it, and the quorum's progress. */
export interface ClaimHeartbeat {
  claimedBy: string | null;
  claimedAt: string | null;
  progress?: QuorumProgress;
}

export const claimDetails = (row: Pick<LockedRow, 'claimed_by' | 'claimed_at'>): ClaimHeartbeat => ({
  claimedBy: row.claimed_by,
  claimedAt: row.claimed_at?.toISOString() ?? null,
});

/** Temporal's answer was not a clear yes or no: say so, without claiming nothing happened. */
export function temporalUnavailable(id: string, error: unknown): ApprovalError {
  console.error(`[countersign] calling Temporal for approval ${id} failed:`, error instanceof Error ? error.message : error);
  return new ApprovalError(
    'TEMPORAL_UNAVAILABLE',
    'Temporal did not confirm in time. Reload in a moment: if it went through, the request shows it; if not, try again.',
  );
}

const CANCELLED_REASON = 'The workflow cancelled the approval';

/**
 * Heartbeats the row's activity with `details`. 'cancelled': the workflow
 * withdrew the approval (the caller marks the row, markCancelled); 'gone':
 * Temporal no longer has the activity. Other failures throw a coded error.
 * `deadline`: the one the caller's other calls share.
 */
export async function heartbeatActivity(
  temporal: Client,
  row: LockedRow,
  details: ClaimHeartbeat,
  deadline: number = completionDeadline(),
): Promise<'ok' | 'cancelled' | 'gone'> {
  try {
    await callActivity(
      temporal,
      row,
      (target) =>
        target instanceof Uint8Array ? temporal.activity.heartbeat(target, details) : temporal.activity.heartbeat(target, details),
      deadline,
    );
    return 'ok';
  } catch (error) {
    if (error instanceof ActivityCancelledError) return 'cancelled';
    if (error instanceof ActivityGoneError) return 'gone';
    if (error instanceof ActivityPausedError) throw paused();
    throw temporalUnavailable(row.id, error);
  }
}

/**
 * Is the approval still wanted, before it is completed? Temporal accepts a
 * completion even after the workflow cancelled the activity, and the
 * workflow never sees it, so a completion must not go to a cancel-requested
 * activity. The workflow's description says so without writing anything (a
 * heartbeat would cost Temporal a write, as much as the completion itself).
 * 'cancelled': the workflow withdrew it; 'ok': anything else (an activity not
 * found here, between windows, still takes a completion by id; one that is
 * gone is the completion's answer to give).
 */
export async function stillWanted(temporal: Client, row: LockedRow, deadline: number): Promise<'ok' | 'cancelled'> {
  let pending;
  try {
    const description = await temporal.connection.withDeadline(deadline, () =>
      temporal.workflowService.describeWorkflowExecution({
        namespace: temporal.options.namespace,
        execution: { workflowId: row.workflow_id, runId: row.run_id },
      }),
    );
    pending = description.pendingActivities?.find((a) => a.activityId === row.activity_id);
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === GRPC_NOT_FOUND) return 'ok';
    countTemporalError('describe', error);
    throw temporalUnavailable(row.id, error);
  }
  if (pending?.state === CANCEL_REQUESTED) return 'cancelled';
  if (pending?.paused) throw paused();
  return 'ok';
}

const GRPC_NOT_FOUND = 5;
const CANCEL_REQUESTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED;

/** Marks the locked row cancelled (a heartbeat or description said the workflow withdrew it), ending any lease. */
export async function markCancelled(tx: Tx, row: LockedRow, actor: string, noticedBy: 'heartbeat' | 'description'): Promise<void> {
  await tx.approvalRequest.update({
    where: { id: row.id },
    data: {
      status: 'CANCELLED',
      decidedAt: new Date(),
      decisionPath: 'DASHBOARD',
      reason: CANCELLED_REASON,
      taskToken: null,
      decidingLease: null,
      decidingUntil: null,
    },
  });
  await tx.auditEvent.create({
    data: { approvalRequestId: row.id, actor, action: 'CANCELLED', path: 'DASHBOARD', details: { noticedBy } },
  });
}

/**
 * Heartbeats the locked row's activity (a claim, under its row lock); a
 * cancelled answer marks the row CANCELLED in this transaction.
 */
export async function heartbeatLocked(
  tx: Tx,
  temporal: Client,
  row: LockedRow,
  details: ClaimHeartbeat,
  actor: string,
  deadline: number = completionDeadline(),
): Promise<'ok' | 'cancelled' | 'gone'> {
  const answer = await heartbeatActivity(temporal, row, details, deadline);
  if (answer === 'cancelled') await markCancelled(tx, row, actor, 'heartbeat');
  return answer;
}

/** After a cancelled row committed: tell Temporal the cancellation was heard, so a workflow waiting on it moves on. */
export async function acknowledgeCancelled(temporal: Client, row: LockedRow): Promise<ApprovalError> {
  await callActivity(temporal, row, (target) =>
    target instanceof Uint8Array ? temporal.activity.reportCancellation(target) : temporal.activity.reportCancellation(target),
  ).catch(() => undefined);
  return notPending('CANCELLED', null, new Date());
}
