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
import { z } from 'zod';
import { APPROVAL_DENIED, plainText, VIA_COUNTERSIGN, type ApprovalDeniedDetails, type ApprovalResult } from '../../contract/approval';
import { COMMENT_MAX, REASON_MAX } from '../../contract/limits';
import type { ApprovalDeps } from '../deps';
import { ActivityGoneError, callActivity, completionDeadline, keyOf } from '../temporal/activity-call';
import { ApprovalError, claimedByOther } from '../errors';
import { inFlight } from './in-flight';
import {
  acknowledgeCancelled,
  approvalIdSchema,
  claimDetails,
  heartbeatLocked,
  inLockedTransaction,
  lockPendingRow,
  temporalUnavailable,
  type LockedRow,
} from './locked-row';
import { explainGoneActivity } from './explain-gone';

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

export type Decision = ({ decision: 'APPROVED' } & ApproveInput) | ({ decision: 'REJECTED' } & RejectInput);

export interface Decider {
  email: string;
}

export interface DecidedApproval {
  id: string;
  status: 'APPROVED' | 'REJECTED';
  decidedBy: string;
  decidedAt: Date;
  /** False when Temporal took the decision but the database write failed: the row catches up by itself. */
  recorded: boolean;
}

function send(client: Client, decision: Decision, reviewer: string) {
  if (decision.decision === 'APPROVED') {
    const result: ApprovalResult = {
      approved: true,
      reviewer,
      ...(decision.comment ? { comment: decision.comment } : {}),
      via: VIA_COUNTERSIGN,
    };
    return (target: Uint8Array | { workflowId: string; runId: string; activityId: string }) =>
      // Same call either way; the branches narrow the target for the SDK's overloads.
      target instanceof Uint8Array ? client.activity.complete(target, result) : client.activity.complete(target, result);
  }
  const details: ApprovalDeniedDetails = { reviewer, via: VIA_COUNTERSIGN };
  const failure = ApplicationFailure.create({ type: APPROVAL_DENIED, message: decision.reason, nonRetryable: true, details: [details] });
  return (target: Uint8Array | { workflowId: string; runId: string; activityId: string }) =>
    target instanceof Uint8Array ? client.activity.fail(target, failure) : client.activity.fail(target, failure);
}

/** Decides one request: one of the decider's in-flight slots, refused (BUSY) when they have none free. */
export function decideApproval(deps: ApprovalDeps, decision: Decision, decider: Decider): Promise<DecidedApproval> {
  return inFlight(deps.db).asUser(decider.email, 1, () => decideInSlot(deps, decision, decider));
}

/** decideApproval for a caller that already holds one of the decider's slots (a bulk decision's lane). */
export async function decideInSlot(deps: ApprovalDeps, decision: Decision, decider: Decider): Promise<DecidedApproval> {
  const { db, temporal } = deps;
  let accepted: { id: string; decidedAt: Date } | undefined;
  let gone: LockedRow | undefined;
  let cancelled: LockedRow | undefined;
  try {
    const decided = await inLockedTransaction(db, async (tx) => {
      const row = await lockPendingRow(tx, decision.id);
      if (row.claimed_by && row.claimed_by !== decider.email) throw claimedByOther(row.claimed_by, row.claimed_at);
      // The heartbeat and the completion share one deadline: a slow Temporal holds the lock 5 s at most.
      const deadline = completionDeadline();
      // Is the approval still wanted? Temporal accepts a completion even
      // after the workflow cancelled the activity, so ask first (the claim's
      // details go along unchanged). A cancelled one is closed, not decided.
      const answer = await heartbeatLocked(tx, temporal, row, claimDetails(row), decider.email, deadline);
      if (answer === 'cancelled') {
        cancelled = row;
        return undefined;
      }
      // 'gone' is no answer here: between windows a heartbeat finds nothing, yet a completion by id still lands.
      try {
        await callActivity(temporal, row, send(temporal, decision, decider.email), deadline);
      } catch (error) {
        if (error instanceof ActivityGoneError) {
          gone = row;
          throw error;
        }
        throw temporalUnavailable(row.id, error);
      }
      accepted = { id: row.id, decidedAt: new Date() };
      await tx.approvalRequest.update({
        where: { id: row.id },
        data: {
          status: decision.decision,
          decidedBy: decider.email,
          decidedAt: accepted.decidedAt,
          decisionPath: 'DASHBOARD',
          comment: decision.decision === 'APPROVED' ? (decision.comment ?? null) : null,
          reason: decision.decision === 'REJECTED' ? decision.reason : null,
          taskToken: null, // a spent token is of no use to anyone
        },
      });
      await tx.auditEvent.create({
        data: { approvalRequestId: row.id, actor: decider.email, action: decision.decision, path: 'DASHBOARD', at: accepted.decidedAt },
      });
      return { id: row.id, status: decision.decision, decidedBy: decider.email, decidedAt: accepted.decidedAt, recorded: true };
    });
    if (cancelled) throw await acknowledgeCancelled(temporal, cancelled);
    if (!decided) throw new Error('unreachable: a transaction without a decision was not cancelled');
    return decided;
  } catch (error) {
    if (accepted) {
      // Temporal has the decision; only our copy failed. The workflow records
      // its outcome (as EXTERNAL: only this transaction may write DASHBOARD),
      // and the reconciler backs it up.
      console.error(
        `[countersign] approval ${accepted.id} was decided in Temporal but not stored:`,
        error instanceof Error ? error.message : error,
      );
      return { id: accepted.id, status: decision.decision, decidedBy: decider.email, decidedAt: accepted.decidedAt, recorded: false };
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
