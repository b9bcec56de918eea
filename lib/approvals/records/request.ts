// Called by the requestApproval activity: stores (or refreshes) the request
// and the live task token. Keyed by workflow id + activity id, so a retried
// attempt replaces the token and the newest attempt wins.
import { randomUUID } from 'node:crypto';
import type { ApprovalRequest } from '../../contract/approval';
import { requestColumns } from './columns';
import type { Db } from '../../db';
import { resolveRouting } from '../policy/routing';
import { emitApprovalEvent } from '../../outbox/emit';
import { Prisma } from '@prisma/client';
import { LEASED_SQL, LeaseHeldError, waitingOutLeases } from './lease';

export interface ApprovalAttempt {
  workflowId: string;
  runId: string;
  activityId: string;
  attempt: number;
  /** Null when the reconciler writes the row from history: it is then decided by id. */
  taskToken: Uint8Array | null;
  requestedAt: Date;
  deadline: Date;
  /** The workflow type that asked (the inbox's "request type"); null when unknown. */
  workflowType: string | null;
}

export interface RecordedApprovalRequest {
  id: string;
  /**
   * REQUESTED for a new request, REISSUED for a newer attempt, STALE when the
   * stored row is newer (a later attempt) or already decided: then it is left alone.
   */
  outcome: 'REQUESTED' | 'REISSUED' | 'STALE';
  /** Approvals this run already holds (they carry over to a re-issued window). */
  approvals: number;
}

/**
 * @param request the validated request: stored as parsed (keys the contract does not know are dropped), and the columns come from it
 * @param recordedBy the activity itself, or the reconciler (from history, when the activity's write was lost)
 */
