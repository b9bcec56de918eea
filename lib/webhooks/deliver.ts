// The WEBHOOK outbox handler: POSTs one delivery to its endpoint, signed with
// the endpoint's secret. The dispatcher retries what this reports as a
// retryable failure (any answer but 2xx, a network error, a timeout), so a
// receiver may see a delivery more than once: `Countersign-Delivery` (the
// outbox message id) is the same on every attempt, for it to dedupe by.
import type { Db } from '../db';
import type { OutboxHandler, OutboxMessageRow, SendResult } from '../outbox/dispatcher';
import type { WebhookEventData } from './fanout';
import { signWebhook } from './signature';

export { verifyWebhookSignature, signWebhook } from './signature';

export const WEBHOOK_TIMEOUT_MS = 10_000;

/** The JSON body: the same on every attempt of a delivery. */
export interface WebhookBody {
  /** The delivery's id, as in `Countersign-Delivery`. */
  id: string;
  type: string;
  data: WebhookEventData;
}

const SUMMARY: Record<WebhookEventData['type'], string> = {
  requested: 'Approval requested:',
  decided: 'Approval decided:',
  expired: 'Approval expired:',
  escalated: 'Approval escalated:',
  reminder: 'Reminder, approval waiting:',
};

/** Slack's mrkdwn treats these three as markup. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack-compatible incoming-webhook body: one line of text with a link to the request. */
export function slackText(data: WebhookEventData): string {
  const { request } = data;
  const parts = [`${SUMMARY[data.type]} <${request.url}|${slackEscape(request.title)}>`];
  if (request.amount !== null) parts.push(`${request.amount}${request.currency ? ` ${request.currency}` : ''}`);
  if (data.type === 'decided') parts.push(`${request.status}${data.decidedBy ? ` by ${slackEscape(data.decidedBy)}` : ''}`);
  return parts.join(' · ');
}

/** What a delivery sends, by the endpoint's format. */
export function webhookBody(messageId: string, data: WebhookEventData, format: string): string {
  if (format === 'slack') return JSON.stringify({ text: slackText(data) });
  const body: WebhookBody = { id: messageId, type: data.type, data };
  return JSON.stringify(body);
}

function isEventData(payload: unknown): payload is WebhookEventData {
  if (!payload || typeof payload !== 'object') return false;
  const { type, request } = payload as { type?: unknown; request?: unknown };
  return typeof type === 'string' && type in SUMMARY && !!request && typeof request === 'object';
}

/** Sends one WEBHOOK outbox message. */
export async function deliverWebhook(message: OutboxMessageRow, db: Db): Promise<SendResult> {
  if (!message.webhookId) return { ok: false, error: 'the webhook was deleted', retryable: false };
  const webhook = await db.webhook.findUnique({
    where: { id: message.webhookId },
    select: { url: true, secret: true, format: true, active: true },
  });
  if (!webhook) return { ok: false, error: 'the webhook was deleted', retryable: false };
  if (!webhook.active) return { ok: false, error: 'the webhook is inactive', retryable: false };
  if (!isEventData(message.payload)) return { ok: false, error: 'the delivery has no event to send', retryable: false };

  const body = webhookBody(message.id, message.payload, webhook.format);
  const timestamp = Math.floor(Date.now() / 1000);
  let response: Response;
  try {
    response = await fetch(webhook.url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Countersign-Webhooks/1',
        'Countersign-Event': message.payload.type,
        'Countersign-Delivery': message.id,
        'Countersign-Timestamp': String(timestamp),
        'Countersign-Signature': signWebhook(webhook.secret, timestamp, body),
      },
    });
  } catch (error) {
    return { ok: false, error: describeFetchError(error), retryable: true };
  }
  // The answer's body is not read beyond a little, for the log: receivers owe us nothing but the status.
  const statusCode = response.status;
  if (statusCode >= 200 && statusCode < 300) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: true, statusCode };
  }
  const excerpt = await readExcerpt(response);
  const redirect =
    statusCode >= 300 && statusCode < 400 ? ` (redirects are not followed: ${response.headers.get('location') ?? 'no location'})` : '';
  return { ok: false, statusCode, retryable: true, error: `HTTP ${statusCode}${redirect}${excerpt ? `: ${excerpt}` : ''}` };
}

async function readExcerpt(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, 200).trim();
  } catch {
    return '';
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** The worker's handlers for webhook deliveries: spread into dispatchOutbox's `handlers`. */
export const webhookHandlers = { WEBHOOK: deliverWebhook } satisfies Partial<Record<'WEBHOOK', OutboxHandler>>;
