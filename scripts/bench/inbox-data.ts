// The inbox benchmarks' data and views, shared by `npm run bench:inbox`
// (scripts/bench-inbox.ts) and `npm run bench`'s inbox measure (./inbox.ts).
//
// Data: generate_series inserts, a realistic spread. Customers are skewed (a
// few big ones, a long tail of 500), deadlines from a day overdue to three
// days out, amounts log-spread from 10 to ~80k with 5 % missing, 2 % of
// pending rows claimed (a tenth of those by the bench user), and a quarter as
// many decided rows of every kind. The rows are fake: no workflow stands
// behind them, so they belong in a database no worker reconciles.
import { Prisma } from '@prisma/client';
import { encodeCursor } from '../../lib/approvals/reads/inbox/cursor';
import type { Db } from '../../lib/db';

/** Rows per INSERT: a statement of a few seconds. */
const CHUNK = 50_000;

/** `claimer` claims a tenth of the claimed rows (the bench user: "mine=1" finds them). */
async function insertPending(db: Db, from: number, to: number, claimer: string): Promise<void> {
  await db.$executeRaw`
    INSERT INTO approval_requests (id, workflow_id, run_id, activity_id, attempt, request, title, customer, amount, currency,
      status, requested_at, deadline, claimed_by, claimed_at, updated_at)
    SELECT gen_random_uuid(), 'order-bench-' || g, 'run-' || g, 'approval', CASE WHEN r.esc < 0.1 THEN 2 ELSE 1 END,
      jsonb_build_object('title', 'Order bench-' || g || ' for ' || r.customer, 'amount', r.amount, 'currency', 'USD',
        'fields', jsonb_build_object('customer', r.customer)),
      'Order bench-' || g || ' for ' || r.customer, r.customer, r.amount, 'USD', 'PENDING',
      r.deadline - interval '24 hours', r.deadline,
      CASE WHEN r.claim < 0.002 THEN ${claimer} WHEN r.claim < 0.02 THEN 'reviewer' || (g % 7) || '@example.com' END,
      CASE WHEN r.claim < 0.02 THEN r.deadline - interval '20 hours' END,
      now()
    FROM generate_series(${from}::int, ${to}::int) AS g
    CROSS JOIN LATERAL (
      SELECT 'Customer ' || lpad((floor(500 * power(random(), 2))::int + 0 * g)::text, 3, '0') AS customer,
        CASE WHEN random() < 0.05 THEN NULL ELSE round((10 * exp(random() * 9))::numeric, 2) END AS amount,
        (now() AT TIME ZONE 'UTC') + (random() * 4 - 1) * interval '1 day' AS deadline,
        random() AS esc, random() AS claim
    ) AS r`;
}

async function insertDecided(db: Db, from: number, to: number): Promise<void> {
  if (to < from) return;
  await db.$executeRaw`
    INSERT INTO approval_requests (id, workflow_id, run_id, activity_id, attempt, request, title, customer, amount, currency,
      status, requested_at, deadline, decided_by, decided_at, decision_path, updated_at)
    SELECT gen_random_uuid(), 'order-done-' || g, 'run-' || g, 'approval', 1,
      jsonb_build_object('title', 'Order done-' || g), 'Order done-' || g || ' for ' || r.customer, r.customer, r.amount, 'USD',
      (ARRAY['APPROVED','APPROVED','APPROVED','REJECTED','EXPIRED','CANCELLED','TERMINATED'])[1 + (g % 7)]::"ApprovalStatus",
      r.decided - interval '30 hours', r.decided + interval '1 hour', 'reviewer@example.com', r.decided, 'DASHBOARD', now()
    FROM generate_series(${from}::int, ${to}::int) AS g
    CROSS JOIN LATERAL (
      SELECT 'Customer ' || lpad((floor(500 * power(random(), 2))::int + 0 * g)::text, 3, '0') AS customer,
        round((10 * exp(random() * 9))::numeric, 2) AS amount,
        (now() AT TIME ZONE 'UTC') - random() * interval '60 days' AS decided
    ) AS r`;
}

