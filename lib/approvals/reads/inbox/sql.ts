// The inbox's SQL: one keyset page per (status, segment) branch, merged, and
// the count. Sort columns and casts are fixed SQL, never user input. Every
// statement reads the request as `r`, as the eligibility predicates do.
import { Prisma } from '@prisma/client';
import { APPROVAL_STATUSES, type ApprovalStatus } from '../../../contract/statuses';
import type { Actor } from '../../policy/eligibility';
import { eligibleSql, UNREACHABLE_SQL, votedSql } from '../../policy/eligible-sql';
import { containsPattern, SEARCH_EXPRESSION, searchMatches } from '../search';
import { INBOX_COUNT_CAP, INBOX_PAGE_SIZE, type InboxCursor, type InboxQuery, type InboxSort } from './query';

/**
 * Sort columns, as fixed SQL (never user input). Age descending = oldest first = requested_at ascending.
 * Qualified (r.), because a bare ORDER BY name would mean the output column of that name (the ISO text).
 */
const SORT_COLUMN: Record<InboxSort, { column: Prisma.Sql; cast: Prisma.Sql; nullable: boolean; inverted: boolean }> = {
  deadline: { column: Prisma.raw('r.deadline'), cast: Prisma.raw('timestamp(3)'), nullable: false, inverted: false },
  age: { column: Prisma.raw('r.requested_at'), cast: Prisma.raw('timestamp(3)'), nullable: false, inverted: true },
  amount: { column: Prisma.raw('r.amount'), cast: Prisma.raw('numeric'), nullable: true, inverted: false },
};

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
// `escalated` is isEscalated (policy/eligibility.ts); `unreachable` is read for pending rows only (a subquery per row).
const VIEW_COLUMNS = Prisma.sql`${Prisma.raw(
  `r.id::text AS id, r.title, r.customer, r.amount::text AS amount, r.currency, r.status::text AS status, r.attempt, ` +
    `r.claimed_by AS "claimedBy", to_char(r.requested_at, ${ISO}) AS "requestedAt", to_char(r.deadline, ${ISO}) AS deadline, ` +
    `r.decided_by AS "decidedBy", r.workflow_type AS "workflowType", r.requester, r.quorum, r.approvals, ` +
    `(r.attempt >= 2 AND (cardinality(r.escalate_groups) > 0 OR cardinality(r.escalate_users) > 0)) AS escalated, `,
)}CASE WHEN r.status = 'PENDING' THEN ${UNREACHABLE_SQL} ELSE FALSE END AS unreachable`;
const OUTER_COLUMNS = Prisma.raw(
  'id, title, customer, amount, currency, status, attempt, "claimedBy", "requestedAt", deadline, "decidedBy", ' +
    '"workflowType", requester, quorum, approvals, escalated, unreachable',
);

function statusesOf(query: InboxQuery): ApprovalStatus[] {
  const chosen = query.status === 'all' ? [...APPROVAL_STATUSES] : [query.status.toUpperCase() as ApprovalStatus];
  // Overdue means pending and past its deadline, and waiting on me means still waiting, whatever else was asked.
  return query.overdue || query.waiting ? chosen.filter((s) => s === 'PENDING') : chosen;
}

/** The filters every branch and the count share (no status, no cursor). */
function filterConditions(query: InboxQuery, actor: Actor, now: Date): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (query.scope === 'me' || query.waiting) where.push(eligibleSql(actor));
  if (query.waiting) where.push(Prisma.sql`NOT ${votedSql(actor)}`);
  // Array containment (@>), so the GIN indexes on the routing arrays can answer it.
  if (query.group !== undefined) {
    const group = Prisma.sql`CAST(ARRAY[${query.group}] AS text[])`;
    where.push(Prisma.sql`(r.approver_groups @> ${group} OR r.escalate_groups @> ${group})`);
  }
  if (query.type !== undefined) where.push(Prisma.sql`r.workflow_type = ${query.type}`);
  if (query.min !== undefined) where.push(Prisma.sql`r.amount >= CAST(${query.min} AS numeric)`);
  if (query.max !== undefined) where.push(Prisma.sql`r.amount <= CAST(${query.max} AS numeric)`);
  if (query.customer !== undefined) {
    // The second condition follows from the first (the search text contains the customer) and lets
    // the trigram index find a customer's rows instead of reading every pending row.
    where.push(Prisma.sql`lower(r.customer) LIKE ${containsPattern(query.customer)}`);
    where.push(Prisma.sql`${SEARCH_EXPRESSION} LIKE ${containsPattern(query.customer)}`);
  }
  if (query.mine) where.push(Prisma.sql`r.claimed_by = ${actor.email}`);
  if (query.overdue) where.push(Prisma.sql`r.deadline < CAST(${now.toISOString()} AS timestamp(3))`);
  if (query.q !== undefined) where.push(searchMatches(query.q));
  return where;
}

