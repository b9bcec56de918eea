// Deciding a request: exactly once, in Temporal first, then in the database.
//
// A decision leases its row (../records/lease.ts) for the length of the
// Temporal call, so a double click or a second reviewer waits, then sees the
// first decision. It holds no transaction and no connection while Temporal
// answers. The row changes only after Temporal accepted the decision; if the
// database then fails, the decision stands and the row is reconciled (the
// workflow records its outcome, and the reconciler reads it from history).
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { Prisma } from '@prisma/client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  APPROVAL_DENIED,
  plainText,
  VIA_COUNTERSIGN,
  type ApprovalDeniedDetails,
  type ApprovalResult,
  type ApproverEntry,
} from '../../contract/approval';
import type { DecisionValues } from '../../contract/decision';
import type { CountersignPath } from '../../contract/statuses';
import { COMMENT_MAX, REASON_MAX } from '../../contract/limits';
import type { ApprovalDeps } from '../deps';
import { ActivityGoneError, callActivity, completionDeadline, keyOf } from '../temporal/activity-call';
import { ApprovalError, claimedByOther, notEligible, overloaded } from '../errors';
import { activeActor } from '../policy/actor';
import { eligibilityOf } from '../policy/eligibility';
import { progressOf } from '../policy/progress';
import { approvalValues, type ValuesInput } from './values';
import { approvalEventMessage } from '../../outbox/emit';
import { inFlight } from './in-flight';
import {
  acknowledgeCancelled,
  approvalIdSchema,
  busyAsOverloaded,
  claimDetails,
  heartbeatActivity,
  inRowTransaction,
  markCancelled,
  readPendingRow,
  routedRequestOf,
  stillWanted,
  temporalUnavailable,
  type ClaimHeartbeat,
  type LockedRow,
  type RowForDecision,
} from './locked-row';
import { endLease, leaseIfUnchanged, waitingOutLeases } from '../records/lease';
import type { Actor } from '../policy/eligibility';
import { explainGoneActivity } from './explain-gone';
import { timeDecision } from '../../metrics/registry';
import { PhaseClock } from '../../metrics/phases';

const text = (max: number, label: string) => plainText(label).trim().max(max, `${label} must be at most ${max} characters`);

export const approveInputSchema = z.object({
  id: approvalIdSchema,
  comment: text(COMMENT_MAX, 'Comment')
    .optional()
    .transform((v) => v || undefined),
});
export const rejectInputSchema = z.object({
  id: approvalIdSchema,
  reason: text(REASON_MAX, 'Reason').min(1, 'A reason is required to reject'),
});
export type ApproveInput = z.infer<typeof approveInputSchema>;
export type RejectInput = z.infer<typeof rejectInputSchema>;

export type Decision = ({ decision: 'APPROVED' } & ApproveInput & ValuesInput) | ({ decision: 'REJECTED' } & RejectInput);

export interface Decider {
  email: string;
  /** Where the decision is made: the inbox (default), the REST API, or an email link. */
  path?: CountersignPath;
  /** What it came through, for the audit trail: the API key's or the email link's id. */
  through?: { apiKeyId?: string; linkId?: string };
}

export interface DecidedApproval {
  id: string;
  /** PENDING: the approval was recorded, and the quorum still needs more (see `progress`). */
  status: 'APPROVED' | 'REJECTED' | 'PENDING';
  decidedBy: string;
  /** The person the decider stood in for, when delegated. */
  onBehalfOf: string | null;
  decidedAt: Date;
  progress: { approvals: number; quorum: number };
  /** False when Temporal took the decision but the database write failed: the row catches up by itself. */
  recorded: boolean;
}

type Target = Uint8Array | { workflowId: string; runId: string; activityId: string };

function send(
  client: Client,
  decision: Decision,
  reviewer: string,
  onBehalfOf: string | null,
  approvers: ApproverEntry[],
  values: DecisionValues | undefined,
) {
  if (decision.decision === 'APPROVED') {
    const result: ApprovalResult = {
      approved: true,
      reviewer,
      ...(decision.comment ? { comment: decision.comment } : {}),
      via: VIA_COUNTERSIGN,
      ...(onBehalfOf ? { onBehalfOf } : {}),
      approvers,
      ...(values ? { values } : {}),
    };
    return (target: Target) =>
      // Same call either way; the branches narrow the target for the SDK's overloads.
      target instanceof Uint8Array ? client.activity.complete(target, result) : client.activity.complete(target, result);
  }
  const details: ApprovalDeniedDetails = { reviewer, via: VIA_COUNTERSIGN, ...(onBehalfOf ? { onBehalfOf } : {}) };
  const failure = ApplicationFailure.create({ type: APPROVAL_DENIED, message: decision.reason, nonRetryable: true, details: [details] });
  return (target: Target) => (target instanceof Uint8Array ? client.activity.fail(target, failure) : client.activity.fail(target, failure));
}

