// Deciding a request: exactly once, in Temporal first, then in the database.
//
// The row is locked (SELECT ... FOR UPDATE) for the length of the Temporal
// call, so a double click or a second reviewer waits, then sees the first
// decision. The row changes only after Temporal accepted the decision.
import { ApplicationFailure } from '@temporalio/common';
import { ActivityCompletionError, ActivityNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { APPROVAL_DENIED, COMMENT_MAX, REASON_MAX, type ApprovalDeniedDetails, type ApprovalResult } from '../approval-contract';
import type { Db } from '../db';
import { ApprovalError, alreadyDecided } from './errors';

/** Every completion call answers within this, even for a dead or garbled token. */
export const COMPLETION_DEADLINE_MS = 5_000;

const text = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters`);

export const approveInputSchema = z.object({
  id: z.string().uuid('Unknown request'),
  comment: text(COMMENT_MAX, 'Comment').optional().transform((v) => v || undefined),
});
export const rejectInputSchema = z.object({
  id: z.string().uuid('Unknown request'),
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
}

interface LockedRow {
  id: string;
  status: string;
  decided_by: string | null;
  decided_at: Date | null;
  task_token: Uint8Array | null;
  workflow_id: string;
  run_id: string;
  activity_id: string;
}

type Target = Uint8Array | { workflowId: string; runId: string; activityId: string };

async function sendToTemporal(client: Client, target: Target, decision: Decision, reviewer: string): Promise<void> {
  const call = () => {
    if (decision.decision === 'APPROVED') {
      const result: ApprovalResult = { approved: true, reviewer, ...(decision.comment ? { comment: decision.comment } : {}) };
      // Same call either way; the branches narrow the target for the SDK's overloads.
      return target instanceof Uint8Array ? client.activity.complete(target, result) : client.activity.complete(target, result);
    }
    const details: ApprovalDeniedDetails = { reviewer };
    const failure = ApplicationFailure.create({ type: APPROVAL_DENIED, message: decision.reason, nonRetryable: true, details: [details] });
    return target instanceof Uint8Array ? client.activity.fail(target, failure) : client.activity.fail(target, failure);
  };
  await client.connection.withDeadline(Date.now() + COMPLETION_DEADLINE_MS, call);
}

/**
 * Completes by task token, or by workflow id + run id + activity id when the
 * token is gone or belongs to an attempt that has since been re-issued.
 */
async function completeInTemporal(client: Client, row: LockedRow, decision: Decision, reviewer: string): Promise<void> {
  const byId = { workflowId: row.workflow_id, runId: row.run_id, activityId: row.activity_id };
  try {
    if (row.task_token && row.task_token.length > 0) {
      try {
        await sendToTemporal(client, row.task_token, decision, reviewer);
        return;
      } catch (error) {
        // NotFound: the token's attempt is over (re-issued, say). A token the
        // server cannot read answers ActivityCompletionError. Either way the ids still work.
        if (!(error instanceof ActivityNotFoundError || error instanceof ActivityCompletionError)) throw error;
      }
    }
    await sendToTemporal(client, byId, decision, reviewer);
  } catch (error) {
    if (error instanceof ActivityNotFoundError) {
      throw new ApprovalError(
        'NO_LONGER_PENDING',
        'Temporal is no longer waiting for this decision: it was decided outside Countersign, or its workflow has ended. Nothing was changed here.',
      );
    }
    console.error(`[countersign] completing approval ${row.id} failed:`, error instanceof Error ? error.message : error);
    // A deadline can pass after the server accepted the call, so do not claim nothing happened.
    throw new ApprovalError(
      'TEMPORAL_UNAVAILABLE',
      'Temporal did not confirm the decision in time. Reload in a moment: if it went through, the request shows as decided; if not, decide again.',
    );
  }
}

export async function decideApproval(deps: { db: Db; temporal: Client }, decision: Decision, decider: Decider): Promise<DecidedApproval> {
  const { db, temporal } = deps;
  return db.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<LockedRow[]>`
        SELECT id, status::text, decided_by, decided_at, task_token, workflow_id, run_id, activity_id
        FROM approval_requests WHERE id = ${decision.id}::uuid FOR UPDATE`;
      const row = rows[0];
      if (!row) throw new ApprovalError('NOT_FOUND', 'No such approval request.');
      if (row.status !== 'PENDING') throw alreadyDecided(row.decided_by, row.decided_at);

      await completeInTemporal(temporal, row, decision, decider.email);

      const decidedAt = new Date();
      await tx.approvalRequest.update({
        where: { id: row.id },
        data: {
          status: decision.decision,
          decidedBy: decider.email,
          decidedAt,
          decisionPath: 'DASHBOARD',
          comment: decision.decision === 'APPROVED' ? (decision.comment ?? null) : null,
          reason: decision.decision === 'REJECTED' ? decision.reason : null,
          taskToken: null, // a spent token is of no use to anyone
        },
      });
      await tx.auditEvent.create({
        data: { approvalRequestId: row.id, actor: decider.email, action: decision.decision, path: 'DASHBOARD' },
      });
      return { id: row.id, status: decision.decision, decidedBy: decider.email, decidedAt };
    },
    // Waiting for the lock and the Temporal call both fit well inside this.
    { maxWait: 30_000, timeout: 30_000 },
  );
}
