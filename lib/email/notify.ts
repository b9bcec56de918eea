// Email for reviewers, from the outbox: an approval event becomes one EMAIL
// message per reviewer who should hear of it (in the transaction that fans the
// event out), and each EMAIL message is sent through SMTP with a decision link
// made at send time (a resend makes a new link; only its hash is stored).
import type { Prisma } from '@prisma/client';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../db';
import { formatMoney, formatTimestamp } from '../format';
import type { ApprovalEvent, ApprovalEventType } from '../outbox/emit';
import { enqueueOutbox } from '../outbox/emit';
import type { OutboxMessageRow, SendResult } from '../outbox/dispatcher';
import { createDecisionLink, decisionLinkUrl } from './links';

/** The events a reviewer is mailed about; a decided or expired request needs nobody any more. */
export const MAILED_EVENTS = ['requested', 'escalated', 'reminder'] as const satisfies readonly ApprovalEventType[];
type MailedEvent = (typeof MAILED_EVENTS)[number];
const isMailed = (type: ApprovalEventType): type is MailedEvent => (MAILED_EVENTS as readonly string[]).includes(type);

/** What an EMAIL message holds: enough to render the mail; never a token. */
export interface EmailPayload {
  type: MailedEvent;
  approvalId: string;
  runId: string;
  attempt: number;
  email: string;
  /** The EVENT message it came from: receivers may dedupe by it. */
  eventId: string;
}

type Tx = Prisma.TransactionClient;

/**
 * The people to mail about a pending request, now: active reviewers (or
 * admins) routed to it in its current window (the escalation people from
 * window 2), less its requester under four eyes, less whoever has approved
 * in this run, less those who turned mail off. The same rules as
 * eligibility.ts's isRouted and eligible-people.ts.
 */
export async function mailRecipients(tx: Pick<Tx, '$queryRaw'>, approvalId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ email: string }[]>`
    SELECT u.email FROM approval_requests r, users u
    WHERE r.id = CAST(${approvalId} AS uuid) AND r.status = 'PENDING'
      AND u.active AND u.email_notifications AND u.role IN ('REVIEWER', 'ADMIN')
      AND (
        (cardinality(r.approver_groups) = 0 AND cardinality(r.approver_users) = 0)
        OR u.email = ANY(r.approver_users)
        OR (r.attempt >= 2 AND u.email = ANY(r.escalate_users))
        OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
          WHERE gm.user_id = u.id AND (g.name = ANY(r.approver_groups) OR (r.attempt >= 2 AND g.name = ANY(r.escalate_groups))))
      )
      AND NOT (r.four_eyes AND r.requester IS NOT DISTINCT FROM u.email)
      AND NOT EXISTS (SELECT 1 FROM approval_votes v WHERE v.approval_request_id = r.id AND v.run_id = r.run_id
        AND (v.voter = u.email OR v.actor = u.email))
    ORDER BY u.email`;
  return rows.map((r) => r.email);
}

/**
 * Fans one event out into EMAIL messages, in the caller's transaction. Only
 * for the window the event is about: an event read after the request moved
 * on (decided, re-issued) mails nobody. Returns how many were added.
 */
export async function enqueueEmailsFor(tx: Tx, event: ApprovalEvent, eventId: string): Promise<number> {
  if (!isMailed(event.type)) return 0;
  const current = await tx.approvalRequest.findUnique({
    where: { id: event.approvalId },
    select: { status: true, runId: true, attempt: true },
  });
  if (!current || current.status !== 'PENDING' || current.runId !== event.runId || current.attempt !== event.attempt) return 0;
  let added = 0;
  for (const email of await mailRecipients(tx, event.approvalId)) {
    const payload: EmailPayload = {
      type: event.type,
      approvalId: event.approvalId,
      runId: event.runId,
      attempt: event.attempt,
      email,
      eventId,
    };
    const dedupeKey = `email:${event.type}:${event.approvalId}:${event.runId}:${event.attempt}:${email}`;
    if (await enqueueOutbox(tx, { kind: 'EMAIL', dedupeKey, payload: { ...payload } })) added++;
  }
  return added;
}

export interface MailSettings {
  /** Unset: no mail is sent (an EMAIL message is then marked sent, having nowhere to go). */
  smtpUrl: string | undefined;
  from: string;
  /** The web app's address, for the links. */
  baseUrl: string;
}

