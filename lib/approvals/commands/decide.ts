// Deciding a request: exactly once, in Temporal first, then in the database.
//
// The row is locked (SELECT ... FOR UPDATE) for the length of the Temporal
// call, so a double click or a second reviewer waits, then sees the first
// decision. The row changes only after Temporal accepted the decision; if the
// database then fails, the decision stands and the row is reconciled (the
// workflow records its outcome, and the reconciler reads it from history).
// What that lock and its connection may cost is bounded in ./in-flight.ts.
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Prisma } from '@prisma/client';
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
import { ApprovalError, claimedByOther, notEligible } from '../errors';
import { requireActor } from '../policy/actor';
import { eligibilityOf } from '../policy/eligibility';
import { progressOf, readVotes } from '../policy/progress';
import { approvalValues, type ValuesInput } from './values';
import { emitApprovalEvent } from '../../outbox/emit';
import { inFlight } from './in-flight';
import {
  acknowledgeCancelled,
  approvalIdSchema,
  claimDetails,
  heartbeatLocked,
  inLockedTransaction,
  lockPendingRow,
  routedRequestOf,
  temporalUnavailable,
  type LockedRow,
} from './locked-row';
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
 * the approval that reaches it completes the activity, exactly once (the row lock orders them).
 */
export function decideInSlot(deps: ApprovalDeps, decision: Decision, decider: Decider): Promise<DecidedApproval> {
  // Timed here, where every path's decisions pass (the decision latency histogram of lib/metrics).
  return timeDecision(decider.path ?? 'DASHBOARD', () => decideOnce(deps, decision, decider));
}

