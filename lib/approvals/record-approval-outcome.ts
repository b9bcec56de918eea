// Called by the workflow (through an activity) once it knows how its approval
// ended. A decision made outside Countersign (the temporal CLI, another SDK)
// reaches the inbox this way: the database follows Temporal.
import { randomUUID } from 'node:crypto';
import type { ApprovalOutcome, ApprovalRequest } from '../approval-contract';
import type { Db } from '../db';
import { requestColumns } from './record-approval-request';

export interface ApprovalKey {
  workflowId: string;
  runId: string;
  activityId: string;
}

/**
 * Marks the request decided unless Countersign already has the decision.
 * When the decision outran the activity's own write (completed by id the
 * moment it started), the row is created decided, so that late write cannot
 * reopen it. Returns true when this call recorded the decision.
 */
export async function recordApprovalOutcome(db: Db, key: ApprovalKey, outcome: ApprovalOutcome, request: ApprovalRequest): Promise<boolean> {
  const columns = requestColumns(request);
  const comment = outcome.status === 'APPROVED' ? (outcome.comment ?? null) : null;
  const reason = outcome.status === 'REJECTED' ? outcome.reason : null;
  return db.$transaction(async (tx) => {
    // A dashboard decision holds the row lock until it commits; this then
    // sees the row decided and leaves it alone.
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO approval_requests AS r (
        id, workflow_id, run_id, activity_id, attempt, request, title, customer, amount, currency,
        status, requested_at, deadline, decided_by, decided_at, decision_path, comment, reason, updated_at
      ) VALUES (
        ${randomUUID()}::uuid, ${key.workflowId}, ${key.runId}, ${key.activityId}, 1, ${JSON.stringify(request)}::jsonb,
        ${columns.title}, ${columns.customer}, ${columns.amount}::numeric, ${columns.currency},
        ${outcome.status}::"ApprovalStatus", now(), now(), ${outcome.decidedBy}, now(), 'EXTERNAL'::"DecisionPath",
        ${comment}, ${reason}, now()
      )
      ON CONFLICT (workflow_id, activity_id) DO UPDATE SET
        status = EXCLUDED.status,
        decided_by = EXCLUDED.decided_by,
        decided_at = EXCLUDED.decided_at,
        decision_path = EXCLUDED.decision_path,
        comment = EXCLUDED.comment,
        reason = EXCLUDED.reason,
        task_token = NULL,
        updated_at = now()
      WHERE r.status = 'PENDING' AND r.run_id = EXCLUDED.run_id
      RETURNING r.id`;
    const row = rows[0];
    if (!row) return false;
    await tx.auditEvent.create({
      data: { approvalRequestId: row.id, actor: outcome.decidedBy, action: outcome.status, path: 'EXTERNAL', details: { recordedBy: 'workflow' } },
    });
    return true;
  });
}
