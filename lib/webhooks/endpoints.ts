// Webhook endpoints as admins manage them: create (the secret is returned
// once, then stays server-side), edit, delete, the delivery log and "send
// again". Admins only, checked here; every change is one audit event with no
// request (path DASHBOARD), and no audit event ever holds the secret.
import type { Prisma } from '@prisma/client';
import { z } from 'zod';
import { isAdmin, notAllowed, type Role } from '../auth/access';
import { CodedError } from '../coded-error';
import type { Db } from '../db';
import { APPROVAL_EVENT_TYPES, type ApprovalEventType } from '../outbox/emit';
import { sendAgain } from '../outbox/dispatcher';
import { generateWebhookSecret } from './signature';

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const WEBHOOK_ACTIONS = ['WEBHOOK_CREATED', 'WEBHOOK_UPDATED', 'WEBHOOK_DELETED', 'WEBHOOK_REDELIVERED'] as const;
export type WebhookAction = (typeof WEBHOOK_ACTIONS)[number];

/** The deliveries the log shows, newest first. */
export const DELIVERY_LOG_LIMIT = 100;

export class WebhookError extends CodedError<'NOT_FOUND' | 'CONFLICT'> {
  override readonly name = 'WebhookError';

  get httpStatus(): number {
    return this.code === 'NOT_FOUND' ? 404 : 409;
  }
}

const webhookNotFound = () => new WebhookError('NOT_FOUND', 'That webhook no longer exists. Reload the page.');

/** Whoever makes a change: their email is the audit event's actor. */
export interface WebhookActor {
  email: string;
  role: Role;
}

function requireAdmin(actor: WebhookActor): void {
  if (!isAdmin(actor)) throw notAllowed();
}

export const webhookUrlSchema = z
  .string()
  .trim()
  .min(1, 'Enter the URL Countersign should POST to.')
  .max(2000, 'At most 2,000 characters.')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'Enter a full http:// or https:// URL.');

export const webhookEventsSchema = z
  .array(z.enum(APPROVAL_EVENT_TYPES, { error: 'Choose from requested, decided, expired, escalated and reminder.' }))
  .min(1, 'Choose at least one event.')
  .transform((events) => APPROVAL_EVENT_TYPES.filter((type) => events.includes(type)));

export const webhookFormatSchema = z.enum(WEBHOOK_FORMATS, { error: 'Choose JSON or Slack.' });

export const createWebhookSchema = z.object({
  url: webhookUrlSchema,
  events: webhookEventsSchema,
  format: webhookFormatSchema.default('json'),
  active: z.boolean().default(true),
});
export type CreateWebhookInput = z.input<typeof createWebhookSchema>;

export const updateWebhookSchema = z.object({
  id: z.string().min(1, 'Choose a webhook.'),
  url: webhookUrlSchema,
  events: webhookEventsSchema,
  format: webhookFormatSchema,
  active: z.boolean(),
});
export type UpdateWebhookInput = z.input<typeof updateWebhookSchema>;

/** A webhook as pages see it: never its secret. */
export interface WebhookView {
  id: string;
  url: string;
  events: ApprovalEventType[];
  format: WebhookFormat;
  active: boolean;
  createdBy: string;
  createdAt: Date;
}

const VIEW = { id: true, url: true, events: true, format: true, active: true, createdBy: true, createdAt: true } as const;

function toView(row: Prisma.WebhookGetPayload<{ select: typeof VIEW }>): WebhookView {
  return {
    ...row,
    events: row.events.filter((e): e is ApprovalEventType => (APPROVAL_EVENT_TYPES as readonly string[]).includes(e)),
    format: row.format === 'slack' ? 'slack' : 'json',
  };
}

/** Creates a webhook; the answer holds its secret, which is never shown again. */
export async function createWebhook(
  db: Db,
  actor: WebhookActor,
  input: CreateWebhookInput,
): Promise<{ webhook: WebhookView; secret: string }> {
  requireAdmin(actor);
  const data = createWebhookSchema.parse(input);
  const secret = generateWebhookSecret();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.webhook.create({ data: { ...data, secret, createdBy: actor.email }, select: VIEW });
    await recordWebhookEvent(tx, actor, 'WEBHOOK_CREATED', {
      webhookId: created.id,
      url: created.url,
      events: created.events,
      format: created.format,
      active: created.active,
    });
    return created;
  });
  return { webhook: toView(row), secret };
}

