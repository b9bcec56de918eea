// Reads for the inbox and the admin queue. They return plain view objects:
// no task token (the client omits it too), no Decimal, nothing a browser must not see.
import { Prisma } from '@prisma/client';
import type { ApprovalStatus, DecisionPath } from '../../contract/statuses';
import type { Db } from '../../db';
import { approvalRequestSchema, type ApprovalRequest } from '../../contract/approval';
import type { RoutedRequest } from '../policy/eligibility';
import { UNREACHABLE_SQL } from '../policy/eligible-sql';
import { readVotes, type Vote } from '../policy/progress';
import { INBOX_COUNT_CAP } from './inbox/query';
import { searchMatches } from './search';

export interface ApprovalSummary {
  id: string;
  title: string;
  customer: string | null;
  amount: string | null;
  currency: string | null;
  status: ApprovalStatus;
  /** Above 1: the request was re-issued (escalated) after a window passed. */
  attempt: number;
  claimedBy: string | null;
  claimedAt: Date | null;
  requestedAt: Date;
  deadline: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export interface ApprovalDetail extends ApprovalSummary {
  workflowId: string;
  runId: string;
  activityId: string;
  request: ApprovalRequest;
  decisionPath: DecisionPath | null;
  comment: string | null;
  reason: string | null;
  events: { id: string; actor: string; action: string; path: DecisionPath; at: Date; details: unknown }[];
  /** Who may decide, as resolved when the request arrived (its window included, for escalation). */
  routing: RoutedRequest;
  /** The workflow type that asked: the request type. */
  workflowType: string | null;
  /** Approvals the current run holds; the quorum is `routing.quorum`. */
  approvals: number;
  /** The approvals of the current run, oldest first. */
  votes: Vote[];
  /** Who the final decider stood in for, when they decided as a delegate. */
  decidedFor: string | null;
  /** The approver's typed values, when the request had a decision schema. */
  values: Record<string, unknown> | null;
  /** Pending, and the people who could still approve are too few for its quorum. */
  unreachable: boolean;
}

/** A pending request in the admin queue: its summary, and its quorum's state. */
export interface AdminQueueRow extends ApprovalSummary {
  workflowType: string | null;
  requester: string | null;
  quorum: number;
  approvals: number;
  /** The people who could still approve are too few for its quorum (read now, not stored). */
  unreachable: boolean;
}

const summarySelect = {
  id: true,
  title: true,
  customer: true,
  amount: true,
  currency: true,
  status: true,
  attempt: true,
  claimedBy: true,
  claimedAt: true,
  requestedAt: true,
  deadline: true,
  decidedBy: true,
  decidedAt: true,
} as const;

function toSummary<T extends { amount: { toFixed(dp: number): string } | null }>(row: T): Omit<T, 'amount'> & { amount: string | null } {
  return { ...row, amount: row.amount === null ? null : row.amount.toFixed(2) };
}

export async function listRecentDecisions(db: Db, limit = 20): Promise<ApprovalSummary[]> {
  const rows = await db.approvalRequest.findMany({
    where: { status: { not: 'PENDING' }, decidedAt: { not: null } },
    orderBy: [{ decidedAt: 'desc' }, { id: 'asc' }],
    take: limit,
    select: summarySelect,
  });
  return rows.map(toSummary);
}

export async function getApproval(db: Db, id: string): Promise<ApprovalDetail | null> {
  const row = await db.approvalRequest.findUnique({
    where: { id },
    select: {
      ...summarySelect,
      workflowId: true,
      runId: true,
      activityId: true,
      request: true,
      decisionPath: true,
      comment: true,
      reason: true,
      decidedFor: true,
      values: true,
      workflowType: true,
      requester: true,
      policyName: true,
      quorum: true,
      fourEyes: true,
      approverGroups: true,
      approverUsers: true,
      escalateGroups: true,
      escalateUsers: true,
      approvals: true,
      events: {
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        select: { id: true, actor: true, action: true, path: true, at: true, details: true },
      },
    },
  });
  if (!row) return null;
  const [votes, unreachable] = await Promise.all([
    readVotes(db, row.id, row.runId),
    row.status === 'PENDING' ? unreachableIds(db, [row.id]).then((ids) => ids.has(row.id)) : false,
  ]);
  // Stored rows passed this schema when written; a row the schema has since
  // outgrown still renders, with what the columns hold.
  const request = approvalRequestSchema.safeParse(row.request);
  const { requester, policyName, quorum, fourEyes, approverGroups, approverUsers, escalateGroups, escalateUsers, values, ...rest } = row;
  return {
    ...toSummary(rest),
    request: request.success ? request.data : { title: row.title },
    routing: {
      policyName,
      quorum,
      fourEyes,
      approverGroups,
      approverUsers,
      escalateGroups,
      escalateUsers,
      attempt: row.attempt,
      requester,
    },
    votes,
    values: isRecord(values) ? values : null,
    unreachable,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Which of these pending requests can never reach their quorum (eligible-sql.ts's rule, read now). */
async function unreachableIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT r.id::text AS id FROM approval_requests r
    WHERE r.id = ANY(CAST(${ids} AS uuid[])) AND r.status = 'PENDING' AND ${UNREACHABLE_SQL}`;
  return new Set(rows.map((r) => r.id));
}

/**
 * The admin queue's list: pending requests, soonest deadline first, optionally
 * narrowed to those whose title, customer or workflow id contains `search`
 * (literally: % and _ are characters, as in the inbox). The total is counted up
 * to INBOX_COUNT_CAP, as the inbox's: past it, it is the cap and `totalExact` is false.
 */
export async function listAdminQueue(
  db: Db,
  { search, limit = 200 }: { search?: string; limit?: number } = {},
): Promise<{ rows: AdminQueueRow[]; total: number; totalExact: boolean }> {
  const text = search?.trim();
  const where = Prisma.sql`status = 'PENDING'${text ? Prisma.sql` AND ${searchMatches(text)}` : Prisma.empty}`;
  const [page, counted] = await Promise.all([
    db.$queryRaw<
      { id: string }[]
    >`SELECT id::text AS id FROM approval_requests WHERE ${where} ORDER BY deadline ASC, id ASC LIMIT ${limit}`,
    // Capped as the inbox's count is (inbox/query.ts INBOX_COUNT_CAP): an exact count(*) reads every pending row.
    db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM (SELECT 1 FROM approval_requests WHERE ${where}
      LIMIT ${INBOX_COUNT_CAP + 1}) AS capped`,
  ]);
  const ids = page.map((r) => r.id);
  const [found, unreachable] = await Promise.all([
    db.approvalRequest.findMany({
      where: { id: { in: ids }, status: 'PENDING' },
      select: { ...summarySelect, workflowType: true, requester: true, quorum: true, approvals: true },
    }),
    unreachableIds(db, ids),
  ]);
  const byId = new Map(found.map((row) => [row.id, row]));
  // In the page's order; a row decided in between is left out.
  const rows = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{ ...toSummary(row), unreachable: unreachable.has(id) }] : [];
  });
  const n = counted[0]?.total ?? 0;
  return { rows, total: Math.min(n, INBOX_COUNT_CAP), totalExact: n <= INBOX_COUNT_CAP };
}

export interface Assignee {
  email: string;
  name: string | null;
}

/** Who an admin may hand a claim to: every reviewer and admin. */
export function listAssignees(db: Db, limit = 500): Promise<Assignee[]> {
  return db.user.findMany({
    where: { role: { in: ['REVIEWER', 'ADMIN'] }, active: true },
    orderBy: [{ email: 'asc' }],
    take: limit,
    select: { email: true, name: true },
  });
}
