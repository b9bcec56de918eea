// What the inbox asks for and gets back: the query (filters, sort, cursor),
// its defaults, and the view rows of one page. Parsed from the URL in
// ./params.ts, turned into SQL in ./sql.ts, run page by page in ./list.ts.
import { APPROVAL_STATUSES, type ApprovalStatus } from '../../../contract/statuses';
import type { ApprovalSummary } from '../queries';

export const INBOX_PAGE_SIZE = 50;

/**
 * The count stops here: past it the inbox says "10,000+". An exact count(*)
 * reads every matching row, so it grows with the table (a million pending rows
 * took longer than the page itself); a capped one reads at most this many + 1.
 */
export const INBOX_COUNT_CAP = 10_000;

/** The status filter: one status (lower case, as in the URL), or all. */
export const INBOX_STATUSES = [...APPROVAL_STATUSES.map((s) => s.toLowerCase() as Lowercase<ApprovalStatus>), 'all'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

export const INBOX_SORTS = ['deadline', 'age', 'amount'] as const;
export type InboxSort = (typeof INBOX_SORTS)[number];
export type SortDir = 'asc' | 'desc';

/** Whose requests: the ones I may decide now (as myself or for an away colleague), or every request. */
export const INBOX_SCOPES = ['me', 'all'] as const;
export type InboxScope = (typeof INBOX_SCOPES)[number];

/** Soonest deadline first, oldest request first (age descending), largest amount first. */
export const DEFAULT_DIR: Record<InboxSort, SortDir> = { deadline: 'asc', age: 'desc', amount: 'desc' };

/** A position in one sort's order: the row's sort key (ISO time, or decimal text; null for a missing amount) and id. */
export interface InboxCursor {
  sort: InboxSort;
  key: string | null;
  id: string;
}

export interface InboxQuery {
  /** `me`: requests the signed-in person may decide now (lib/approvals/policy/eligible-sql.ts). */
  scope: InboxScope;
  status: InboxStatus;
  /** Waiting on me: ones I may decide and have not approved yet (pending only). */
  waiting: boolean;
  /** Routed to this group: among its approvers or the people it escalates to. */
  group?: string;
  /** The request type: the workflow type that asked. */
  type?: string;
  /** Decimal text, compared exactly as numeric. */
  min?: string;
  max?: string;
  customer?: string;
  mine: boolean;
  overdue: boolean;
  sort: InboxSort;
  dir: SortDir;
  q?: string;
  after?: InboxCursor;
  before?: InboxCursor;
}

export const DEFAULT_INBOX_QUERY: InboxQuery = {
  scope: 'me',
  status: 'pending',
  waiting: false,
  mine: false,
  overdue: false,
  sort: 'deadline',
  dir: 'asc',
};

/** A param that was ignored, and why, in words for the reviewer. */
export interface InboxParamIssue {
  param: string;
  message: string;
}

/** One row as components/inbox/inbox-list.tsx renders it: a request's summary, its times as ISO strings (it crosses to the browser). */
export type InboxViewRow = Pick<
  ApprovalSummary,
  'id' | 'title' | 'customer' | 'amount' | 'currency' | 'status' | 'attempt' | 'claimedBy' | 'decidedBy'
> & {
  requestedAt: string;
  deadline: string;
  /** The workflow type that asked ("orderWorkflow"); null when unknown. */
  workflowType: string | null;
  requester: string | null;
  /** Approvals needed, and recorded so far in the current run. */
  quorum: number;
  approvals: number;
  /** Re-issued (window 2 on) to a request with escalation people: they may decide too (policy/eligibility.ts isEscalated). */
  escalated: boolean;
  /** Pending, and fewer people can still approve it than its quorum needs (policy/eligible-sql.ts UNREACHABLE_SQL). */
  unreachable: boolean;
};

export interface InboxPage {
  rows: InboxViewRow[];
  /** For `after=`: the page after this one, or null on the last page. */
  nextCursor: string | null;
  /** For `before=`: the page before this one, or null on the first page. */
  prevCursor: string | null;
  /** Rows matching the filters, over all pages, counted up to the cap (INBOX_COUNT_CAP): never more than it. */
  total: number;
  /** False when more rows match than the cap: `total` is the cap, and there are more (shown as "10,000+"). */
  totalExact: boolean;
}

/** A page's total as people read it: "1,234", or "10,000+" past the cap. */
export function totalText(page: Pick<InboxPage, 'total' | 'totalExact'>): string {
  return `${page.total.toLocaleString('en-US')}${page.totalExact ? '' : '+'}`;
}

/** An amount as text: up to 16 digits and 2 decimals (the column is NUMERIC(18,2)). */
export const DECIMAL = /^\d{1,16}(?:\.\d{1,2})?$/;
