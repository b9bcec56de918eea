// Called by the workflow (through an activity) once it knows how its approval
// ended. A decision made outside Countersign (the temporal CLI, another SDK)
// reaches the inbox this way: the database follows Temporal.
import type { ApprovalOutcome } from '../approval-contract';
import type { Db } from '../db';

export interface ApprovalKey {
  workflowId: string;
  runId: string;
  activityId: string;
}

/** Returns true when this call recorded the decision, false when Countersign already had it. */
export async function recordApprovalOutcome(db: Db, key: ApprovalKey, outcome: ApprovalOutcome): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await tx.approvalRequest.findFirst({ where: { ...key, status: 'PENDING' }, select: { id: true } });
    if (!row) return false;
    // Conditional update: a dashboard decision committing meanwhile wins.
    const updated = await tx.approvalRequest.updateMany({
      where: { id: row.id, status: 'PENDING' },
      data: {
        status: outcome.status,
        decidedBy: outcome.decidedBy,
        decidedAt: new Date(),
        decisionPath: 'EXTERNAL',
        comment: outcome.status === 'APPROVED' ? (outcome.comment ?? null) : null,
        reason: outcome.status === 'REJECTED' ? outcome.reason : null,
        taskToken: null,
      },
    });
    if (updated.count === 0) return false;
    await tx.auditEvent.create({
      data: { approvalRequestId: row.id, actor: outcome.decidedBy, action: outcome.status, path: 'EXTERNAL', details: { recordedBy: 'workflow' } },
    });
    return true;
  });
}
