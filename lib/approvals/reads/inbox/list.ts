// One page of the inbox: runs ./sql.ts's statements and hands back the rows
// with the cursors of the pages either side.
import type { Db } from '../../../db';
import type { Actor } from '../../policy/eligibility';
import { encodeCursor } from './cursor';
import { INBOX_COUNT_CAP, INBOX_PAGE_SIZE, type InboxCursor, type InboxPage, type InboxQuery, type InboxViewRow } from './query';
import { inboxStatements } from './sql';

type Count = Pick<InboxPage, 'total' | 'totalExact'>;

function cursorOf(query: InboxQuery, row: InboxViewRow): string {
  const key = query.sort === 'deadline' ? row.deadline : query.sort === 'age' ? row.requestedAt : row.amount;
  return encodeCursor({ sort: query.sort, key, id: row.id });
}

/**
 * One page of the inbox for `query`, as seen by `actor` at `now` (loadActor:
 * "for me" and "waiting on me" read their groups and who delegates to them),
 * with links (cursors) to the pages either side and the number of matching rows,
 * counted up to `countCap` (more than that: `total` is the cap and `totalExact` false).
 * Keyset pages: a row inserted or decided meanwhile never shifts a page.
 */
export async function listInbox(
  db: Db,
  query: InboxQuery,
  actor: Actor,
  now: Date,
  { countCap = INBOX_COUNT_CAP }: { countCap?: number } = {},
): Promise<InboxPage> {
  const size = INBOX_PAGE_SIZE;
  const sql = inboxStatements(query, actor, now, countCap);
  const read = (from: InboxCursor | undefined, backward: boolean) => db.$queryRaw<InboxViewRow[]>(sql.page(from, backward));

  const [fetched, counted] = await Promise.all([
    query.before ? read(query.before, true) : read(query.after, false),
    db.$queryRaw<{ n: number }[]>(sql.count),
  ]);
  const n = counted[0]?.n ?? 0;
  const count: Count = { total: Math.min(n, countCap), totalExact: n <= countCap };

  const backward = async (fetchedBackward: InboxViewRow[]): Promise<InboxPage> => {
    if (fetchedBackward.length > size) {
      const rows = fetchedBackward.slice(0, size).reverse();
      const first = rows[0];
      const last = rows[rows.length - 1];
      return { rows, ...count, prevCursor: first ? cursorOf(query, first) : null, nextCursor: last ? cursorOf(query, last) : null };
    }
    // Back at the start: show a full first page rather than the few rows left before the cursor.
    return firstPage(await read(undefined, false), query, count);
  };

  if (query.before) return backward(fetched);
  // Past the end (the last page's rows were decided meanwhile): show the page before, not a dead end.
  if (query.after && fetched.length === 0 && count.total > 0) return backward(await read(query.after, true));
  const more = fetched.length > size;
  const rows = fetched.slice(0, size);
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    rows,
    ...count,
    nextCursor: more && last ? cursorOf(query, last) : null,
    prevCursor: query.after && first ? cursorOf(query, first) : null,
  };
}

function firstPage(fetched: InboxViewRow[], query: InboxQuery, count: Count): InboxPage {
  const rows = fetched.slice(0, INBOX_PAGE_SIZE);
  const last = rows[rows.length - 1];
  return { rows, ...count, prevCursor: null, nextCursor: fetched.length > INBOX_PAGE_SIZE && last ? cursorOf(query, last) : null };
}