/** Changes a webhook's URL, events, format or active flag. Returns what changed. */
export async function updateWebhook(
  db: Db,
  actor: WebhookActor,
  input: UpdateWebhookInput,
): Promise<{ webhook: WebhookView; changed: string[] }> {
  requireAdmin(actor);
  const { id, ...data } = updateWebhookSchema.parse(input);
  return db.$transaction(async (tx) => {
    const before = await tx.webhook.findUnique({ where: { id }, select: VIEW });
    if (!before) throw webhookNotFound();
    const changed = (['url', 'events', 'format', 'active'] as const).filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(data[key]),
    );
    if (changed.length === 0) return { webhook: toView(before), changed };
    const after = await tx.webhook.update({ where: { id }, data, select: VIEW });
    const from: Record<string, Prisma.InputJsonValue> = {};
    const to: Record<string, Prisma.InputJsonValue> = {};
    for (const key of changed) {
      from[key] = before[key];
      to[key] = after[key];
    }
    await recordWebhookEvent(tx, actor, 'WEBHOOK_UPDATED', { webhookId: id, url: after.url, from, to });
    return { webhook: toView(after), changed };
  });
}

/** Deletes a webhook. Its delivery log stays (unlinked); deliveries still pending fail, unsent. */
export async function deleteWebhook(db: Db, actor: WebhookActor, id: string): Promise<WebhookView> {
  requireAdmin(actor);
  return db.$transaction(async (tx) => {
    const row = await tx.webhook.findUnique({ where: { id }, select: VIEW });
    if (!row) throw webhookNotFound();
    await tx.webhook.delete({ where: { id } });
    await recordWebhookEvent(tx, actor, 'WEBHOOK_DELETED', { webhookId: id, url: row.url });
    return toView(row);
  });
}

export async function listWebhooks(db: Db, actor: WebhookActor): Promise<WebhookView[]> {
  requireAdmin(actor);
  const rows = await db.webhook.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: VIEW });
  return rows.map(toView);
}

export async function getWebhook(db: Db, actor: WebhookActor, id: string): Promise<WebhookView | null> {
  requireAdmin(actor);
  const row = await db.webhook.findUnique({ where: { id }, select: VIEW });
  return row ? toView(row) : null;
}

export interface WebhookDelivery {
  id: string;
  /** The event type it delivers. */
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
}

/** The newest deliveries of a webhook (its WEBHOOK outbox messages), newest first. */
export async function listWebhookDeliveries(
  db: Db,
  actor: WebhookActor,
  webhookId: string,
  limit = DELIVERY_LOG_LIMIT,
): Promise<WebhookDelivery[]> {
  requireAdmin(actor);
  const rows = await db.outboxMessage.findMany({
    where: { webhookId, kind: 'WEBHOOK' },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: {
      id: true,
      payload: true,
      status: true,
      attempts: true,
      lastStatusCode: true,
      lastError: true,
      createdAt: true,
      sentAt: true,
      nextAttemptAt: true,
    },
  });
  return rows.map(({ payload, ...row }) => ({
    ...row,
    event: payload && typeof payload === 'object' && !Array.isArray(payload) && typeof payload.type === 'string' ? payload.type : '',
  }));
}

/** An admin's "send again": a FAILED (or SENT) delivery of this webhook goes back to PENDING, with fresh attempts. */
export async function redeliverWebhookDelivery(db: Db, actor: WebhookActor, webhookId: string, deliveryId: string): Promise<void> {
  requireAdmin(actor);
  const delivery = await db.outboxMessage.findFirst({ where: { id: deliveryId, webhookId, kind: 'WEBHOOK' }, select: { status: true } });
  if (!delivery) throw new WebhookError('NOT_FOUND', 'That delivery is not in this webhook’s log. Reload the page.');
  await db.$transaction(async (tx) => {
    // sendAgain takes a Db; the transaction client runs the same raw statement.
    const again = await sendAgain(tx as unknown as Db, deliveryId);
    if (!again) throw new WebhookError('CONFLICT', 'That delivery is still being sent: only a sent or failed one can be sent again.');
    await recordWebhookEvent(tx, actor, 'WEBHOOK_REDELIVERED', { webhookId, deliveryId, previousStatus: delivery.status });
  });
}

type AuditWriter = Pick<Prisma.TransactionClient, 'auditEvent'>;

function recordWebhookEvent(
  tx: AuditWriter,
  actor: WebhookActor,
  action: WebhookAction,
  details: Prisma.InputJsonObject,
): Promise<unknown> {
  return tx.auditEvent.create({ data: { approvalRequestId: null, actor: actor.email, action, path: 'DASHBOARD', details } });
}
