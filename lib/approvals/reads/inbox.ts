// The reviewer inbox's finding and paging: the URL's search params parsed
// into an InboxQuery (zod; a bad value is reported and falls back to its
// default), and listInbox, one keyset page of view rows plus the total.
import { Prisma } from '@prisma/client';
import { z } from 'zod';
import type { Db } from '../../db';

export const INBOX_PAGE_SIZE = 50;

export const INBOX_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'cancelled', 'terminated', 'all'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

export const INBOX_SORTS = ['deadline', 'age', 'amount'] as const;
export type InboxSort = (typeof INBOX_SORTS)[number];
export type SortDir = 'asc' | 'desc';

/** Soonest deadline first, oldest request first (age descending), largest amount first. */
export const DEFAULT_DIR: Record<InboxSort, SortDir> = { deadline: 'asc', age: 'desc', amount: 'desc' };

/** A position in one sort's order: the row's sort key (ISO time, or decimal text; null for a missing amount) and id. */
export interface InboxCursor {
  sort: InboxSort;
  key: string | null;
  id: string;
}

export interface InboxQuery {
  status: InboxStatus;
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

export const DEFAULT_INBOX_QUERY: InboxQuery = { status: 'pending', mine: false, overdue: false, sort: 'deadline', dir: 'asc' };

/** A param that was ignored, and why, in words for the reviewer. */
export interface InboxParamIssue {
  param: string;
  message: string;
}

/** One row as components/inbox-list.tsx renders it: no task token, dates as ISO strings. */
export interface InboxViewRow {
  id: string;
  title: string;
  customer: string | null;
  amount: string | null;
  currency: string | null;
  status: string;
  attempt: number;
  claimedBy: string | null;
  requestedAt: string;
  deadline: string;
  decidedBy: string | null;
}

export interface InboxPage {
  rows: InboxViewRow[];
  /** For `after=`: the page after this one, or null on the last page. */
  nextCursor: string | null;
  /** For `before=`: the page before this one, or null on the first page. */
  prevCursor: string | null;
  /** Rows matching the filters, over all pages. */
  total: number;
}

// ---------------------------------------------------------------------------
// Cursors: base64url of JSON { s: sort, k: key, i: id, c: checksum }. The
// checksum is no secret (any position may be asked for); it only turns a
// hand-edited or truncated link into a clear message instead of an odd page.

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DECIMAL = /^\d{1,16}(?:\.\d{1,2})?$/;

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

const checksumOf = (sort: string, key: string | null, id: string) => fnv1a(`${sort}\n${key ?? '\u0000'}\n${id}`);

export function encodeCursor(cursor: InboxCursor): string {
  const body = { s: cursor.sort, k: cursor.key, i: cursor.id, c: checksumOf(cursor.sort, cursor.key, cursor.id) };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

const cursorBodySchema = z
  .object({ s: z.enum(INBOX_SORTS), k: z.string().max(40).nullable(), i: z.guid(), c: z.string().max(16) })
  .strict()
  .refine((b) => b.c === checksumOf(b.s, b.k, b.i))
  .refine((b) =>
    b.s === 'amount' ? b.k === null || DECIMAL.test(b.k) : b.k !== null && ISO_MS.test(b.k) && !Number.isNaN(Date.parse(b.k)),
  );

/** The cursor in a link, or null when it is not one this app wrote (edited, truncated, garbage). */
export function decodeCursor(token: string): InboxCursor | null {
  if (token.length > 400 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = cursorBodySchema.safeParse(json);
  return parsed.success ? { sort: parsed.data.s, key: parsed.data.k, id: parsed.data.i.toLowerCase() } : null;
}

// ---------------------------------------------------------------------------
// Search params → InboxQuery.

const DAMAGED_LINK = 'This page link is damaged or was edited, so it was ignored; showing the first page.';

const text = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} can be at most ${max} characters; it was ignored.`)
    .transform((v) => (v === '' ? undefined : v));

const amount = (what: string) =>
  z
    .string()
    .trim()
    .transform((v) => v.replace(/,/g, ''))
    .refine((v) => v === '' || DECIMAL.test(v), `The ${what} amount must be a number such as 1200 or 99.50; it was ignored.`)
    .transform((v) => (v === '' ? undefined : v.replace(/^0+(?=\d)/, '')));

const flag = (what: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['', '0', '1', 'true', 'false', 'on'].includes(v), `"${what}" takes 1 or 0; it was ignored.`)
    .transform((v) => v === '1' || v === 'true' || v === 'on');

const cursor = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === '') return undefined;
    const decoded = decodeCursor(v);
    if (!decoded) {
      ctx.addIssue({ code: 'custom', message: DAMAGED_LINK });
      return z.NEVER;
    }
    return decoded;
  });

/**
 * The inbox's URL params, each optional (missing or empty = the default).
 * Parse with parseInboxQuery, which reports a bad value and uses that field's default.
 */
export const inboxParamsSchema = z
  .object({
    status: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(INBOX_STATUSES, `The status must be one of ${INBOX_STATUSES.join(', ')}; showing pending requests.`))
      .default('pending'),
    min: amount('minimum').optional(),
    max: amount('maximum').optional(),
    customer: text(200, 'The customer filter').optional(),
    mine: flag('mine').default(false),
    overdue: flag('overdue').default(false),
    sort: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(INBOX_SORTS, `Sort by deadline, age or amount; sorting by deadline.`))
      .default('deadline'),
    dir: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['asc', 'desc', ''], 'The direction must be asc or desc; using the default for the sort.'))
      .optional(),
    q: text(200, 'The search text').optional(),
    after: cursor.optional(),
    before: cursor.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.min !== undefined && v.max !== undefined && Number(v.min) > Number(v.max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `The maximum amount (${v.max}) is below the minimum (${v.min}); the maximum was ignored.`,
      });
    }
    if (v.after && v.before)
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'A page link cannot go both ways; "before" was ignored.' });
    for (const key of ['after', 'before'] as const) {
      const c = v[key];
      if (c && c.sort !== v.sort)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'This page link belongs to another sort order, so it was ignored; showing the first page.',
        });
    }
  })
  .transform((v): InboxQuery => ({
    status: v.status,
    ...(v.min !== undefined && { min: v.min }),
    ...(v.max !== undefined && { max: v.max }),
    ...(v.customer !== undefined && { customer: v.customer }),
    mine: v.mine,
    overdue: v.overdue,
    sort: v.sort,
    dir: v.dir || DEFAULT_DIR[v.sort],
    ...(v.q !== undefined && { q: v.q }),
    ...(v.after && { after: v.after }),
    ...(v.before && { before: v.before }),
  }));

export type InboxSearchParams = Record<string, string | string[] | undefined> | URLSearchParams;

const PARAMS = ['status', 'min', 'max', 'customer', 'mine', 'overdue', 'sort', 'dir', 'q', 'after', 'before'] as const;

/** The first value of each known param (a repeated param takes its first). Unknown params are left out. */
function knownParams(params: InboxSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PARAMS) {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[name] = first;
  }
  return out;
}

/**
 * Never throws: a param with a bad value is reported in `issues` and that
 * field (only that one) takes its default.
 */
export function parseInboxQuery(params: InboxSearchParams): { query: InboxQuery; issues: InboxParamIssue[] } {
  const input = knownParams(params);
  const issues: InboxParamIssue[] = [];
  for (let round = 0; round <= PARAMS.length; round++) {
    const parsed = inboxParamsSchema.safeParse(input);
    if (parsed.success) return { query: parsed.data, issues };
    let dropped = false;
    for (const issue of parsed.error.issues) {
      const param = String(issue.path[0] ?? '');
      if (!(param in input)) continue;
      issues.push({ param, message: issue.message });
      delete input[param];
      dropped = true;
    }
    if (!dropped) break;
  }
  return {
    query: { ...DEFAULT_INBOX_QUERY },
    issues: issues.length ? issues : [{ param: '', message: 'The filters in this link could not be read; showing the default view.' }],
  };
}

/**
 * The URL params of a query, defaults left out, so a shared link is short and
 * says only what differs. `page` adds a cursor (the pager's links).
 */
export function inboxSearchParams(query: InboxQuery, page?: { after: string } | { before: string }): URLSearchParams {
  const p = new URLSearchParams();
  if (query.q) p.set('q', query.q);
  if (query.status !== 'pending') p.set('status', query.status);
  if (query.customer) p.set('customer', query.customer);
  if (query.min) p.set('min', query.min);
  if (query.max) p.set('max', query.max);
  if (query.mine) p.set('mine', '1');
  if (query.overdue) p.set('overdue', '1');
  if (query.sort !== 'deadline') p.set('sort', query.sort);
  if (query.dir !== DEFAULT_DIR[query.sort]) p.set('dir', query.dir);
  if (page && 'after' in page) p.set('after', page.after);
  if (page && 'before' in page) p.set('before', page.before);
  return p;
}

export function inboxHref(query: InboxQuery, page?: { after: string } | { before: string }): string {
  const search = inboxSearchParams(query, page).toString();
  return search ? `/inbox?${search}` : '/inbox';
}

// ---------------------------------------------------------------------------
// The page query.

type DbStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'CANCELLED' | 'TERMINATED';
const ALL_STATUSES: readonly DbStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED', 'TERMINATED'];

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
const VIEW_COLUMNS = Prisma.raw(
  `id::text AS id, title, customer, amount::text AS amount, currency, status::text AS status, attempt, claimed_by AS "claimedBy", ` +
    `to_char(requested_at, ${ISO}) AS "requestedAt", to_char(deadline, ${ISO}) AS deadline, decided_by AS "decidedBy"`,
);
const OUTER_COLUMNS = Prisma.raw(
  'id, title, customer, amount, currency, status, attempt, "claimedBy", "requestedAt", deadline, "decidedBy"',
);

/** The free-text expression the trigram index (migration 20261128213705_inbox) is built on. */
const SEARCH_EXPRESSION = Prisma.raw(`lower(title || ' ' || coalesce(customer, '') || ' ' || workflow_id)`);

/** LIKE metacharacters taken literally (backslash is PostgreSQL's default LIKE escape). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const containsPattern = (value: string) => Prisma.sql`'%' || lower(${escapeLike(value)}) || '%'`;

function statusesOf(query: InboxQuery): DbStatus[] {
  const chosen = query.status === 'all' ? [...ALL_STATUSES] : [query.status.toUpperCase() as DbStatus];
  // Overdue means pending and past its deadline, whatever else was asked.
  return query.overdue ? chosen.filter((s) => s === 'PENDING') : chosen;
}

/** The filters every branch and the count share (no status, no cursor). */
function filterConditions(query: InboxQuery, me: string, now: Date): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (query.min !== undefined) where.push(Prisma.sql`amount >= CAST(${query.min} AS numeric)`);
  if (query.max !== undefined) where.push(Prisma.sql`amount <= CAST(${query.max} AS numeric)`);
  if (query.customer !== undefined) {
    // The second condition follows from the first (the search text contains the customer) and lets
    // the trigram index find a customer's rows instead of reading every pending row.
    where.push(Prisma.sql`lower(customer) LIKE ${containsPattern(query.customer)}`);
    where.push(Prisma.sql`${SEARCH_EXPRESSION} LIKE ${containsPattern(query.customer)}`);
  }
  if (query.mine) where.push(Prisma.sql`claimed_by = ${me}`);
  if (query.overdue) where.push(Prisma.sql`deadline < CAST(${now.toISOString()} AS timestamp(3))`);
  if (query.q !== undefined) where.push(Prisma.sql`${SEARCH_EXPRESSION} LIKE ${containsPattern(query.q)}`);
  return where;
}

const and = (conditions: Prisma.Sql[]) => (conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`);
const statusIs = (status: DbStatus) => Prisma.sql`status = CAST(${status} AS "ApprovalStatus")`;

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
  statuses: DbStatus[],
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

function cursorOf(query: InboxQuery, row: InboxViewRow): string {
  const key = query.sort === 'deadline' ? row.deadline : query.sort === 'age' ? row.requestedAt : row.amount;
  return encodeCursor({ sort: query.sort, key, id: row.id });
}

/** The statements listInbox runs: one page read (in the direction the query asks) and the count. Exported for EXPLAIN (scripts/bench-inbox.ts). */
export function inboxStatements(query: InboxQuery, user: { email: string }, now: Date) {
  const statuses = statusesOf(query);
  const filters = filterConditions(query, user.email, now);
  const statusFilter =
    statuses.length === ALL_STATUSES.length
      ? Prisma.sql`TRUE`
      : statuses.length
        ? Prisma.sql`status IN (${Prisma.join(statuses.map((s) => Prisma.sql`CAST(${s} AS "ApprovalStatus")`))})`
        : Prisma.sql`FALSE`;
  return {
    page: (from: InboxCursor | undefined, backward: boolean) => pageSql(query, statuses, filters, from, backward, INBOX_PAGE_SIZE + 1),
    count: Prisma.sql`SELECT count(*)::int AS n FROM approval_requests WHERE ${and([statusFilter, ...filters])}`,
  };
}

/**
 * One page of the inbox for `query`, as seen by `user` at `now`, with links
 * (cursors) to the pages either side and the number of matching rows.
 * Keyset pages: a row inserted or decided meanwhile never shifts a page.
 */
export async function listInbox(db: Db, query: InboxQuery, user: { email: string }, now: Date): Promise<InboxPage> {
  const size = INBOX_PAGE_SIZE;
  const sql = inboxStatements(query, user, now);
  const read = (from: InboxCursor | undefined, backward: boolean) => db.$queryRaw<InboxViewRow[]>(sql.page(from, backward));

  const [fetched, counted] = await Promise.all([
    query.before ? read(query.before, true) : read(query.after, false),
    db.$queryRaw<{ n: number }[]>(sql.count),
  ]);
  const total = counted[0]?.n ?? 0;

  const backward = async (fetchedBackward: InboxViewRow[]): Promise<InboxPage> => {
    if (fetchedBackward.length > size) {
      const rows = fetchedBackward.slice(0, size).reverse();
      const first = rows[0];
      const last = rows[rows.length - 1];
      return { rows, total, prevCursor: first ? cursorOf(query, first) : null, nextCursor: last ? cursorOf(query, last) : null };
    }
    // Back at the start: show a full first page rather than the few rows left before the cursor.
    return firstPage(await read(undefined, false), query, total);
  };

  if (query.before) return backward(fetched);
  // Past the end (the last page's rows were decided meanwhile): show the page before, not a dead end.
  if (query.after && fetched.length === 0 && total > 0) return backward(await read(query.after, true));
  const more = fetched.length > size;
  const rows = fetched.slice(0, size);
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    rows,
    total,
    nextCursor: more && last ? cursorOf(query, last) : null,
    prevCursor: query.after && first ? cursorOf(query, first) : null,
  };
}

function firstPage(fetched: InboxViewRow[], query: InboxQuery, total: number): InboxPage {
  const rows = fetched.slice(0, INBOX_PAGE_SIZE);
  const last = rows[rows.length - 1];
  return { rows, total, prevCursor: null, nextCursor: fetched.length > INBOX_PAGE_SIZE && last ? cursorOf(query, last) : null };
}
