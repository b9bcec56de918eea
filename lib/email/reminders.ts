// Reminders: a pending request that is due soon (lib/format.ts's rule: the
// last 10% of its window, and at most 2 hours before the deadline) gets one
// `reminder` event per window; the event's dedupe key makes it one.
import type { Db } from '../db';
import { DUE_SOON_MAX_MS } from '../format';
import { emitApprovalEvent } from '../outbox/emit';

/** Emits the reminders now due; returns how many were new. */
export async function emitDueReminders(db: Db, now = new Date()): Promise<number> {
  const due = await db.$queryRaw<{ id: string; run_id: string; attempt: number }[]>`
    SELECT r.id::text AS id, r.run_id, r.attempt FROM approval_requests r
    WHERE r.status = 'PENDING' AND r.deadline > ${now}
      -- deadlineUrgency's 'soon': less than min(2 h, 10% of the window) left.
      AND r.deadline - LEAST(make_interval(secs => ${DUE_SOON_MAX_MS / 1000}), GREATEST(r.deadline - r.requested_at, interval '0') * 0.1) <= ${now}
      AND NOT EXISTS (SELECT 1 FROM outbox_messages o
        WHERE o.dedupe_key = 'event:reminder:' || r.id::text || ':' || r.run_id || ':' || r.attempt::text)
    LIMIT 500`;
  let added = 0;
  for (const row of due) {
    const isNew = await emitApprovalEvent(db, {
      type: 'reminder',
      approvalId: row.id,
      runId: row.run_id,
      attempt: row.attempt,
      at: now.toISOString(),
    });
    if (isNew) added++;
  }
  return added;
}