/**
 * Grows the table from `have` to `size` fake pending rows (and size/4 decided
 * ones), then VACUUM ANALYZE and a checkpoint, so the timed requests find
 * fresh statistics and no dirty pages to write. `db` must have no statement
 * timeout (createDb(url, { statementTimeoutMs: 0 })): a chunk of the insert
 * can outlast the app's. Returns how long it took, in ms.
 */
export async function growInboxTable(
  db: Db,
  { size, have, claimer, onProgress }: { size: number; have: number; claimer: string; onProgress?: (inserted: number) => void },
): Promise<number> {
  const started = Date.now();
  // The NOTIFY trigger would queue one message per row for every listener (the live updates): not what is measured.
  await db.$executeRawUnsafe('ALTER TABLE approval_requests DISABLE TRIGGER USER');
  try {
    for (let from = have + 1; from <= size; from += CHUNK) {
      const to = Math.min(size, from + CHUNK - 1);
      await insertPending(db, from, to, claimer);
      onProgress?.(to);
    }
    await insertDecided(db, Math.floor(have / 4) + 1, Math.floor(size / 4));
  } finally {
    await db.$executeRawUnsafe('ALTER TABLE approval_requests ENABLE TRIGGER USER');
  }
  await db.$executeRawUnsafe('VACUUM ANALYZE approval_requests');
  // Write the inserted pages out now, not during the timed requests.
  await db.$executeRawUnsafe('CHECKPOINT');
  return Date.now() - started;
}

/** One way of looking at the inbox: the query string of GET /inbox. */
export interface InboxView {
  name: string;
  search: string;
}

/**
 * The views timed at each size, `size` pending rows in the table. `only`
 * keeps the named ones (`key`s): default, amount, customer, one, broad, deep, all.
 */
export async function inboxViews(db: Db, size: number, only?: string[]): Promise<(InboxView & { key: string })[]> {
  // A cursor halfway down the default order: the deep page a reviewer reaches by "Next" many times.
  const [mid] = await db.$queryRaw<{ deadline: string; id: string }[]>`
    SELECT to_char(deadline, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS deadline, id::text AS id FROM approval_requests
    WHERE status = 'PENDING' ORDER BY deadline, id OFFSET ${Math.floor(size / 2)} LIMIT 1`;
  if (!mid) throw new Error('no middle row');
  const views = [
    { key: 'default', name: 'default (pending, deadline asc)', search: '' },
    { key: 'amount', name: 'sort=amount (desc)', search: 'sort=amount' },
    { key: 'customer', name: 'customer=customer 050 (~0.3 %)', search: 'customer=customer+050' },
    { key: 'one', name: 'q=bench-42 for (one order)', search: 'q=bench-42+for' },
    { key: 'broad', name: 'q=customer 01 (broad, ~6 %)', search: 'q=customer+01' },
    {
      key: 'deep',
      name: 'deep page (after= mid-list cursor)',
      search: `after=${encodeCursor({ sort: 'deadline', key: mid.deadline, id: mid.id })}`,
    },
    { key: 'all', name: 'status=all, sort=age', search: 'status=all&sort=age' },
  ];
  return only ? views.filter((v) => only.includes(v.key)) : views;
}

/** A GET of the inbox with the session cookie, whole body read; throws unless it is the inbox, without a complaint about the params. */
export function inboxGetter(base: string, cookie: string, view: InboxView): () => Promise<void> {
  const url = `${base}/inbox${view.search ? `?${view.search}` : ''}`;
  return async () => {
    const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    if (!html.includes('data-testid="inbox-total"')) throw new Error(`${url}: not the inbox`);
    if (html.includes('data-testid="inbox-param-errors"')) throw new Error(`${url}: the page reported bad params`);
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement, as text lines. */
export async function explainLines(db: Db, statement: Prisma.Sql): Promise<string[]> {
  const plan = await db.$queryRaw<{ 'QUERY PLAN': string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) ${statement}`);
  return plan.map((l) => l['QUERY PLAN']);
}