/** Decides one request: one of the decider's in-flight slots, refused (BUSY) when they have none free. */
export function decideApproval(deps: ApprovalDeps, decision: Decision, decider: Decider): Promise<DecidedApproval> {
  return inFlight(deps.db).asUser(decider.email, 1, () => decideInSlot(deps, decision, decider));
}

/**
 * decideApproval for a caller that already holds one of the decider's slots (a bulk decision's lane).
 * Every path (the request page, bulk, the keyboard, and later the API) comes here, so the policy's
 * rules hold the same everywhere: who is eligible, four eyes, one vote per person, the quorum.
 * An approval short of the quorum is recorded and sent to Temporal as heartbeat progress only;
 * the approval that reaches it completes the activity, exactly once (the lease orders them).
 */
export function decideInSlot(deps: ApprovalDeps, decision: Decision, decider: Decider): Promise<DecidedApproval> {
  // Timed here, where every path's decisions pass (the decision latency histogram of lib/metrics).
  return timeDecision(decider.path ?? 'DASHBOARD', () => decideOnce(deps, decision, decider));
}

/** What the take decided: the row as it was, the lease it took, and what the decision will write. */
interface Plan {
  row: LockedRow;
  lease: string;
  eligible: Extract<ReturnType<typeof eligibilityOf>, { ok: true }>;
  values: DecisionValues | undefined;
  vote: { voter: string; actor: string; at: Date; comment: string | null };
  progress: ReturnType<typeof progressOf>;
  /** This decision completes the activity (a rejection, or the approval that reaches the quorum). */
  complete: boolean;
  releasesClaim: boolean;
  claim: ClaimHeartbeat;
  actor: Actor;
  /** The one deadline of the decision's calls to Temporal. */
  deadline: number;
  /** Whether the approval is still wanted (a completion's question, asked as the lease was taken; 'ok' for a vote). */
  wanted: Promise<'ok' | 'cancelled'>;
}

/** A row that keeps changing under a decision's checks: after this many reads, "busy" rather than a loop. */
const TAKE_READS = 20;

/**
 * Takes the row: reads it with the decider and the votes (one statement),
 * checks everything that can refuse the decision, and leases the row to it
 * only if it is still as read (../records/lease.ts, leaseIfUnchanged). Two
 * statements, no transaction: a row that changed meanwhile is read again, a
 * leased one waited out, as a row lock would have made it wait.
 */
async function takeRow(deps: ApprovalDeps, decision: Decision, decider: Decider): Promise<Plan> {
  try {
    return await waitingOutLeases(async () => {
      for (let read = 0; read < TAKE_READS; read++) {
        const seen = await readPendingRow(deps.db, decision.id, decider.email);
        const plan = planOf(deps, decision, seen);
        const lease = await leaseIfUnchanged(deps.db, seen.row);
        if (lease) return { ...plan, lease };
      }
      throw overloaded();
    });
  } catch (error) {
    return busyAsOverloaded(error);
  }
}

/** What the decision will do, from its row as read: every check that can refuse it, and the question to Temporal. */
function planOf(deps: ApprovalDeps, decision: Decision, { row, actor: found, votes }: RowForDecision): Omit<Plan, 'lease'> {
  const actor = activeActor(found);
  if (row.claimed_by && row.claimed_by !== actor.email) throw claimedByOther(row.claimed_by, row.claimed_at);
  const eligible = eligibilityOf(routedRequestOf(row), actor, votes);
  if (!eligible.ok) throw notEligible(eligible.reason);
  const values = decision.decision === 'APPROVED' ? approvalValues(row.request, decision) : undefined;
  const vote = {
    voter: eligible.voter,
    actor: actor.email,
    at: new Date(),
    comment: decision.decision === 'APPROVED' ? (decision.comment ?? null) : null,
  };
  const approvals = decision.decision === 'APPROVED' ? [...votes, vote] : votes;
  const complete = decision.decision === 'REJECTED' || approvals.length >= row.quorum;
  // A holder whose approval leaves the quorum short lets go: the approvals still
  // needed are others', and only the holder may decide a claimed request.
  const releasesClaim = !complete && row.claimed_by === actor.email;
  const claim = releasesClaim ? { claimedBy: null, claimedAt: null } : claimDetails(row);
  // A completion first asks whether the approval is still wanted: asked now, it is answered while the lease is taken.
  const deadline = completionDeadline();
  const wanted = complete ? stillWanted(deps.temporal, row, deadline) : Promise.resolve('ok' as const);
  wanted.catch(() => undefined); // a row taken by someone else first never reads it
  return {
    row,
    actor,
    eligible,
    values,
    vote,
    progress: progressOf(row.quorum, approvals),
    complete,
    releasesClaim,
    claim,
    deadline,
    wanted,
  };
}

