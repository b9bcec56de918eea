// Domain reads and results in the API's shapes (lib/api/schemas.ts): times as
// ISO strings, the timeline under its own name, never the task token.
import type { ClaimChange } from '../approvals/commands/claim';
import type { DecidedApproval } from '../approvals/commands/decide';
import type { InboxPage, InboxViewRow } from '../approvals/reads/inbox/query';
import type { ApprovalDetail } from '../approvals/reads/queries';
import type { ClaimResult, DecisionResult, RequestDetail, RequestList, RequestSummary } from './schemas';

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

export function summaryView(row: InboxViewRow): RequestSummary {
  return {
    id: row.id,
    title: row.title,
    customer: row.customer,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    attempt: row.attempt,
    claimedBy: row.claimedBy,
    decidedBy: row.decidedBy,
    requestedAt: iso(row.requestedAt),
    deadline: iso(row.deadline),
    workflowType: row.workflowType,
    requester: row.requester,
    quorum: row.quorum,
    approvals: row.approvals,
    escalated: row.escalated,
    unreachable: row.unreachable,
  };
}

export const listView = (page: InboxPage): RequestList => ({
  requests: page.rows.map(summaryView),
  total: page.total,
  totalExact: page.totalExact,
  nextCursor: page.nextCursor,
  prevCursor: page.prevCursor,
});

export function detailView(detail: ApprovalDetail): RequestDetail {
  return {
    id: detail.id,
    title: detail.title,
    status: detail.status,
    customer: detail.customer,
    amount: detail.amount,
    currency: detail.currency,
    attempt: detail.attempt,
    workflowId: detail.workflowId,
    runId: detail.runId,
    activityId: detail.activityId,
    workflowType: detail.workflowType,
    requestedAt: iso(detail.requestedAt),
    deadline: iso(detail.deadline),
    claimedBy: detail.claimedBy,
    claimedAt: isoOrNull(detail.claimedAt),
    decidedBy: detail.decidedBy,
    decidedFor: detail.decidedFor,
    decidedAt: isoOrNull(detail.decidedAt),
    decisionPath: detail.decisionPath,
    comment: detail.comment,
    reason: detail.reason,
    values: detail.values,
    request: { ...detail.request },
    routing: detail.routing,
    progress: { approvals: detail.approvals, quorum: detail.routing.quorum },
    votes: detail.votes.map((vote) => ({ ...vote, at: iso(vote.at) })),
    unreachable: detail.unreachable,
    timeline: detail.events.map((event) => ({ ...event, at: iso(event.at) })),
  };
}

export const decisionView = (decided: DecidedApproval): DecisionResult => ({ ...decided, decidedAt: iso(decided.decidedAt) });

export const claimView = (id: string, change: ClaimChange): ClaimResult => ({
  id,
  claimedBy: change.claimedBy,
  claimedAt: isoOrNull(change.claimedAt),
  previous: change.previous,
  changed: change.changed,
});