const SUBJECTS: Record<MailedEvent, string> = {
  requested: 'Approval requested',
  escalated: 'Approval escalated to you',
  reminder: 'Reminder: approval due soon',
};

function parsePayload(payload: unknown): EmailPayload {
  const p = payload as Partial<EmailPayload> | null;
  if (
    !p ||
    typeof p.approvalId !== 'string' ||
    typeof p.email !== 'string' ||
    typeof p.runId !== 'string' ||
    typeof p.attempt !== 'number'
  ) {
    throw new Error('EMAIL message without approvalId, runId, attempt and email');
  }
  if (!p.type || !isMailed(p.type)) throw new Error(`EMAIL message of an unknown type: ${String(p.type)}`);
  return p as EmailPayload;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The mail itself: what is asked, by when, the decision link and the request in the inbox. */
export function renderMail(
  type: MailedEvent,
  request: {
    id: string;
    title: string;
    customer: string | null;
    amount: string | null;
    currency: string | null;
    requester: string | null;
    deadline: Date;
  },
  links: { decide: string; inbox: string },
): RenderedMail {
  const subject = `${SUBJECTS[type]}: ${request.title}`;
  const facts = [
    ['Request', request.title],
    ...(request.customer ? [['Customer', request.customer]] : []),
    ...(request.amount !== null ? [['Amount', formatMoney(request.amount, request.currency)]] : []),
    ...(request.requester ? [['Requested by', request.requester]] : []),
    ['Decide by', formatTimestamp(request.deadline)],
  ] as [string, string][];
  const text = [
    `${SUBJECTS[type]}.`,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    `Approve or reject (the page asks you to confirm): ${links.decide}`,
    `Open it in Countersign: ${links.inbox}`,
    '',
    'The link is yours alone, works once, and only until the deadline above. Turn these emails off in Settings.',
  ].join('\n');
  const html = [
    `<p>${escapeHtml(SUBJECTS[type])}.</p>`,
    `<table>${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
    `<p><a href="${escapeHtml(links.decide)}">Approve or reject</a> (the page asks you to confirm)</p>`,
    `<p><a href="${escapeHtml(links.inbox)}">Open it in Countersign</a></p>`,
    '<p>The link is yours alone, works once, and only until the deadline above. Turn these emails off in Settings.</p>',
  ].join('\n');
  return { subject, text, html };
}

/**
 * The EMAIL handler: re-reads the request (a request decided or re-issued
 * since needs no mail, and a reviewer who turned mail off or was deactivated
 * gets none), makes the link, sends. A failed send is retried by the
 * dispatcher; its unused link expires with the window.
 */
export function createEmailHandler(settings: MailSettings, transport?: Transporter) {
  const transporter = transport ?? (settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : undefined);
  return async (message: OutboxMessageRow, db: Db): Promise<SendResult> => {
    const payload = parsePayload(message.payload);
    if (!transporter) return { ok: true };
    const request = await db.approvalRequest.findUnique({
      where: { id: payload.approvalId },
      select: {
        id: true,
        title: true,
        customer: true,
        amount: true,
        currency: true,
        requester: true,
        deadline: true,
        status: true,
        runId: true,
        attempt: true,
      },
    });
    if (!request || request.status !== 'PENDING' || request.runId !== payload.runId || request.attempt !== payload.attempt)
      return { ok: true };
    const person = await db.user.findUnique({ where: { email: payload.email }, select: { active: true, emailNotifications: true } });
    if (!person?.active || !person.emailNotifications) return { ok: true };
    const { token } = await createDecisionLink(db, {
      approvalRequestId: request.id,
      email: payload.email,
      runId: request.runId,
      attempt: request.attempt,
      expiresAt: request.deadline,
    });
    const mail = renderMail(
      payload.type,
      { ...request, amount: request.amount === null ? null : request.amount.toString() },
      { decide: decisionLinkUrl(settings.baseUrl, token), inbox: `${settings.baseUrl.replace(/\/+$/, '')}/inbox/${request.id}` },
    );
    await transporter.sendMail({
      from: settings.from,
      to: payload.email,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      // Receivers (and our tests) dedupe by the outbox message's id.
      headers: { 'X-Countersign-Message': message.id, 'X-Countersign-Event': payload.eventId },
    });
    return { ok: true };
  };
}
