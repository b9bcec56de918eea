// Reads for the inbox and the admin queue. They return plain view objects:
// no task token (the client omits it too), no Decimal, nothing a browser must not see.
import { Prisma } from '@prisma/client';
import type { ApprovalStatus, DecisionPath } from '../../contract/statuses';
import type { Db } from '../../db';
import { approvalRequestSchema, type ApprovalRequest } from '../../contract/approval';
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
      events: {
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        select: { id: true, actor: true, action: true, path: true, at: true, details: true },
      },
    },
  });
  if (!row) return null;
  // Stored rows passed this schema when written; a row the schema has since
  // outgrown still renders, with what the columns hold.
  const request = approvalRequestSchema.safeParse(row.request);
  return { ...toSummary(row), request: request.success ? request.data : { title: row.title } };
}

/**
 * The admin queue's list: pending requests, soonest deadline first, optionally
 * narrowed to those whose title, customer or workflow id contains `search`
 * (literally: % and _ are characters, as in the inbox).
 */
export async function listAdminQueue(
  db: Db,
  { search, limit = 200 }: { search?: string; limit?: number } = {},
): Promise<{ rows: ApprovalSummary[]; total: number }> {
  const text = search?.trim();
  const where = Prisma.sql`status = 'PENDING'${text ? Prisma.sql` AND ${searchMatches(text)}` : Prisma.empty}`;
  const [page, counted] = await Promise.all([
    db.$queryRaw<
      { id: string }[]
    >`SELECT id::text AS id FROM approval_requests WHERE ${where} ORDER BY deadline ASC, id ASC LIMIT ${limit}`,
    db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM approval_requests WHERE ${where}`,
  ]);
  const ids = page.map((r) => r.id);
  const found = await db.approvalRequest.findMany({ where: { id: { in: ids }, status: 'PENDING' }, select: summarySelect });
  const byId = new Map(found.map((row) => [row.id, row]));
  // In the page's order; a row decided in between is left out.
  const rows = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toSummary(row)] : [];
  });
  return { rows, total: counted[0]?.total ?? 0 };
}

export interface Assignee {
  email: string;
  name: string | null;
}

/** Who an admin may hand a claim to: every reviewer and admin. */
export function listAssignees(db: Db, limit = 500): Promise<Assignee[]> {
  return db.user.findMany({
    where: { role: { in: ['REVIEWER', 'ADMIN'] } },
    orderBy: [{ email: 'asc' }],
    take: limit,
    select: { email: true, name: true },
  });
}
