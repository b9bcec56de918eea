// Sends what the outbox holds: the worker runs `dispatchOutbox` in a loop.
// Each round leases a batch (FOR UPDATE SKIP LOCKED, then a lease time), so
// several workers share the work and never send one message at once; a
// worker that dies mid-send leaves a lease that runs out, and the message is
// sent again by another (at least once: receivers dedupe by the message id,
// which every email and delivery carries). A failure is retried with
// exponential backoff, up to a cap, then the message is FAILED (an admin may
// send it again).
import type { Db } from '../db';
import type { OutboxKind } from './emit';

export interface OutboxMessageRow {
  id: string;
  kind: OutboxKind;
  dedupeKey: string;
  payload: unknown;
  webhookId: string | null;
  /** This attempt's number, from 1. */
  attempts: number;
}

export type SendResult = { ok: true; statusCode?: number } | { ok: false; error: string; statusCode?: number; retryable: boolean };

/** How one kind of message is sent. A handler that throws counts as a retryable failure. */
export type OutboxHandler = (message: OutboxMessageRow, db: Db) => Promise<SendResult>;

export interface DispatchOptions {
  handlers: Partial<Record<OutboxKind, OutboxHandler>>;
  batchSize?: number;
  /** How long a leased message is this dispatcher's before another may take it. */
  leaseMs?: number;
  /** Backoff: base * 2^(attempt-1), at most max; after maxAttempts, FAILED. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  maxAttempts?: number;
  now?: () => Date;
}

export const OUTBOX_DEFAULTS = { batchSize: 20, leaseMs: 60_000, backoffBaseMs: 5_000, backoffMaxMs: 30 * 60_000, maxAttempts: 12 };

/** The pause before attempt `attempt + 1`, after `attempt` failed. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** One round: leases up to a batch of due messages, sends each, records the result. Returns how many it handled. */
export async function dispatchOutbox(db: Db, options: DispatchOptions): Promise<number> {
  const { batchSize, leaseMs, backoffBaseMs, backoffMaxMs, maxAttempts } = { ...OUTBOX_DEFAULTS, ...options };
  const clock = () => options.now?.() ?? new Date();
  const now = clock();
  const leasedUntil = new Date(now.getTime() + leaseMs);
  const leased = await db.$queryRaw<OutboxMessageRow[]>`
    UPDATE outbox_messages SET leased_until = ${leasedUntil}, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM outbox_messages
      WHERE status = 'PENDING' AND next_attempt_at <= ${now} AND (leased_until IS NULL OR leased_until < ${now})
      ORDER BY next_attempt_at, created_at
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, kind, dedupe_key AS "dedupeKey", payload, webhook_id AS "webhookId", attempts`;
  for (const message of leased) {
    // The batch is sent one message at a time, so a slow one can outlast the lease of those after it,
    // and another dispatcher may have taken them over: renew the lease only while it is still ours.
    const lease = new Date(clock().getTime() + leaseMs);
    const ours = await db.$executeRaw`
      UPDATE outbox_messages SET leased_until = ${lease}
      WHERE id = ${message.id} AND status = 'PENDING' AND leased_until = ${leasedUntil}`;
    if (ours === 0) continue;
    const handler = options.handlers[message.kind];
    let result: SendResult;
    try {
      result = handler ? await handler(message, db) : { ok: false, error: `no handler for ${message.kind}`, retryable: true };
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : String(error), retryable: true };
    }
    if (result.ok) {
      await db.$executeRaw`
        UPDATE outbox_messages SET status = 'SENT', sent_at = now(), leased_until = NULL, last_error = NULL,
          last_status_code = ${result.statusCode ?? null}
        WHERE id = ${message.id} AND leased_until = ${lease}`;
      continue;
    }
    const giveUp = !result.retryable || message.attempts >= maxAttempts;
    const next = new Date(clock().getTime() + backoffMs(message.attempts, backoffBaseMs, backoffMaxMs));
    await db.$executeRaw`
      UPDATE outbox_messages SET status = ${giveUp ? 'FAILED' : 'PENDING'}, next_attempt_at = ${next}, leased_until = NULL,
        last_error = ${result.error.slice(0, 1000)}, last_status_code = ${result.statusCode ?? null}
      WHERE id = ${message.id} AND leased_until = ${lease}`;
  }
  return leased.length;
}

/** Sends a FAILED (or SENT) message again: an admin's "send again". */
export async function sendAgain(db: Db, id: string): Promise<boolean> {
  const changed = await db.$executeRaw`
    UPDATE outbox_messages SET status = 'PENDING', next_attempt_at = now(), leased_until = NULL, attempts = 0
    WHERE id = ${id} AND status IN ('FAILED', 'SENT')`;
  return changed > 0;
}