/**
 * Tells Temporal, holding no transaction: a completing decision asks whether
 * the approval is still wanted (a read), then completes or fails the activity;
 * an approval short of the quorum is a heartbeat whose details carry the
 * progress (and the claim): `temporal workflow describe` shows it. One write
 * to Temporal either way, under one deadline.
 */
async function tellTemporal(
  temporal: ApprovalDeps['temporal'],
  decision: Decision,
  plan: Plan,
  clock: PhaseClock,
): Promise<'ok' | 'cancelled' | 'gone'> {
  const { actor } = plan;
  const { row, deadline } = plan;
  if (!plan.complete) return heartbeatActivity(temporal, row, { ...plan.claim, progress: plan.progress }, deadline);
  const wanted = await plan.wanted;
  clock.lap('still_wanted');
  if (wanted === 'cancelled') return 'cancelled';
  try {
    const sent = send(temporal, decision, actor.email, plan.eligible.onBehalfOf, plan.progress.approvers, plan.values);
    await callActivity(temporal, row, sent, deadline);
    return 'ok';
  } catch (error) {
    // Gone: decided elsewhere, re-issued, or ended (between windows a completion by id still lands).
    if (error instanceof ActivityGoneError) return 'gone';
    throw temporalUnavailable(row.id, error);
  }
}

/**
 * Writes what Temporal accepted, and ends the lease: the vote, the row, the
 * event and the audit entry, in one statement (one round trip; a statement is
 * atomic, so no transaction is opened around it). False: the lease had run
 * out and the row was taken over (it is no longer pending under this lease).
 */
async function recordDecision(db: ApprovalDeps['db'], decision: Decision, decider: Decider, plan: Plan): Promise<boolean> {
  const { row, vote, values, progress, complete, eligible, actor } = plan;
  const path = decider.path ?? 'DASHBOARD';
  const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  const approved = decision.decision === 'APPROVED';
  const rowChange = complete
    ? Prisma.sql`status = ${decision.decision}::"ApprovalStatus", decided_by = ${actor.email}, decided_for = ${eligible.onBehalfOf},
        decided_at = ${vote.at}, decision_path = ${path}::"DecisionPath",
        comment = ${approved ? (decision.comment ?? null) : null}, reason = ${decision.decision === 'REJECTED' ? decision.reason : null},
        values = coalesce(${json(values)}::jsonb, r.values), task_token = NULL` // a spent token is of no use to anyone
    : plan.releasesClaim
      ? Prisma.sql`claimed_by = NULL, claimed_at = NULL`
      : Prisma.sql`claimed_by = r.claimed_by`;
  const event = complete
    ? approvalEventMessage({
        type: 'decided',
        approvalId: row.id,
        runId: row.run_id,
        attempt: row.attempt,
        at: vote.at.toISOString(),
        status: decision.decision,
        decidedBy: actor.email,
      })
    : undefined;
  const details = {
    ...(eligible.onBehalfOf ? { onBehalfOf: eligible.onBehalfOf } : {}),
    ...(decider.through ?? {}),
    ...(row.quorum > 1 ? { approvals: progress.approvals, quorum: row.quorum } : {}),
    ...(plan.releasesClaim ? { releasedClaim: true } : {}),
    ...(values ? { values } : {}),
  };
  const [result] = await db.$queryRaw<{ recorded: boolean }[]>`
    WITH held AS (
      SELECT id FROM approval_requests
      WHERE id = ${row.id}::uuid AND status = 'PENDING' AND deciding_lease = ${plan.lease}::uuid
      FOR UPDATE
    ), vote AS (
      INSERT INTO approval_votes (id, approval_request_id, run_id, attempt, voter, actor, path, comment, values, at)
      SELECT ${randomUUID()}, held.id, ${row.run_id}, ${row.attempt}::int, ${vote.voter}, ${vote.actor}, ${path}::"DecisionPath",
        ${vote.comment}::text, ${json(values)}::jsonb, ${vote.at}::timestamp(3)
      FROM held WHERE ${approved}::boolean
    ), updated AS (
      UPDATE approval_requests r SET ${rowChange}, approvals = ${progress.approvals},
        deciding_lease = NULL, deciding_until = NULL, updated_at = now()
      FROM held WHERE r.id = held.id
      RETURNING r.id
    ), event AS (
      INSERT INTO outbox_messages (id, kind, dedupe_key, payload, webhook_id, status, attempts, next_attempt_at, created_at)
      SELECT ${randomUUID()}, 'EVENT', ${event?.dedupeKey ?? ''}, ${json(event?.payload)}::jsonb, NULL, 'PENDING', 0,
        ${new Date()}::timestamp(3), now()
      FROM updated WHERE ${event !== undefined}::boolean
      ON CONFLICT (dedupe_key) DO NOTHING
    ), audit AS (
      INSERT INTO audit_events (id, approval_request_id, actor, action, path, details, at)
      SELECT ${randomUUID()}, updated.id, ${actor.email}, ${complete ? decision.decision : 'APPROVAL_RECORDED'}, ${path}::"DecisionPath",
        ${JSON.stringify(details)}::jsonb, ${vote.at}::timestamp(3)
      FROM updated
    )
    SELECT count(*) > 0 AS recorded FROM updated`;
  return result?.recorded ?? false;
}

