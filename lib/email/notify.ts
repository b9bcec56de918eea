// Email for reviewers, from the outbox: an approval event becomes one EMAIL
// message per reviewer who should hear of it (in the transaction that fans the
// event out), and each EMAIL message is sent through SMTP with a decision link
// made at send time (a resend makes a new link; only its hash is stored).
// A reviewer who is away is mailed as before, and so is the colleague who
// decides in their place: once, naming whom they stand in for.
import type { Prisma } from '@prisma/client';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../db';
import { formatMoney, formatTimestamp } from '../format';
import type { ApprovalEvent, ApprovalEventType } from '../outbox/emit';
import { enqueueOutbox } from '../outbox/emit';
import type { OutboxMessageRow, SendResult } from '../outbox/dispatcher';
import { createDecisionLink, decisionLinkUrl, reviewerEligibility, ROUTING_COLUMNS, type LinkedRequest } from './links';

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
 * The people to mail about a pending request, now, among those who want mail:
 * - active reviewers (or admins) routed to it in its current window (the
 *   escalation people from window 2), less its requester under four eyes,
 *   less whoever has approved in this run;
 * - and the delegate of each such reviewer who is away now, when the delegate
 *   is active, not routed to it themselves (they are mailed as themselves, or
 *   not at all), not its requester under four eyes, and has not approved in
 *   this run: once, however many they stand in for.
 * The same rules as eligibility.ts's eligibilityOf (isRouted, then the
 * delegators) and eligible-people.ts; each mail asks eligibilityOf itself
 * again before it is sent.
 */
export async function mailRecipients(tx: Pick<Tx, '$queryRaw'>, approvalId: string, now = new Date()): Promise<string[]> {
  const rows = await tx.$queryRaw<{ email: string }[]>`
    WITH routed AS (
      SELECT u.id, u.email, u.email_notifications, u.away_until, u.delegate_id, r.id AS request_id, r.run_id, r.four_eyes, r.requester
      FROM approval_requests r, users u
      WHERE r.id = CAST(${approvalId} AS uuid) AND r.status = 'PENDING'
        AND u.active AND u.role IN ('REVIEWER', 'ADMIN')
        AND (
          (cardinality(r.approver_groups) = 0 AND cardinality(r.approver_users) = 0)
          OR u.email = ANY(r.approver_users)
          OR (r.attempt >= 2 AND u.email = ANY(r.escalate_users))
          OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
            WHERE gm.user_id = u.id AND (g.name = ANY(r.approver_groups) OR (r.attempt >= 2 AND g.name = ANY(r.escalate_groups))))
        )
    ),
    open AS (
      SELECT * FROM routed p
      WHERE NOT (p.four_eyes AND p.requester IS NOT DISTINCT FROM p.email)
        AND NOT EXISTS (SELECT 1 FROM approval_votes v WHERE v.approval_request_id = p.request_id AND v.run_id = p.run_id
          AND (v.voter = p.email OR v.actor = p.email))
    )
    SELECT o.email FROM open o WHERE o.email_notifications
    UNION
    SELECT d.email FROM open o JOIN users d ON d.id = o.delegate_id
    WHERE o.away_until > ${now} AND d.active AND d.email_notifications
      AND NOT EXISTS (SELECT 1 FROM routed p WHERE p.id = d.id)
      AND NOT (o.four_eyes AND o.requester IS NOT DISTINCT FROM d.email)
      AND NOT EXISTS (SELECT 1 FROM approval_votes v WHERE v.approval_request_id = o.request_id AND v.run_id = o.run_id
        AND (v.voter = d.email OR v.actor = d.email))
    ORDER BY email`;
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

/** "a", "a and b", "a, b and c". */
const listed = (names: string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** Why a delegate gets this mail: whom they stand in for, in one sentence. */
export function standingInWords(standsInFor: string[]): string | undefined {
  if (standsInFor.length === 0) return undefined;
  if (standsInFor.length === 1)
    return `You decide this on behalf of ${listed(standsInFor)}, who is away and has handed their requests to you.`;
  return `You decide this on behalf of ${listed(standsInFor)}, who are away and have handed their requests to you. Your decision counts once, for one of them.`;
}

/** The mail itself: what is asked, by when (and for whom, to a delegate), the decision link and the request in the inbox. */
export function renderMail(
  type: MailedEvent,
  request: Omit<LinkedRequest, 'decision'>,
  links: { decide: string; inbox: string },
  /** The away colleagues a delegate stands in for; none for a reviewer mailed as themselves. */
  standsInFor: string[] = [],
): RenderedMail {
  const subject = `${SUBJECTS[type]}: ${request.title}${standsInFor.length ? ` (for ${listed(standsInFor)})` : ''}`;
  const standing = standingInWords(standsInFor);
  const facts = [
    ['Request', request.title],
    ...(request.customer ? [['Customer', request.customer]] : []),
    ...(request.amount !== null ? [['Amount', formatMoney(request.amount, request.currency)]] : []),
    ...(request.requester ? [['Requested by', request.requester]] : []),
    ['Decide by', formatTimestamp(request.deadline)],
  ] as [string, string][];
  const text = [
    `${SUBJECTS[type]}.`,
    ...(standing ? ['', standing] : []),
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
    ...(standing ? [`<p>${escapeHtml(standing)}</p>`] : []),
    `<table>${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
    `<p><a href="${escapeHtml(links.decide)}">Approve or reject</a> (the page asks you to confirm)</p>`,
    `<p><a href="${escapeHtml(links.inbox)}">Open it in Countersign</a></p>`,
    '<p>The link is yours alone, works once, and only until the deadline above. Turn these emails off in Settings.</p>',
  ].join('\n');
  return { subject, text, html };
}

/**
 * Each step of a send is bounded (nodemailer waits up to 2 minutes to connect
 * and an hour on an idle socket by default): a send must end well within the
 * outbox lease (OUTBOX_LEASE, at least 15 s), or another worker could send it too.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 } as const;

/**
 * The EMAIL handler: re-reads the request (a request decided or re-issued
 * since needs no mail, a reviewer who turned mail off gets none, and neither
 * does one whom eligibilityOf no longer lets decide it: deactivated, approved
 * meanwhile, or a delegate whose colleague is back), makes the link, sends. A
 * failed send is retried by the dispatcher; its unused link expires with the
 * window.
 */
export function createEmailHandler(settings: MailSettings, transport?: Transporter) {
  const transporter = transport ?? (settings.smtpUrl ? nodemailer.createTransport({ url: settings.smtpUrl, ...SMTP_TIMEOUTS }) : undefined);
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
        deadline: true,
        status: true,
        runId: true,
        ...ROUTING_COLUMNS,
      },
    });
    if (!request || request.status !== 'PENDING' || request.runId !== payload.runId || request.attempt !== payload.attempt)
      return { ok: true };
    const person = await db.user.findUnique({ where: { email: payload.email }, select: { emailNotifications: true } });
    if (!person?.emailNotifications) return { ok: true };
    const eligible = await reviewerEligibility(db, payload.email, request);
    if (!eligible.ok) return { ok: true };
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
      eligible.standsInFor,
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
