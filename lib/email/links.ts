// One-click decision links from email: a signed, single-use token for one
// reviewer and one window of one request. Only its SHA-256 is stored. Opening
// the link (GET, HEAD: scanners and link previews fetch every URL) only reads;
// the POST from its page marks it used, exactly once, and decides through
// decideApproval like every other path, so every policy holds here too. The
// page asks the same eligibility rule first, read-only, so a reviewer who may
// not decide is told why before pressing anything.
import { createHash, randomBytes } from 'node:crypto';
import { decisionSchemaSchema, type DecisionSchema } from '../contract/decision';
import type { ClosedStatus, DecisionPath } from '../contract/statuses';
import type { ApprovalDeps } from '../approvals/deps';
import { closedRefusal, closedSummary } from '../approvals/closed-sentences';
import { decideApproval, type DecidedApproval, type Decision } from '../approvals/commands/decide';
import { claimedByOther } from '../approvals/errors';
import { loadActor } from '../approvals/policy/actor';
import { eligibilityOf, type Eligibility, type RoutedRequest } from '../approvals/policy/eligibility';
import { readVotes } from '../approvals/policy/progress';
import { formatTimestamp } from '../format';
import type { Db } from '../db';
import { CodedError } from '../coded-error';

/** 32 random bytes, base64url: what the mail carries and the database never sees. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const hashLinkToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const decisionLinkUrl = (baseUrl: string, token: string) => `${baseUrl.replace(/\/+$/, '')}/decide/${token}`;

type LinkWriter = Pick<Db, 'decisionLink'>;

export interface NewDecisionLink {
  approvalRequestId: string;
  email: string;
  runId: string;
  attempt: number;
  /** The window's deadline: the link is no use after it. */
  expiresAt: Date;
}

/** Makes a link for one reviewer and one window; returns the token (only here, never stored) and the row's id. */
export async function createDecisionLink(db: LinkWriter, link: NewDecisionLink): Promise<{ id: string; token: string }> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const row = await db.decisionLink.create({ data: { ...link, tokenHash: hashLinkToken(token) }, select: { id: true } });
  return { id: row.id, token };
}

export interface LinkedRequest {
  id: string;
  title: string;
  customer: string | null;
  amount: string | null;
  currency: string | null;
  requester: string | null;
  deadline: Date;
  /** The request's decision schema, when it asks for values. */
  decision: DecisionSchema | undefined;
}

export type LinkRefusal = 'unknown' | 'used' | 'expired' | 'reissued' | 'closed';

export type InspectedLink =
  | {
      status: 'valid';
      linkId: string;
      email: string;
      /** The away colleague the link's reviewer would decide for (delegation), as the POST would record it. */
      onBehalfOf: string | null;
      request: LinkedRequest;
    }
  | {
      /** 'ineligible': the link itself is sound, but its reviewer may not decide the request now (the message says why). */
      status: Exclude<LinkRefusal, 'unknown'> | 'ineligible';
      message: string;
      request: LinkedRequest;
      /** The link's own reviewer decided the request (with this link or otherwise): how it ended, in words. */
      yours?: string;
    }
  | { status: 'unknown'; message: string };

const UNKNOWN = 'This link is not valid. Open the request in Countersign instead, or use the newest email about it.';

/** A request's row as a link reads it, its routing (for eligibility) included. */
interface RequestRow extends RoutedRequest {
  id: string;
  title: string;
  customer: string | null;
  amount: { toString(): string } | null;
  currency: string | null;
  requester: string | null;
  deadline: Date;
  request: unknown;
  status: string;
  runId: string;
  attempt: number;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionPath: DecisionPath | null;
  claimedBy: string | null;
  claimedAt: Date | null;
}

function linkedRequest(row: RequestRow): LinkedRequest {
  const raw = row.request && typeof row.request === 'object' ? (row.request as Record<string, unknown>).decision : undefined;
  const decision = raw === undefined || raw === null ? undefined : decisionSchemaSchema.safeParse(raw);
  return {
    id: row.id,
    title: row.title,
    customer: row.customer,
    amount: row.amount === null ? null : row.amount.toString(),
    currency: row.currency,
    requester: row.requester,
    deadline: row.deadline,
    decision: decision?.success ? decision.data : undefined,
  };
}

