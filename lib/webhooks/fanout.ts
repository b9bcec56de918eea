// An approval event, fanned out to the webhooks subscribed to it: one WEBHOOK
// outbox message per endpoint, in the dispatcher's transaction. The message's
// payload is the delivery body's `data`, read from the request row now, so
// every attempt sends the same body; it never holds a task token.
import type { Prisma } from '@prisma/client';
import { enqueueOutbox, type ApprovalEvent, type ApprovalEventType } from '../outbox/emit';

/** A delivery's `data`: what happened to which request. */
export type WebhookEventData = {
  type: ApprovalEventType;
  /** The EVENT outbox message it came from. */
  eventId: string;
  at: string;
  request: {
    id: string;
    title: string;
    status: string;
    amount: string | null;
    currency: string | null;
    url: string;
  };
  decidedBy: string | null;
};

/**
 * Where links in deliveries point: the dashboard's own address. Read here, not
 * through authEnv(), because the worker (which fans out) has no auth secret.
 */
function dashboardUrl(): string {
  const configured = process.env.NEXTAUTH_URL;
  return (configured && /^https?:\/\//.test(configured) ? configured : 'http://localhost:3000').replace(/\/+$/, '');
}

export function requestUrl(approvalId: string): string {
  return `${dashboardUrl()}/inbox/${encodeURIComponent(approvalId)}`;
}

/** Enqueues a delivery of `event` for each active webhook subscribed to its type. Returns how many. */
export async function fanOutToWebhooks(tx: Prisma.TransactionClient, event: ApprovalEvent, eventId: string): Promise<number> {
  const webhooks = await tx.webhook.findMany({ where: { active: true, events: { has: event.type } }, select: { id: true } });
  if (webhooks.length === 0) return 0;
  const request = await tx.approvalRequest.findUnique({
    where: { id: event.approvalId },
    select: { id: true, title: true, status: true, amount: true, currency: true, decidedBy: true },
  });
  // A request that is gone (never, for a request with events) has nothing to tell.
  if (!request) return 0;
  const data: WebhookEventData = {
    type: event.type,
    eventId,
    at: event.at,
    request: {
      id: request.id,
      title: request.title,
      status: event.status ?? request.status,
      amount: request.amount?.toFixed(2) ?? null,
      currency: request.currency,
      url: requestUrl(request.id),
    },
    decidedBy: event.decidedBy ?? (event.type === 'decided' ? request.decidedBy : null),
  };
  let added = 0;
  for (const webhook of webhooks) {
    const enqueued = await enqueueOutbox(tx, {
      kind: 'WEBHOOK',
      dedupeKey: `webhook:${webhook.id}:${eventId}`,
      payload: data,
      webhookId: webhook.id,
    });
    if (enqueued) added++;
  }
  return added;
}