/** Ends the lease of a decision that changed nothing; a failure here only leaves the lease to run out. */
async function giveUpLease(db: ApprovalDeps['db'], plan: Plan): Promise<void> {
  await endLease(db, plan.row.id, plan.lease).catch((error: unknown) =>
    console.error(`[countersign] could not end the lease on ${plan.row.id}:`, error instanceof Error ? error.message : error),
  );
}

/**
 * One decision, in three steps, none of which holds a transaction across
 * Temporal: take the row (checks and a lease), tell Temporal, record what it
 * accepted. A second decider, a claim or the workflow's own record waits for
 * the lease to end, then sees this decision, as it would have waited for a
 * row lock. If the record fails after Temporal accepted, the decision stands
 * and the row catches up: the workflow records its outcome (as EXTERNAL: only
 * this path writes DASHBOARD) once the lease has run out, and the reconciler
 * backs it up.
 */
async function decideOnce(deps: ApprovalDeps, decision: Decision, decider: Decider): Promise<DecidedApproval> {
  const { db, temporal } = deps;
  const path = decider.path ?? 'DASHBOARD';
  const clock = new PhaseClock(path);
  const plan = await takeRow(deps, decision, decider);
  const { actor } = plan;
  clock.lap('take');
  let answer: 'ok' | 'cancelled' | 'gone';
  try {
    answer = await tellTemporal(temporal, decision, plan, clock);
  } catch (error) {
    await giveUpLease(db, plan);
    throw error;
  }
  clock.lap('temporal');
  const { row } = plan;
  if (answer === 'cancelled') {
    await inRowTransaction(db, (tx) => markCancelled(tx, row, actor.email, plan.complete ? 'description' : 'heartbeat'));
    throw await acknowledgeCancelled(temporal, row);
  }
  if (answer === 'gone') {
    // Nothing waits to hear it: decided elsewhere, or between windows (a vote's heartbeat). Say which.
    await giveUpLease(db, plan);
    throw await explainGoneActivity(deps, keyOf(row)).catch((cause: unknown) => {
      if (cause instanceof ApprovalError) return cause;
      return temporalUnavailable(decision.id, cause);
    });
  }
  const accepted: DecidedApproval = {
    id: row.id,
    status: plan.complete ? decision.decision : 'PENDING',
    decidedBy: actor.email,
    onBehalfOf: plan.eligible.onBehalfOf,
    decidedAt: plan.vote.at,
    progress: { approvals: plan.progress.approvals, quorum: row.quorum },
    recorded: false,
  };
  try {
    const recorded = await recordDecision(db, decision, decider, plan);
    clock.lap('record');
    if (!recorded)
      console.error(`[countersign] approval ${row.id}: the decision outlived its lease; the row was brought in line without it`);
    return { ...accepted, recorded };
  } catch (error) {
    if (!plan.complete) {
      await giveUpLease(db, plan);
      throw error;
    }
    // Temporal has the decision; only our copy failed. The lease runs out, and the workflow's record or the reconciler fill it in.
    console.error(
      `[countersign] approval ${row.id} was decided in Temporal but not stored:`,
      error instanceof Error ? error.message : error,
    );
    return accepted;
  }
}
