// What deciding and claiming share: the pending row, locked for the length of
// a transaction, and a heartbeat that asks Temporal whether the approval is
// still wanted (a cancelled activity answers so) before anything is changed.
import { ActivityCancelledError, ActivityPausedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { isDatabaseBusy, poolSettings, type Db } from '../../db';
import { ActivityGoneError, callActivity, COMPLETION_DEADLINE_MS, completionDeadline, type ActivityRow } from '../temporal/activity-call';
import type { ApprovalStatus } from '../../contract/statuses';
import { ApprovalError, notPending, overloaded, paused } from '../errors';
import { inFlight } from './in-flight';
import type { RoutedRequest } from '../policy/eligibility';
import type { QuorumProgress } from '../policy/progress';
import type { PhaseClock } from '../../metrics/phases';

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

/** Room for a locked transaction's own statements (the lock taken, the writes), beyond the lock wait and Temporal. */
const WRITES_MS = 5_000;

/**
 * Runs `fn` in a transaction that locks a row and then waits for Temporal: in
 * one of the process's locked connections (./in-flight.ts), with every wait
 * bounded, and "busy" instead of a driver's timeout.
 */
export async function inLockedTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, clock?: PhaseClock): Promise<T> {
  const { connectTimeoutMs, statementTimeoutMs } = poolSettings(db);
  try {
    return await inFlight(db).holdingConnection(() => {
      clock?.lap('slot');
      const run = async (tx: Tx) => {
        clock?.lap('begin');
        const result = await fn(tx);
        clock?.skip();
        return result;
      };
      return db.$transaction(run, {
        // Prisma's maxWait does not cut the wait for a connection short (it
        // checks once the pool has answered); the pool's connect timeout does.
        maxWait: connectTimeoutMs,
        // The lock wait is one statement; the Temporal calls share one deadline.
        timeout: statementTimeoutMs + COMPLETION_DEADLINE_MS + WRITES_MS,
      });
    });
  } catch (error) {
    if (!isDatabaseBusy(error)) throw error;
    console.error('[countersign] a locked transaction gave up waiting:', error instanceof Error ? error.message : error);
    throw overloaded();
  }
}

/** Locks the row for the rest of the transaction; refuses one that is gone or closed. */
export async function lockPendingRow(tx: Tx, id: string): Promise<LockedRow> {
  const rows = await tx.$queryRaw<LockedRow[]>`
    SELECT id, status::text AS status, decided_by, decided_at, claimed_by, claimed_at, task_token, workflow_id, run_id, activity_id,
      attempt, request, requester, policy_name, quorum, four_eyes, approver_groups, approver_users, escalate_groups, escalate_users, approvals
    FROM approval_requests WHERE id = ${id}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new ApprovalError('NOT_FOUND', 'No such approval request.');
  if (row.status !== 'PENDING') throw notPending(row.status, row.decided_by, row.decided_at);
  return row;
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
 * Heartbeats the locked row's activity with `details`. 'cancelled': the
 * workflow withdrew the approval, and the row is now CANCELLED (in this
 * transaction); 'gone': Temporal no longer has the activity. Other failures
 * throw a coded error. `deadline`: the one the caller's other calls share.
 */
export async function heartbeatLocked(
  tx: Tx,
  temporal: Client,
  row: LockedRow,
  details: ClaimHeartbeat,
  actor: string,
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
    if (error instanceof ActivityCancelledError) {
      await tx.approvalRequest.update({
        where: { id: row.id },
        data: { status: 'CANCELLED', decidedAt: new Date(), decisionPath: 'DASHBOARD', reason: CANCELLED_REASON, taskToken: null },
      });
      await tx.auditEvent.create({
        data: { approvalRequestId: row.id, actor, action: 'CANCELLED', path: 'DASHBOARD', details: { noticedBy: 'heartbeat' } },
      });
      return 'cancelled';
    }
    if (error instanceof ActivityGoneError) return 'gone';
    if (error instanceof ActivityPausedError) {
      throw paused();
    }
    throw temporalUnavailable(row.id, error);
  }
}

/** After a cancelled row committed: tell Temporal the cancellation was heard, so a workflow waiting on it moves on. */
export async function acknowledgeCancelled(temporal: Client, row: LockedRow): Promise<ApprovalError> {
  await callActivity(temporal, row, (target) =>
    target instanceof Uint8Array ? temporal.activity.reportCancellation(target) : temporal.activity.reportCancellation(target),
  ).catch(() => undefined);
  return notPending('CANCELLED', null, new Date());
}