const and = (conditions: Prisma.Sql[]) => (conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`);
const statusIs = (status: ApprovalStatus) => Prisma.sql`r.status = CAST(${status} AS "ApprovalStatus")`;

/**
 * One page in one traversal direction. A sort is split into segments: rows
 * with a sort key (segment 0), then, for amount, rows without one (segment 1,
 * "NULL amounts last" in both directions). Each (status, segment) is its own
 * branch, ordered and limited on its own index, (status, column, id); the
 * outer query merges at most a few pages of rows. So every page, the first or
 * the thousandth, reads about one page per branch.
 */
function pageSql(
  query: InboxQuery,
  statuses: ApprovalStatus[],
  filters: Prisma.Sql[],
  from: InboxCursor | undefined,
  backward: boolean,
  limit: number,
): Prisma.Sql {
  const sort = SORT_COLUMN[query.sort];
  // The column's direction as shown, then as read (a backward read runs the order in reverse).
  const shownAsc = (query.dir === 'asc') !== sort.inverted;
  const asc = shownAsc !== backward;
  const dir = Prisma.raw(asc ? 'ASC' : 'DESC');
  const op = Prisma.raw(asc ? '>' : '<');
  const segmentsForward: (0 | 1)[] = sort.nullable && query.min === undefined && query.max === undefined ? [0, 1] : [0];

  type Branch = { segment: 0 | 1; keyset: Prisma.Sql | null };
  const branches: Branch[] = [];
  const fromSegment = from ? (from.key === null ? 1 : 0) : undefined;
  for (const segment of segmentsForward) {
    if (!from || fromSegment === undefined) {
      branches.push({ segment, keyset: null });
    } else if (segment === fromSegment) {
      const keyset =
        from.key !== null
          ? Prisma.sql`(${sort.column}, r.id) ${op} (CAST(${from.key} AS ${sort.cast}), CAST(${from.id} AS uuid))`
          : Prisma.sql`r.id ${op} CAST(${from.id} AS uuid)`;
      branches.push({ segment, keyset });
    } else if (backward ? segment < fromSegment : segment > fromSegment) {
      // A whole segment lies between the cursor and the end being read toward.
      branches.push({ segment, keyset: null });
    }
  }
  if (backward) branches.reverse();
  if (branches.length === 0 || statuses.length === 0)
    return Prisma.sql`SELECT ${OUTER_COLUMNS} FROM (SELECT ${VIEW_COLUMNS} FROM approval_requests r WHERE FALSE) AS none`;

  const parts: Prisma.Sql[] = [];
  for (const status of statuses) {
    for (const { segment, keyset } of branches) {
      const where = [statusIs(status), ...filters];
      if (sort.nullable) where.push(segment === 0 ? Prisma.sql`${sort.column} IS NOT NULL` : Prisma.sql`${sort.column} IS NULL`);
      if (keyset) where.push(keyset);
      // In the NULL segment the column is constant, so this is the id order; said this way it is the index's order.
      const order = Prisma.sql`${sort.column} ${dir}, r.id ${dir}`;
      parts.push(Prisma.sql`(SELECT ${VIEW_COLUMNS}, ${Prisma.raw(String(segment))} AS seg, ${sort.column} AS k, r.id AS uid FROM approval_requests r
        WHERE ${and(where)} ORDER BY ${order} LIMIT ${Prisma.raw(String(limit))})`);
    }
  }
  const segDir = Prisma.raw(backward ? 'DESC' : 'ASC');
  return Prisma.sql`SELECT ${OUTER_COLUMNS} FROM (${Prisma.join(parts, ' UNION ALL ')}) AS page
    ORDER BY seg ${segDir}, k ${dir}, uid ${dir} LIMIT ${Prisma.raw(String(limit))}`;
}

/**
 * The statements listInbox runs: one page read (in the direction the query asks) and the count, as
 * seen by `actor` (whose eligibility "for me" and "waiting on me" read). Exported for EXPLAIN (scripts/bench-inbox.ts).
 * The count reads at most `countCap` + 1 matching rows (so it costs about what a page of that size
 * would, whatever the table's size): n > countCap means "more than countCap".
 */
export function inboxStatements(query: InboxQuery, actor: Actor, now: Date, countCap: number = INBOX_COUNT_CAP) {
  if (!Number.isInteger(countCap) || countCap < 1) throw new RangeError(`countCap must be a whole number above 0, not ${countCap}`);
  const statuses = statusesOf(query);
  const filters = filterConditions(query, actor, now);
  const statusFilter =
    statuses.length === APPROVAL_STATUSES.length
      ? Prisma.sql`TRUE`
      : statuses.length
        ? Prisma.sql`r.status IN (${Prisma.join(statuses.map((s) => Prisma.sql`CAST(${s} AS "ApprovalStatus")`))})`
        : Prisma.sql`FALSE`;
  return {
    page: (from: InboxCursor | undefined, backward: boolean) => pageSql(query, statuses, filters, from, backward, INBOX_PAGE_SIZE + 1),
    count: Prisma.sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM approval_requests r WHERE ${and([statusFilter, ...filters])}
      LIMIT ${Prisma.raw(String(countCap + 1))}) AS capped`,
  };
}
