// The gauges read from the shared database at each scrape: requests by status,
// the oldest pending request, the reconciler's lag and the outbox backlog.
// Three grouped queries, each answered from an index on (status, …).
import type { Db } from '../db';
import type { OutboxKind } from '../outbox/emit';
import { metrics, REQUEST_STATUSES } from './registry';

/** Every kind gets a series, 0 included. The Record fails the typecheck when OutboxKind gains a kind not listed here. */
const OUTBOX_KINDS = Object.keys({ EVENT: true, EMAIL: true, WEBHOOK: true } satisfies Record<OutboxKind, true>);

export interface OutboxKindSnapshot {
  /** PENDING and due (next attempt at or before now). */
  due: number;
  /** Seconds since the longest-waiting due message became due; 0 when none. */
  oldestDueSeconds: number;
  /** Given up on after the last retry. */
  failed: number;
}

export interface DatabaseMetrics {
  requestsByStatus: Record<string, number>;
  /** Seconds since the oldest pending request was first asked for; 0 when none. */
  oldestPendingSeconds: number;
  /** Seconds the most overdue pending request has been past its deadline; 0 when none. */
  reconcilerLagSeconds: number;
  outbox: Record<string, OutboxKindSnapshot>;
}

/** Seconds from `from` to `now`, never negative; 0 when there is no `from`. */
const secondsSince = (from: Date | null | undefined, now: Date): number =>
  from ? Math.max(0, (now.getTime() - new Date(from).getTime()) / 1000) : 0;

/** Reads the gauges' values as of `now`. */
export async function readDatabaseMetrics(db: Db, now: Date = new Date()): Promise<DatabaseMetrics> {
  const [statuses, pending, outbox] = await Promise.all([
    db.$queryRaw<{ status: string; count: number }[]>`
      SELECT status::text AS status, count(*)::int AS count FROM approval_requests GROUP BY status`,
    db.$queryRaw<{ oldest: Date | null; overdue: Date | null }[]>`
      SELECT min(requested_at) AS oldest, min(deadline) FILTER (WHERE deadline < ${now}) AS overdue
      FROM approval_requests WHERE status = 'PENDING'`,
    db.$queryRaw<{ kind: string; due: number; failed: number; oldest: Date | null }[]>`
      SELECT kind,
             (count(*) FILTER (WHERE status = 'PENDING' AND next_attempt_at <= ${now}))::int AS due,
             (count(*) FILTER (WHERE status = 'FAILED'))::int AS failed,
             min(next_attempt_at) FILTER (WHERE status = 'PENDING' AND next_attempt_at <= ${now}) AS oldest
      FROM outbox_messages WHERE status IN ('PENDING', 'FAILED') GROUP BY kind`,
  ]);
  const requestsByStatus: Record<string, number> = Object.fromEntries(REQUEST_STATUSES.map((status) => [status, 0]));
  for (const row of statuses) requestsByStatus[row.status] = Number(row.count);
  const byKind: Record<string, OutboxKindSnapshot> = Object.fromEntries(
    OUTBOX_KINDS.map((kind) => [kind, { due: 0, oldestDueSeconds: 0, failed: 0 }]),
  );
  for (const row of outbox)
    byKind[row.kind] = { due: Number(row.due), oldestDueSeconds: secondsSince(row.oldest, now), failed: Number(row.failed) };
  return {
    requestsByStatus,
    oldestPendingSeconds: secondsSince(pending[0]?.oldest, now),
    reconcilerLagSeconds: secondsSince(pending[0]?.overdue, now),
    outbox: byKind,
  };
}

/** Puts a snapshot into the gauges, replacing the last one whole (a kind or status that is gone leaves no stale series). */
export function publishDatabaseMetrics(snapshot: DatabaseMetrics): void {
  const m = metrics();
  m.requests.reset();
  for (const [status, count] of Object.entries(snapshot.requestsByStatus)) m.requests.set({ status }, count);
  m.oldestPendingSeconds.set(snapshot.oldestPendingSeconds);
  m.reconcilerLagSeconds.set(snapshot.reconcilerLagSeconds);
  for (const gauge of [m.outboxBacklog, m.outboxOldestDueSeconds, m.outboxFailed]) gauge.reset();
  for (const [kind, { due, oldestDueSeconds, failed }] of Object.entries(snapshot.outbox)) {
    m.outboxBacklog.set({ kind }, due);
    m.outboxOldestDueSeconds.set({ kind }, oldestDueSeconds);
    m.outboxFailed.set({ kind }, failed);
  }
}
