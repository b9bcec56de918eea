// What happened to a request, written to the durable outbox in the same
// transaction as the change itself: if the change commits, the event will be
// sent (the worker's dispatcher fans an EVENT out into the emails and webhook
// deliveries it causes); if it rolls back, no event exists. Each event is
// written once: its dedupe key names the request, the run, the window and
// what happened.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';

export const APPROVAL_EVENT_TYPES = ['requested', 'decided', 'expired', 'escalated', 'reminder'] as const;
export type ApprovalEventType = (typeof APPROVAL_EVENT_TYPES)[number];

export interface ApprovalEvent {
  type: ApprovalEventType;
  approvalId: string;
  runId: string;
  /** The window (activity attempt) it happened in. */
  attempt: number;
  /** ISO time. */
  at: string;
  /** For `decided`: APPROVED or REJECTED, and by whom. */
  status?: 'APPROVED' | 'REJECTED';
  decidedBy?: string;
}

/** The outbox kinds: an EVENT becomes EMAIL and WEBHOOK messages. */
export type OutboxKind = 'EVENT' | 'EMAIL' | 'WEBHOOK';

type Writer = { $executeRaw: Prisma.TransactionClient['$executeRaw'] };

/** Adds a message unless one with the same dedupe key exists. Returns whether it was added. */
export async function enqueueOutbox(
  tx: Writer,
  message: { kind: OutboxKind; dedupeKey: string; payload: Prisma.InputJsonValue; webhookId?: string | null; notBefore?: Date },
): Promise<boolean> {
  const added = await tx.$executeRaw`
    INSERT INTO outbox_messages (id, kind, dedupe_key, payload, webhook_id, status, attempts, next_attempt_at, created_at)
    VALUES (${randomUUID()}, ${message.kind}, ${message.dedupeKey}, ${JSON.stringify(message.payload)}::jsonb, ${message.webhookId ?? null},
      'PENDING', 0, ${message.notBefore ?? new Date()}, now())
    ON CONFLICT (dedupe_key) DO NOTHING`;
  return added > 0;
}

/** The outbox message of `event`: an EVENT, once per request, run, window and what happened. */
export function approvalEventMessage(event: ApprovalEvent): { kind: 'EVENT'; dedupeKey: string; payload: Prisma.InputJsonObject } {
  const what = event.type === 'decided' ? `decided-${event.status ?? ''}` : event.type;
  return { kind: 'EVENT', dedupeKey: `event:${what}:${event.approvalId}:${event.runId}:${event.attempt}`, payload: { ...event } };
}

/** Records that `event` happened, in the caller's transaction. */
export function emitApprovalEvent(tx: Writer, event: ApprovalEvent): Promise<boolean> {
  return enqueueOutbox(tx, approvalEventMessage(event));
}
