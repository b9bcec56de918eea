// The EVENT handler: one approval event becomes the EMAIL messages for the
// reviewers who should hear of it and the WEBHOOK deliveries subscribed to it,
// all in one transaction (a failure adds none, and the retry adds each once:
// every message has a dedupe key).
import type { Db } from '../db';
import { enqueueEmailsFor } from '../email/notify';
import { fanOutToWebhooks } from '../webhooks/fanout';
import { APPROVAL_EVENT_TYPES, type ApprovalEvent } from './emit';
import type { OutboxMessageRow, SendResult } from './dispatcher';

function parseEvent(payload: unknown): ApprovalEvent {
  const p = payload as Partial<ApprovalEvent> | null;
  if (
    !p ||
    typeof p.approvalId !== 'string' ||
    typeof p.runId !== 'string' ||
    typeof p.attempt !== 'number' ||
    !(APPROVAL_EVENT_TYPES as readonly unknown[]).includes(p.type)
  ) {
    throw new Error('EVENT message without a known type, approvalId, runId and attempt');
  }
  return p as ApprovalEvent;
}

/** `mail`: false when the worker has no SMTP_URL; the event then fans out to webhooks only. */
export function createEventHandler({ mail }: { mail: boolean }) {
  return async (message: OutboxMessageRow, db: Db): Promise<SendResult> => {
    const event = parseEvent(message.payload);
    await db.$transaction(async (tx) => {
      if (mail) await enqueueEmailsFor(tx, event, message.id);
      await fanOutToWebhooks(tx, event, message.id);
    });
    return { ok: true };
  };
}