async function decideOnce(deps: ApprovalDeps, decision: Decision, decider: Decider): Promise<DecidedApproval> {
  const { db, temporal } = deps;
  const clock = new PhaseClock();
  const actor = await requireActor(deps, decider);
  clock.lap('actor');
  const path = decider.path ?? 'DASHBOARD';
  let accepted: DecidedApproval | undefined;
  let gone: LockedRow | undefined;
  let cancelled: LockedRow | undefined;
  try {
    const decided = await inLockedTransaction(
      db,
      async (tx): Promise<DecidedApproval | undefined> => {
        const row = await lockPendingRow(tx, decision.id);
        clock.lap('lock');
        if (row.claimed_by && row.claimed_by !== actor.email) throw claimedByOther(row.claimed_by, row.claimed_at);
        const votes = await readVotes(tx, row.id, row.run_id);
        const eligible = eligibilityOf(routedRequestOf(row), actor, votes);
        if (!eligible.ok) throw notEligible(eligible.reason);
        const values = decision.decision === 'APPROVED' ? approvalValues(row.request, decision) : undefined;
        const at = new Date();
        const vote = {
          voter: eligible.voter,
          actor: actor.email,
          at,
          comment: decision.decision === 'APPROVED' ? (decision.comment ?? null) : null,
        };
        const approvals = decision.decision === 'APPROVED' ? [...votes, vote] : votes;
        const complete = decision.decision === 'REJECTED' || approvals.length >= row.quorum;
        const progress = progressOf(row.quorum, approvals);
        // A holder whose approval leaves the quorum short lets go: the approvals still
        // needed are others', and only the holder may decide a claimed request.
        const releasesClaim = !complete && row.claimed_by === actor.email;
        const claim = releasesClaim ? { claimedBy: null, claimedAt: null } : claimDetails(row);
        // The heartbeat and the completion share one deadline: a slow Temporal holds the lock 5 s at most.
        const deadline = completionDeadline();
        clock.lap('checks');
        // Is the approval still wanted? Temporal accepts a completion even
        // after the workflow cancelled the activity, so ask first. The details
        // carry the progress (and the claim): `temporal workflow describe` shows it.
        const answer = await heartbeatLocked(tx, temporal, row, { ...claim, progress }, actor.email, deadline);
        clock.lap('heartbeat');
        if (answer === 'cancelled') {
          cancelled = row;
          return undefined;
        }
        if (complete) {
          // 'gone' is no answer here: between windows a heartbeat finds nothing, yet a completion by id still lands.
          try {
            await callActivity(
              temporal,
              row,
              send(temporal, decision, actor.email, eligible.onBehalfOf, progress.approvers, values),
              deadline,
            );
          } catch (error) {
            if (error instanceof ActivityGoneError) {
              gone = row;
              throw error;
            }
            throw temporalUnavailable(row.id, error);
          }
        } else if (answer === 'gone') {
          // Nothing waits to hear the progress: decided elsewhere, or between windows. Say which.
          gone = row;
          throw new ActivityGoneError();
        }
        clock.lap('temporal');
        const status = complete ? decision.decision : 'PENDING';
        accepted = {
          id: row.id,
          status,
          decidedBy: actor.email,
          onBehalfOf: eligible.onBehalfOf,
          decidedAt: at,
          progress: { approvals: progress.approvals, quorum: row.quorum },
          recorded: false,
        };
        if (decision.decision === 'APPROVED') {
          await tx.approvalVote.create({
            data: {
              approvalRequestId: row.id,
              runId: row.run_id,
              attempt: row.attempt,
              voter: vote.voter,
              actor: vote.actor,
              path,
              comment: vote.comment,
              ...(values ? { values: values as Prisma.InputJsonObject } : {}),
              at,
            },
          });
        }
        await tx.approvalRequest.update({
          where: { id: row.id },
          data: complete
            ? {
                status: decision.decision,
                decidedBy: actor.email,
                decidedFor: eligible.onBehalfOf,
                decidedAt: at,
                decisionPath: path,
                comment: decision.decision === 'APPROVED' ? (decision.comment ?? null) : null,
                reason: decision.decision === 'REJECTED' ? decision.reason : null,
                ...(values ? { values: values as Prisma.InputJsonObject } : {}),
                approvals: progress.approvals,
                taskToken: null, // a spent token is of no use to anyone
              }
            : { approvals: progress.approvals, ...(releasesClaim ? { claimedBy: null, claimedAt: null } : {}) },
        });
        if (complete) {
          await emitApprovalEvent(tx, {
            type: 'decided',
            approvalId: row.id,
            runId: row.run_id,
            attempt: row.attempt,
            at: at.toISOString(),
            status: decision.decision,
            decidedBy: actor.email,
          });
        }
        await tx.auditEvent.create({
          data: {
            approvalRequestId: row.id,
            actor: actor.email,
            action: complete ? decision.decision : 'APPROVAL_RECORDED',
            path,
            at,
            details: {
              ...(eligible.onBehalfOf ? { onBehalfOf: eligible.onBehalfOf } : {}),
              ...(decider.through ?? {}),
              ...(row.quorum > 1 ? { approvals: progress.approvals, quorum: row.quorum } : {}),
              ...(releasesClaim ? { releasedClaim: true } : {}),
              ...(values ? { values: values as Prisma.InputJsonObject } : {}),
            },
          },
        });
        clock.lap('writes');
        return { ...accepted, recorded: true };
      },
      clock,
    );
    clock.lap('commit');
    if (cancelled) throw await acknowledgeCancelled(temporal, cancelled);
    if (!decided) throw new Error('unreachable: a transaction without a decision was not cancelled');
    return decided;
  } catch (error) {
    if (accepted && accepted.status !== 'PENDING') {
      // Temporal has the decision; only our copy failed. The workflow records
      // its outcome (as EXTERNAL: only this transaction may write DASHBOARD),
      // and the reconciler backs it up.
      console.error(
        `[countersign] approval ${accepted.id} was decided in Temporal but not stored:`,
        error instanceof Error ? error.message : error,
      );
      return accepted;
    }
    if (gone) {
      // Outside the transaction: reconciling writes the row this one had locked.
      throw await explainGoneActivity(deps, keyOf(gone)).catch((cause: unknown) => {
        if (cause instanceof ApprovalError) return cause;
        return temporalUnavailable(decision.id, cause);
      });
    }
    throw error;
  }
}
