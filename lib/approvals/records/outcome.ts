// Records how an approval ended, once Temporal knows: called by the workflow
// (through an activity) and by the reconciler (reading history). A decision
// made outside Countersign (the temporal CLI, another SDK) reaches the inbox
// this way: the database follows Temporal.
//
// Nothing here writes DASHBOARD, API or EMAIL: only Countersign's own decision
// (commands/decide.ts) does. A decision arriving here was made by whoever
// completed the activity, and names whichever reviewer its caller chose.
import { randomUUID } from 'node:crypto';
import type { ApprovalKey, ApprovalOutcome, ApprovalRequest } from '../../contract/approval';
import type { ApprovalStatus, CountersignPath, DecisionPath } from '../../contract/statuses';
import type { Db } from '../../db';
import { requestColumns } from './columns';
import { emitApprovalEvent } from '../../outbox/emit';
import { Prisma } from '@prisma/client';
import { LEASED_SQL, LeaseHeldError, waitingOutLeases } from './lease';

export interface OutcomeSource {
  /** Who noticed: the workflow itself, or the reconciler. */
  recordedBy: 'workflow' | 'reconciler';
  /** When it happened, if known (history event time); else now. */
  at?: Date;
}

type Path = Exclude<DecisionPath, CountersignPath>;

/** A decision seen in Temporal is EXTERNAL whatever its result says (`via` included): anyone with Temporal access can send one. */
function pathOf(outcome: ApprovalOutcome, source: OutcomeSource): Path {
  if (outcome.status === 'APPROVED' || outcome.status === 'REJECTED') return 'EXTERNAL';
  return source.recordedBy === 'reconciler' ? 'RECONCILER' : 'WORKER';
}

function columnsOf(outcome: ApprovalOutcome) {
  switch (outcome.status) {
    case 'APPROVED':
      return { decidedBy: outcome.decidedBy, comment: outcome.comment ?? null, reason: null };
    case 'REJECTED':
      return { decidedBy: outcome.decidedBy, comment: null, reason: outcome.reason };
    case 'EXPIRED':
      return { decidedBy: null, comment: null, reason: 'No decision within the approval windows' };
    default:
      return { decidedBy: outcome.by ?? null, comment: null, reason: outcome.reason ?? null };
  }
}

/**
 * Closes the request. With the request given, this is the workflow's own
 * record, and it is authoritative: the workflow is what Temporal's outcome
 * reached. It closes a pending row, creates the row closed when the decision
 * outran the activity's own write (so that late write cannot reopen it), takes
 * over a row left by an older run, and corrects a row closed differently (a
 * decision Temporal accepted after the workflow had withdrawn the approval).
 * A decision the dashboard recorded is never overwritten: no other run takes
 * over its row, and this run may only correct it to CANCELLED (the withdrawn
 * case, ARCHITECTURE.md "Cancelled means cancelled").
 * Without the request (the reconciler), only a pending row of this run changes.
 * Returns true when this call changed the row.
 */
export async function recordApprovalOutcome(
  db: Db,
  key: ApprovalKey,
  outcome: ApprovalOutcome,
  request: ApprovalRequest | null,
  source: OutcomeSource = { recordedBy: 'workflow' },
): Promise<boolean> {
  const { decidedBy, comment, reason } = columnsOf(outcome);
  const path = pathOf(outcome, source);
  const at = source.at ?? new Date();
  // A Countersign decision in flight (its row leased, ./lease.ts) is waited for, then seen: this record never takes it over.
  return waitingOutLeases(() =>
    db.$transaction(async (tx) => {
      const [previous] = await tx.$queryRaw<{ status: ApprovalStatus; run_id: string; leased: boolean }[]>`
      SELECT status::text AS status, run_id, ${Prisma.raw(LEASED_SQL)} AS leased FROM approval_requests
      WHERE workflow_id = ${key.workflowId} AND activity_id = ${key.activityId} FOR UPDATE`;
      if (previous?.status === 'PENDING' && previous.leased) throw new LeaseHeldError();
      let rows: { id: string; attempt: number }[];
      if (request) {
        const columns = requestColumns(request);
        rows = await tx.$queryRaw<{ id: string; attempt: number }[]>`
        INSERT INTO approval_requests AS r (
          id, workflow_id, run_id, activity_id, attempt, request, title, customer, amount, currency,
          status, requested_at, deadline, decided_by, decided_at, decision_path, comment, reason, updated_at
        ) VALUES (
          ${randomUUID()}::uuid, ${key.workflowId}, ${key.runId}, ${key.activityId}, 1, ${JSON.stringify(request)}::jsonb,
          ${columns.title}, ${columns.customer}, ${columns.amount}::numeric, ${columns.currency},
          ${outcome.status}::"ApprovalStatus", ${at}, ${at}, ${decidedBy}, ${at}, ${path}::"DecisionPath",
          ${comment}, ${reason}, now()
        )
        ON CONFLICT (workflow_id, activity_id) DO UPDATE SET
          run_id = EXCLUDED.run_id,
          status = EXCLUDED.status,
          decided_by = EXCLUDED.decided_by,
          decided_at = EXCLUDED.decided_at,
          decision_path = EXCLUDED.decision_path,
          comment = EXCLUDED.comment,
          reason = EXCLUDED.reason,
          task_token = NULL,
          updated_at = now()
        WHERE (r.run_id = EXCLUDED.run_id AND (
            r.status = 'PENDING'
            OR (r.status <> EXCLUDED.status AND (NOT (r.status IN ('APPROVED', 'REJECTED') AND coalesce(r.decision_path IN ('DASHBOARD', 'API', 'EMAIL'), false)) OR EXCLUDED.status = 'CANCELLED'))
          ))
          OR (r.run_id <> EXCLUDED.run_id AND r.requested_at <= EXCLUDED.requested_at
            AND NOT (r.status IN ('APPROVED', 'REJECTED') AND coalesce(r.decision_path IN ('DASHBOARD', 'API', 'EMAIL'), false)))
        RETURNING r.id, r.attempt`;
      } else {
        rows = await tx.$queryRaw<{ id: string; attempt: number }[]>`
        UPDATE approval_requests SET
          status = ${outcome.status}::"ApprovalStatus", decided_by = ${decidedBy}, decided_at = ${at},
          decision_path = ${path}::"DecisionPath", comment = ${comment}, reason = ${reason},
          task_token = NULL, updated_at = now()
        WHERE workflow_id = ${key.workflowId} AND activity_id = ${key.activityId} AND run_id = ${key.runId} AND status = 'PENDING'
        RETURNING id, attempt`;
      }
      const row = rows[0];
      if (!row) return false;
      if (outcome.status === 'APPROVED' || outcome.status === 'REJECTED' || outcome.status === 'EXPIRED') {
        await emitApprovalEvent(tx, {
          type: outcome.status === 'EXPIRED' ? 'expired' : 'decided',
          approvalId: row.id,
          runId: key.runId,
          attempt: row.attempt,
          at: at.toISOString(),
          ...(outcome.status === 'EXPIRED' ? {} : { status: outcome.status, decidedBy: outcome.decidedBy }),
        });
      }
      const corrected = previous && previous.run_id === key.runId && previous.status !== 'PENDING' ? { corrected: previous.status } : {};
      await tx.auditEvent.create({
        data: {
          approvalRequestId: row.id,
          actor: decidedBy ?? source.recordedBy,
          action: outcome.status,
          path,
          at,
          details: { recordedBy: source.recordedBy, ...corrected },
        },
      });
      return true;
    }),
  );
}