/** Why a link no longer decides anything, in words; undefined when it still does. */
function refusalOf(
  link: { usedAt: Date | null; expiresAt: Date; runId: string; attempt: number },
  row: RequestRow,
  now: Date,
): { status: Exclude<LinkRefusal, 'unknown'>; message: string } | undefined {
  const closed =
    row.status === 'PENDING'
      ? undefined
      : closedRefusal({
          status: row.status as ClosedStatus,
          decidedBy: row.decidedBy,
          decidedAt: row.decidedAt,
          windows: row.attempt,
          path: row.decisionPath,
        });
  if (link.usedAt) {
    return { status: 'used', message: `This link was already used at ${formatTimestamp(link.usedAt)}.${closed ? ` ${closed}` : ''}` };
  }
  if (closed) return { status: 'closed', message: closed };
  if (link.runId !== row.runId || link.attempt !== row.attempt) {
    return {
      status: 'reissued',
      message:
        'This link was for an earlier approval window: the request has been re-issued since. Use the newest email about it, or open it in Countersign.',
    };
  }
  if (link.expiresAt <= now) {
    return { status: 'expired', message: `This link expired at ${formatTimestamp(link.expiresAt)}, when its approval window ended.` };
  }
  return undefined;
}

/** The columns of a request that eligibility reads (with its id and runId, for the votes). */
export const ROUTING_COLUMNS = {
  policyName: true,
  quorum: true,
  fourEyes: true,
  approverGroups: true,
  approverUsers: true,
  escalateGroups: true,
  escalateUsers: true,
  attempt: true,
  requester: true,
} as const;

const REQUEST_COLUMNS = {
  id: true,
  title: true,
  customer: true,
  amount: true,
  currency: true,
  deadline: true,
  request: true,
  status: true,
  runId: true,
  decidedBy: true,
  decidedAt: true,
  decisionPath: true,
  claimedBy: true,
  claimedAt: true,
  ...ROUTING_COLUMNS,
} as const;

const NOT_ACTIVE = 'Your account is not active. Sign in again, or ask an admin.';

/** Eligibility, and when the reviewer would decide for someone away: every away colleague they may stand in for here. */
export type ReviewerEligibility = (Extract<Eligibility, { ok: true }> & { standsInFor: string[] }) | Extract<Eligibility, { ok: false }>;

/**
 * May `email` decide this pending request now? eligibilityOf (the rule every
 * command asks), with the person loaded and the run's votes read as
 * decideApproval loads and reads them; reads only. Mail asks it before
 * sending, and a link's page before showing any button.
 */
export async function reviewerEligibility(
  db: Db,
  email: string,
  request: RoutedRequest & { id: string; runId: string },
  now = new Date(),
): Promise<ReviewerEligibility> {
  const [actor, votes] = await Promise.all([loadActor(db, email, now), readVotes(db, request.id, request.runId)]);
  if (!actor) return { ok: false, reason: NOT_ACTIVE };
  const eligible = eligibilityOf(request, actor, votes);
  if (!eligible.ok) return eligible;
  // The decision counts for one of them (eligible.onBehalfOf); the rule, asked for each alone, says whom else it could.
  const standsInFor =
    eligible.onBehalfOf === null
      ? []
      : actor.delegators.filter((away) => eligibilityOf(request, { ...actor, delegators: [away] }, votes).ok).map((away) => away.email);
  return { ...eligible, standsInFor };
}

/**
 * May the link's reviewer decide now? The rule first; then a claim by someone
 * else, which decideApproval also refuses (a lasting reason is worth more to
 * the reader than a claim that may be released).
 */
async function linkEligibility(db: Db, email: string, row: RequestRow, now: Date): Promise<ReviewerEligibility> {
  const eligible = await reviewerEligibility(db, email, row, now);
  if (eligible.ok && row.claimedBy && row.claimedBy !== email) {
    return { ok: false, reason: claimedByOther(row.claimedBy, row.claimedAt).message };
  }
  return eligible;
}