export async function recordApprovalRequest(
  db: Db,
  attempt: ApprovalAttempt,
  request: ApprovalRequest,
  recordedBy: 'worker' | 'reconciler' = 'worker',
): Promise<RecordedApprovalRequest> {
  const columns = requestColumns(request);
  // A decision in flight on this request (its row leased, ./lease.ts) is waited for, then seen: a decided row stays decided.
  return waitingOutLeases(() =>
    db.$transaction(async (tx) => {
      const [current] = await tx.$queryRaw<{ leased: boolean }[]>`
      SELECT ${Prisma.raw(LEASED_SQL)} AS leased FROM approval_requests
      WHERE workflow_id = ${attempt.workflowId} AND activity_id = ${attempt.activityId} FOR UPDATE`;
      if (current?.leased) throw new LeaseHeldError();
      // Throws InvalidRoutingError (an unknown policy or group) before anything is written.
      const routing = await resolveRouting(tx, request);
      // A new run of the same workflow id starts over. Within a run, only a
      // pending row takes a newer (or the same) attempt: a decided row stays
      // decided, even when the decision raced this attempt's start.
      const rows = await tx.$queryRaw<{ id: string; inserted: boolean; previous_attempt: number | null; approvals: number }[]>`
      WITH previous AS (
        SELECT attempt, run_id FROM approval_requests
        WHERE workflow_id = ${attempt.workflowId} AND activity_id = ${attempt.activityId}
      )
      INSERT INTO approval_requests AS r (
        id, workflow_id, run_id, activity_id, attempt, task_token, request, title, customer,
        amount, currency, status, requested_at, deadline, updated_at,
        workflow_type, requester, policy_name, quorum, four_eyes, approver_groups, approver_users, escalate_groups, escalate_users
      ) VALUES (
        ${randomUUID()}::uuid, ${attempt.workflowId}, ${attempt.runId}, ${attempt.activityId}, ${attempt.attempt},
        ${attempt.taskToken ? Buffer.from(attempt.taskToken) : null}, ${JSON.stringify(request)}::jsonb, ${columns.title}, ${columns.customer},
        ${columns.amount}::numeric, ${columns.currency},
        'PENDING'::"ApprovalStatus", ${attempt.requestedAt}, ${attempt.deadline}, now(),
        ${attempt.workflowType}, ${columns.requester}, ${routing.policyName}, ${routing.quorum}, ${routing.fourEyes},
        ${routing.approverGroups}::text[], ${routing.approverUsers}::text[], ${routing.escalateGroups}::text[], ${routing.escalateUsers}::text[]
      )
      ON CONFLICT (workflow_id, activity_id) DO UPDATE SET
        run_id = EXCLUDED.run_id,
        attempt = EXCLUDED.attempt,
        -- The reconciler has no token: it never replaces the activity's own.
        task_token = CASE WHEN EXCLUDED.task_token IS NULL AND r.attempt = EXCLUDED.attempt AND r.run_id = EXCLUDED.run_id
          THEN r.task_token ELSE EXCLUDED.task_token END,
        -- A re-issued request is escalated: whoever held it lets go.
        claimed_by = CASE WHEN r.attempt = EXCLUDED.attempt AND r.run_id = EXCLUDED.run_id THEN r.claimed_by END,
        claimed_at = CASE WHEN r.attempt = EXCLUDED.attempt AND r.run_id = EXCLUDED.run_id THEN r.claimed_at END,
        request = EXCLUDED.request,
        title = EXCLUDED.title,
        customer = EXCLUDED.customer,
        amount = EXCLUDED.amount,
        currency = EXCLUDED.currency,
        status = 'PENDING'::"ApprovalStatus",
        requested_at = EXCLUDED.requested_at,
        deadline = EXCLUDED.deadline,
        decided_by = NULL, decided_at = NULL, decision_path = NULL, comment = NULL, reason = NULL,
        decided_for = NULL, values = NULL,
        workflow_type = coalesce(EXCLUDED.workflow_type, r.workflow_type),
        requester = EXCLUDED.requester,
        policy_name = EXCLUDED.policy_name,
        quorum = EXCLUDED.quorum,
        four_eyes = EXCLUDED.four_eyes,
        approver_groups = EXCLUDED.approver_groups,
        approver_users = EXCLUDED.approver_users,
        escalate_groups = EXCLUDED.escalate_groups,
        escalate_users = EXCLUDED.escalate_users,
        -- Approvals carry over to the next window of the same run; a new run starts from none.
        approvals = CASE WHEN r.run_id = EXCLUDED.run_id THEN r.approvals ELSE 0 END,
        updated_at = now()
      -- A newer run of the workflow id starts over; a late write of an older run never does.
      WHERE (r.run_id <> EXCLUDED.run_id AND r.requested_at <= EXCLUDED.requested_at)
        OR (r.run_id = EXCLUDED.run_id AND r.status = 'PENDING' AND r.attempt <= EXCLUDED.attempt)
      RETURNING r.id, r.approvals, (SELECT count(*) = 0 FROM previous) AS inserted,
        (SELECT attempt FROM previous WHERE run_id = ${attempt.runId}) AS previous_attempt`;

      const row = rows[0];
      if (!row) {
        const current = await tx.approvalRequest.findUniqueOrThrow({
          where: { workflowId_activityId: { workflowId: attempt.workflowId, activityId: attempt.activityId } },
          select: { id: true, approvals: true },
        });
        return { id: current.id, outcome: 'STALE' as const, approvals: current.approvals };
      }
      const reissued = !row.inserted && row.previous_attempt !== null && row.previous_attempt < attempt.attempt;
      const outcome = reissued ? ('REISSUED' as const) : ('REQUESTED' as const);
      if (row.inserted || row.previous_attempt !== attempt.attempt) {
        // Reviewers hear of it (mail), and so do webhooks: a new request, or a re-issued (escalated) one.
        await emitApprovalEvent(tx, {
          type: outcome === 'REISSUED' ? 'escalated' : 'requested',
          approvalId: row.id,
          runId: attempt.runId,
          attempt: attempt.attempt,
          at: new Date().toISOString(),
        });
        await tx.auditEvent.create({
          data: {
            approvalRequestId: row.id,
            actor: recordedBy,
            action: outcome,
            path: recordedBy === 'worker' ? 'WORKER' : 'RECONCILER',
            details: { attempt: attempt.attempt, runId: attempt.runId, deadline: attempt.deadline.toISOString() },
          },
        });
      }
      return { id: row.id, outcome, approvals: row.approvals };
    }),
  );
}