async function readLink(db: Db, token: string) {
  if (!TOKEN_PATTERN.test(token)) return null;
  const link = await db.decisionLink.findUnique({ where: { tokenHash: hashLinkToken(token) } });
  if (!link) return null;
  const row = await db.approvalRequest.findUnique({ where: { id: link.approvalRequestId }, select: REQUEST_COLUMNS });
  return row ? { link, row } : null;
}

/** What a link's page shows. Reads only: opening a link never changes anything. */
export async function inspectDecisionLink(db: Db, token: string, now = new Date()): Promise<InspectedLink> {
  const found = await readLink(db, token);
  if (!found) return { status: 'unknown', message: UNKNOWN };
  const { link, row } = found;
  const refused = refusalOf(link, row, now);
  if (refused) {
    const decided = (row.status === 'APPROVED' || row.status === 'REJECTED') && row.decidedBy === link.email;
    const yours = decided
      ? closedSummary({ status: row.status as ClosedStatus, decidedBy: row.decidedBy, decidedAt: row.decidedAt, path: row.decisionPath })
      : undefined;
    return { ...refused, request: linkedRequest(row), ...(yours ? { yours } : {}) };
  }
  const eligible = await linkEligibility(db, link.email, row, now);
  if (!eligible.ok) return { status: 'ineligible', message: eligible.reason, request: linkedRequest(row) };
  return { status: 'valid', linkId: link.id, email: link.email, onBehalfOf: eligible.onBehalfOf, request: linkedRequest(row) };
}

/** A decision without its request: the link names the request. */
export type LinkDecision = Decision extends infer D ? (D extends Decision ? Omit<D, 'id'> : never) : never;

/** A link that cannot decide: its page says why (who decided, and when, for a closed request). */
export class DecisionLinkRefused extends CodedError<LinkRefusal> {
  override readonly name = 'DecisionLinkRefused';

  get httpStatus(): number {
    return this.code === 'unknown' ? 404 : 410;
  }
}

/**
 * The POST from a link's page: checks the link again (unused, unexpired, the
 * request's current run and window), marks it used exactly once (one UPDATE
 * … WHERE used_at IS NULL, so of two sends only one gets past here), then
 * decides as the link's reviewer through decideApproval (path EMAIL). A
 * decision the domain refuses (not eligible, values to correct, Temporal
 * unreachable) hands the link back, so the page can say why and be sent again.
 */
export async function decideWithLink(
  deps: ApprovalDeps,
  token: string,
  decision: LinkDecision,
  now = new Date(),
): Promise<DecidedApproval> {
  const found = await readLink(deps.db, token);
  if (!found) throw new DecisionLinkRefused('unknown', UNKNOWN);
  const { link, row } = found;
  const refused = refusalOf(link, row, now);
  if (refused) throw new DecisionLinkRefused(refused.status, refused.message);
  // The same checks in the one statement that spends the link: whatever changed since the read above is seen here.
  const marked = await deps.db.$queryRaw<{ used_at: Date }[]>`
    UPDATE decision_links l SET used_at = ${now}
    FROM approval_requests r
    WHERE l.id = ${link.id} AND l.used_at IS NULL AND l.expires_at > ${now}
      AND r.id = l.approval_request_id AND r.status = 'PENDING' AND r.run_id = l.run_id AND r.attempt = l.attempt
    RETURNING l.used_at`;
  if (marked.length === 0) {
    const again = await readLink(deps.db, token);
    const why = again && refusalOf(again.link, again.row, now);
    throw new DecisionLinkRefused(why ? why.status : 'used', why ? why.message : 'This link was already used.');
  }
  try {
    return await decideApproval(
      deps,
      { ...decision, id: link.approvalRequestId },
      {
        email: link.email,
        path: 'EMAIL',
        through: { linkId: link.id },
      },
    );
  } catch (error) {
    await deps.db.decisionLink.updateMany({ where: { id: link.id, usedAt: now }, data: { usedAt: null } });
    throw error;
  }
}
