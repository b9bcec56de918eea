// listInbox against the real database: filters, every sort both ways, keyset
// pages without gaps or duplicates, free text with LIKE metacharacters, mine
// and overdue. Rows are inserted directly with a tag of their own, and every
// query filters on that tag: the database is shared with other tests.
//
// Pending rows belong to real, running workflows (on a task queue no worker
// polls, so they never run): a reconciler sweeping the shared database (any
// e2e worker) closes a pending row whose workflow Temporal does not know.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { createDb, type Db } from '../../lib/db';
import { connectTemporal } from '../../lib/temporal';
import type { orderWorkflow } from '../../worker/workflows';
import type { Actor } from '../../lib/approvals/policy/eligibility';
import { listInbox } from '../../lib/approvals/reads/inbox/list';
import { listAdminQueue } from '../../lib/approvals/reads/queries';
import { parseInboxQuery } from '../../lib/approvals/reads/inbox/params';
import {
  DEFAULT_DIR,
  INBOX_COUNT_CAP,
  INBOX_PAGE_SIZE,
  totalText,
  type InboxPage,
  type InboxQuery,
  type InboxSort,
  type InboxViewRow,
  type SortDir,
} from '../../lib/approvals/reads/inbox/query';

const { DATABASE_URL, TEMPORAL_ADDRESS } = process.env;
if (!DATABASE_URL || !TEMPORAL_ADDRESS)
  throw new Error('DATABASE_URL and TEMPORAL_ADDRESS must be set: run through `npm run test:services` (scripts/with-services.ts).');

const tag = `ibx${randomBytes(5).toString('hex')}`;
const ME = `me-${tag}@example.com`;
const OTHER = `other-${tag}@example.com`;
const NOW = new Date();
const MINUTE = 60_000;

const STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED', 'TERMINATED'] as const;

interface Seeded {
  id: string;
  workflowId: string;
  activityId: string;
  title: string;
  customer: string | null;
  amount: string | null;
  status: (typeof STATUSES)[number];
  claimedBy: string | null;
  requestedAt: Date;
  deadline: Date;
}

let db: Db;
let temporal: Client;
const seeded: Seeded[] = [];
/** Workflow id → run id of the placeholder workflows the rows belong to. */
const runs = new Map<string, string>();
const MAIN = `order-${tag}`;
const SOLO = `order-${tag}-solo`;
const PROMO = `promo-${tag}`;

/** A running workflow that never runs: no worker polls its task queue. It ends itself after 10 minutes if after() never comes. */
async function startPlaceholder(workflowId: string): Promise<void> {
  const handle = await temporal.workflow.start<typeof orderWorkflow>('orderWorkflow', {
    taskQueue: `inbox-test-idle-${tag}`,
    workflowId,
    args: [{ id: workflowId, customer: 'placeholder', amount: 1, currency: 'USD', items: [{ sku: 'NONE', qty: 1 }] }],
    workflowExecutionTimeout: '10m',
  });
  runs.set(workflowId, handle.firstExecutionRunId);
}

/** 130 pending rows (three pages and a bit) plus decided ones; ties on every sort key, null amounts, claims, overdue rows. */
function makeRows(): Seeded[] {
  const rows: Seeded[] = [];
  for (let i = 0; i < 160; i++) {
    const status = i < 130 ? 'PENDING' : (STATUSES[1 + (i % 5)] ?? 'APPROVED');
    rows.push({
      id: randomUUID(),
      workflowId: i === 42 ? SOLO : MAIN,
      activityId: `approval-${i}`,
      title: `Order ${i} ${tag}`,
      // Mixed case, so the filter's case-insensitivity is tested; every customer carries the tag.
      customer: i % 10 === 9 ? null : `${i % 3 === 0 ? 'ACME' : i % 3 === 1 ? 'Globex' : 'Initech'} ${tag.toUpperCase()}`,
      // Ties (i % 7) and null amounts (every 8th).
      amount: i % 8 === 0 ? null : `${(i % 7) * 100 + 0.5}`.replace(/\.5$/, '.50'),
      status,
      claimedBy: i % 11 === 0 ? ME : i % 13 === 0 ? OTHER : null,
      // Ties on the deadline (i % 40); the first 20 are overdue.
      deadline: new Date(NOW.getTime() + ((i % 40) - 10) * MINUTE + (i < 20 ? -60 * MINUTE : 0)),
      requestedAt: new Date(NOW.getTime() - ((i * 37) % 90) * MINUTE - 24 * 60 * MINUTE),
    });
  }
  return rows;
}

before(async () => {
  db = createDb(DATABASE_URL);
  temporal = await connectTemporal(TEMPORAL_ADDRESS);
  await Promise.all([MAIN, SOLO, PROMO].map(startPlaceholder));
  seeded.push(...makeRows());
  // Free-text rows: LIKE metacharacters must match only themselves.
  const special = (title: string): Seeded => ({
    id: randomUUID(),
    workflowId: PROMO,
    activityId: `approval-${title}`,
    title: `${title} ${tag}`,
    customer: `Promo ${tag}`,
    amount: '10.00',
    status: 'PENDING',
    claimedBy: null,
    requestedAt: NOW,
    deadline: new Date(NOW.getTime() + 10 * 60 * MINUTE),
  });
  seeded.push(special('Sale 50%_off'), special('Sale 50% off'), special('Sale 50x_off'), special('Sale 500ff'), special('Path C:\\tmp'));
  await db.approvalRequest.createMany({
    data: seeded.map((r, i) => ({
      id: r.id,
      workflowId: r.workflowId,
      runId: runs.get(r.workflowId) ?? randomUUID(),
      activityId: r.activityId,
      attempt: 1 + (i % 2),
      request: { title: r.title },
      title: r.title,
      customer: r.customer,
      amount: r.amount,
      currency: 'USD',
      status: r.status,
      requestedAt: r.requestedAt,
      deadline: r.deadline,
      claimedBy: r.claimedBy,
      claimedAt: r.claimedBy ? NOW : null,
      decidedBy: r.status === 'PENDING' ? null : 'someone',
      decidedAt: r.status === 'PENDING' ? null : NOW,
    })),
  });
});

after(async () => {
  // Rows first: a reconciler would close pending rows of a terminated workflow.
  await db.approvalRequest.deleteMany({ where: { workflowId: { in: [MAIN, SOLO, PROMO] } } });
  await Promise.all(
    [...runs].map(([workflowId, runId]) => temporal.workflow.getHandle(workflowId, runId).terminate('inbox-query test done')),
  );
  await temporal.connection.close();
  await db.$disconnect();
});

/** Our main rows only (not the promo ones): every query is scoped by the tag in the workflow id. */
const scope = MAIN;
const query = (search: string): InboxQuery => {
  const parsed = parseInboxQuery(new URLSearchParams(search));
  assert.deepEqual(parsed.issues, [], search);
  return parsed.query;
};
const ours = (rows: Seeded[]) => rows.filter((r) => r.workflowId.startsWith(scope));

function sortKey(row: Seeded, sort: InboxSort): number | null {
  if (sort === 'deadline') return row.deadline.getTime();
  if (sort === 'age') return row.requestedAt.getTime();
  return row.amount === null ? null : Number(row.amount);
}

/** The order the inbox promises, computed independently: key in the direction shown (age desc = oldest first), id breaking ties, null amounts last. */
function expectedOrder(rows: Seeded[], sort: InboxSort, dir: SortDir): string[] {
  const columnAsc = sort === 'age' ? dir === 'desc' : dir === 'asc';
  return [...rows]
    .sort((a, b) => {
      const ka = sortKey(a, sort);
      const kb = sortKey(b, sort);
      if (ka === null || kb === null) {
        if (ka !== kb) return ka === null ? 1 : -1;
      } else if (ka !== kb) {
        return columnAsc ? ka - kb : kb - ka;
      }
      const byId = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      return columnAsc ? byId : -byId;
    })
    .map((r) => r.id);
}

/** The rows are for any reviewer, so "for me" (the default) lists them all for anyone in no group. */
async function list(q: InboxQuery, me = ME): Promise<InboxPage> {
  const actor: Actor = { email: me, role: 'REVIEWER', active: true, groups: [], delegators: [] };
  return listInbox(db, q, actor, NOW);
}

/** Follows nextCursor from the first page to the last; returns every page. */
async function pagesForward(search: string): Promise<InboxPage[]> {
  const pages: InboxPage[] = [];
  let page = await list(query(search));
  pages.push(page);
  while (page.nextCursor) {
    page = await list(query(`${search}&after=${page.nextCursor}`));
    pages.push(page);
    assert.ok(pages.length < 20, 'paging ends');
  }
  return pages;
}

describe('listInbox', () => {
  for (const sort of ['deadline', 'age', 'amount'] as const) {
    for (const dir of ['asc', 'desc'] as const) {
      test(`sort=${sort} dir=${dir}: pages forward and back without gaps or duplicates`, async () => {
        const search = `q=${scope}&sort=${sort}&dir=${dir}`;
        const expected = expectedOrder(
          ours(seeded).filter((r) => r.status === 'PENDING'),
          sort,
          dir,
        );
        assert.equal(expected.length, 130);

        const forward = await pagesForward(search);
        assert.equal(forward.length, 3, 'three pages of 50, 50, 30');
        assert.deepEqual(
          forward.map((p) => p.rows.length),
          [INBOX_PAGE_SIZE, INBOX_PAGE_SIZE, 30],
        );
        assert.deepEqual(
          forward.flatMap((p) => p.rows.map((r) => r.id)),
          expected,
        );
        for (const p of forward) assert.equal(p.total, 130);
        assert.equal(forward[0]?.prevCursor, null, 'the first page has no previous page');
        assert.equal(forward[2]?.nextCursor, null, 'the last page has no next page');

        // Back from the last page, by prevCursor, to the first.
        const backward: string[][] = [];
        let page = forward[2];
        while (page?.prevCursor) {
          page = await list(query(`${search}&before=${page.prevCursor}`));
          backward.unshift(page.rows.map((r) => r.id));
        }
        assert.deepEqual(backward, [expected.slice(0, 50), expected.slice(50, 100)]);
      });
    }
  }

  test('rows are the inbox-list view objects: exactly their fields, no task token, ISO dates, amounts as text', async () => {
    const page = await list(query(`q=${scope}&sort=amount&dir=desc`));
    const row = page.rows[0] as InboxViewRow;
    assert.deepEqual(Object.keys(row).sort(), [
      'amount',
      'approvals',
      'attempt',
      'claimedBy',
      'currency',
      'customer',
      'deadline',
      'decidedBy',
      'escalated',
      'id',
      'quorum',
      'requestedAt',
      'requester',
      'status',
      'title',
      'unreachable',
      'workflowType',
    ]);
    assert.equal(row.amount, '600.50');
    const source = seeded.find((r) => r.id === row.id);
    assert.equal(row.deadline, source?.deadline.toISOString());
    assert.equal(row.requestedAt, source?.requestedAt.toISOString());
    assert.equal(row.status, 'PENDING');
    // Any reviewer, one approval, no escalation people: nothing to flag.
    assert.deepEqual(
      { workflowType: row.workflowType, requester: row.requester, quorum: row.quorum, approvals: row.approvals },
      { workflowType: null, requester: null, quorum: 1, approvals: 0 },
    );
    assert.equal(row.escalated, false);
    assert.equal(row.unreachable, false);
  });

  test('null amounts come last in both directions', async () => {
    for (const dir of ['asc', 'desc'] as const) {
      const ids = (await pagesForward(`q=${scope}&sort=amount&dir=${dir}`)).flatMap((p) => p.rows);
      const firstNull = ids.findIndex((r) => r.amount === null);
      assert.ok(firstNull > 0);
      assert.ok(
        ids.slice(firstNull).every((r) => r.amount === null),
        dir,
      );
    }
  });

  test('status: each one, and all (merged in one order)', async () => {
    for (const status of STATUSES) {
      const page = await list(query(`q=${scope}&status=${status.toLowerCase()}`));
      const expected = ours(seeded).filter((r) => r.status === status);
      assert.equal(page.total, expected.length, status);
      assert.ok(page.rows.every((r) => r.status === status));
    }
    const all = await pagesForward(`q=${scope}&status=all&sort=deadline&dir=desc`);
    assert.deepEqual(
      all.flatMap((p) => p.rows.map((r) => r.id)),
      expectedOrder(ours(seeded), 'deadline', 'desc'),
    );
    assert.equal(all[0]?.total, 160);
  });

  test('min and max amounts bound the amount, inclusive, and leave out rows without one', async () => {
    const pages = await pagesForward(`q=${scope}&min=200.5&max=400.50&sort=amount&dir=asc`);
    const rows = pages.flatMap((p) => p.rows);
    const expected = ours(seeded).filter(
      (r) => r.status === 'PENDING' && r.amount !== null && Number(r.amount) >= 200.5 && Number(r.amount) <= 400.5,
    );
    assert.ok(expected.length > 0);
    assert.deepEqual(
      rows.map((r) => r.id),
      expectedOrder(expected, 'amount', 'asc'),
    );
    assert.equal(pages[0]?.total, expected.length);
  });

  test('customer is a case-insensitive "contains"', async () => {
    const page = await list(query(`customer=${encodeURIComponent(`cme ${tag}`)}`));
    const expected = seeded.filter((r) => r.status === 'PENDING' && r.customer?.startsWith('ACME '));
    assert.ok(expected.length > 0);
    assert.equal(page.total, expected.length);
    assert.deepEqual(new Set(page.rows.map((r) => r.id)), new Set(expected.map((r) => r.id)));
  });

  test('mine: only requests claimed by the signed-in user', async () => {
    const page = await list(query(`q=${scope}&mine=1&status=all`));
    const expected = ours(seeded).filter((r) => r.claimedBy === ME);
    assert.equal(page.total, expected.length);
    assert.deepEqual(new Set(page.rows.map((r) => r.id)), new Set(expected.map((r) => r.id)));
    assert.equal((await list(query(`q=${scope}&mine=1`), `nobody-${tag}@example.com`)).total, 0);
  });

  test('overdue: pending and past the deadline, whatever the status filter says', async () => {
    const expected = ours(seeded).filter((r) => r.status === 'PENDING' && r.deadline < NOW);
    assert.ok(expected.length > 0 && expected.length < 130);
    for (const status of ['pending', 'all']) {
      const page = await list(query(`q=${scope}&overdue=1&status=${status}`));
      assert.equal(page.total, expected.length);
      assert.deepEqual(
        page.rows.map((r) => r.id),
        expectedOrder(expected, 'deadline', 'asc'),
      );
    }
    assert.equal((await list(query(`q=${scope}&overdue=1&status=approved`))).total, 0);
  });

  test('filters combine', async () => {
    const page = await list(query(`q=${scope}&customer=globex&min=100&mine=1&status=all`));
    const expected = ours(seeded).filter(
      (r) => r.customer?.startsWith('Globex') && r.amount !== null && Number(r.amount) >= 100 && r.claimedBy === ME,
    );
    assert.equal(page.total, expected.length);
    assert.deepEqual(new Set(page.rows.map((r) => r.id)), new Set(expected.map((r) => r.id)));
  });

  test('free text matches title, customer or workflow id, case-insensitively', async () => {
    const one = seeded[42] as Seeded;
    for (const q of [one.workflowId.toUpperCase(), `Order 42 ${tag}`.toLowerCase()]) {
      const page = await list(query(`status=all&q=${encodeURIComponent(q)}`));
      assert.deepEqual(
        page.rows.map((r) => r.id),
        [one.id],
        q,
      );
    }
    const byCustomer = await list(query(`q=${encodeURIComponent(`initech ${tag}`)}`));
    assert.equal(byCustomer.total, seeded.filter((r) => r.status === 'PENDING' && r.customer?.startsWith('Initech')).length);
  });

  test('free text: % and _ and \\ match only themselves', async () => {
    const titles = async (q: string) =>
      (await list(query(`q=${encodeURIComponent(q)}`))).rows
        .map((r) => r.title)
        .filter((t) => t.endsWith(tag))
        .sort();
    assert.deepEqual(await titles(`50%_off ${tag}`), [`Sale 50%_off ${tag}`]);
    assert.deepEqual(await titles(`50% off ${tag}`), [`Sale 50% off ${tag}`]);
    assert.deepEqual(await titles(`_off ${tag}`), [`Sale 50%_off ${tag}`, `Sale 50x_off ${tag}`]);
    assert.deepEqual(await titles(`C:\\tmp ${tag}`), [`Path C:\\tmp ${tag}`]);
    assert.deepEqual(await titles(`%${tag}`), []);
  });

  test('a page is stable while rows change: a row inserted before the cursor does not shift the next page', async () => {
    const search = `q=${scope}&sort=deadline`;
    const first = await list(query(search));
    const extra = randomUUID();
    await db.approvalRequest.create({
      data: {
        id: extra,
        workflowId: MAIN,
        runId: runs.get(MAIN) ?? randomUUID(),
        activityId: 'approval-late',
        attempt: 1,
        request: { title: 'late' },
        title: `Late ${tag}`,
        status: 'PENDING',
        requestedAt: NOW,
        deadline: new Date(NOW.getTime() - 24 * 60 * MINUTE),
      },
    });
    try {
      const second = await list(query(`${search}&after=${first.nextCursor}`));
      const expected = expectedOrder(
        ours(seeded).filter((r) => r.status === 'PENDING'),
        'deadline',
        DEFAULT_DIR.deadline,
      );
      assert.deepEqual(
        second.rows.map((r) => r.id),
        expected.slice(50, 100),
      );
      assert.equal(second.total, 131);
    } finally {
      await db.approvalRequest.delete({ where: { id: extra } });
    }
  });

  test('past the end (the last page decided meanwhile): the rows before are shown, with a way back, not a dead end', async () => {
    const search = `q=${scope}&sort=deadline`;
    const first = await list(query(search));
    const second = await list(query(`${search}&after=${first.nextCursor}`));
    const third = await list(query(`${search}&after=${second.nextCursor}`));
    assert.equal(third.rows.length, 30);
    await db.approvalRequest.updateMany({ where: { id: { in: third.rows.map((r) => r.id) } }, data: { status: 'APPROVED' } });
    try {
      const past = await list(query(`${search}&after=${second.nextCursor}`));
      assert.equal(past.rows.length, 50);
      const earlier = new Set([...first.rows, ...second.rows].map((r) => r.id));
      assert.ok(
        past.rows.every((r) => earlier.has(r.id)),
        'rows from the pages before',
      );
      assert.ok(past.prevCursor, 'a link further back');
    } finally {
      await db.approvalRequest.updateMany({ where: { id: { in: third.rows.map((r) => r.id) } }, data: { status: 'PENDING' } });
    }
  });

  test('the count stops at its cap: past it the total is the cap, not exact, and reads "N+"; the rows are the same', async () => {
    const search = `q=${scope}&sort=deadline`;
    const actor: Actor = { email: ME, role: 'REVIEWER', active: true, groups: [], delegators: [] };
    const capped = (countCap: number) => listInbox(db, query(search), actor, NOW, { countCap });
    const exact = await capped(130);
    assert.equal(exact.total, 130);
    assert.equal(exact.totalExact, true, 'as many rows as the cap: still exact');
    assert.equal(totalText(exact), '130');
    const over = await capped(129);
    assert.equal(over.total, 129);
    assert.equal(over.totalExact, false, 'one row more than the cap');
    assert.equal(totalText(over), '129+');
    const small = await capped(100);
    assert.deepEqual([small.total, small.totalExact, totalText(small)], [100, false, '100+']);
    assert.deepEqual(
      small.rows.map((r) => r.id),
      exact.rows.map((r) => r.id),
    );
    assert.equal(small.nextCursor, exact.nextCursor);
    // Later pages with a small cap: the same rows and cursors, the capped total.
    const second = await listInbox(db, query(`${search}&after=${exact.nextCursor}`), actor, NOW, { countCap: 10 });
    const third = await listInbox(db, query(`${search}&after=${second.nextCursor}`), actor, NOW, { countCap: 10 });
    assert.deepEqual([third.rows.length, third.total, third.totalExact], [30, 10, false]);
    const byDefault = await list(query(search));
    assert.deepEqual([byDefault.total, byDefault.totalExact], [130, true], `the default cap (${INBOX_COUNT_CAP}) is far above 130`);
  });

  test(`more than ${INBOX_COUNT_CAP.toLocaleString('en-US')} matching rows: the total says "${INBOX_COUNT_CAP.toLocaleString('en-US')}+"`, async () => {
    // Decided rows (no reconciler touches them), one more than the cap, inserted in one statement.
    const many = `order-${tag}-many`;
    const inserted = await db.$executeRaw`
      INSERT INTO approval_requests (id, workflow_id, run_id, activity_id, attempt, request, title, customer, currency,
        status, requested_at, deadline, decided_by, decided_at, decision_path, updated_at)
      SELECT gen_random_uuid(), ${many} || '-' || g, 'run-' || g, 'approval', 1, '{}'::jsonb, 'Many ' || g, 'Many Co', 'USD',
        'APPROVED', ${NOW}::timestamp(3) - interval '2 hours', ${NOW}::timestamp(3) - interval '1 hour', ${OTHER}, ${NOW}::timestamp(3), 'DASHBOARD', now()
      FROM generate_series(1, ${INBOX_COUNT_CAP + 1}::int) AS g`;
    assert.equal(inserted, INBOX_COUNT_CAP + 1);
    try {
      const page = await list(query(`q=${many}&status=approved`));
      assert.equal(page.total, INBOX_COUNT_CAP);
      assert.equal(page.totalExact, false);
      assert.equal(totalText(page), '10,000+');
      assert.equal(page.rows.length, INBOX_PAGE_SIZE);
      assert.ok(page.nextCursor, 'more pages');
      // One fewer: exactly the cap, exact.
      await db.$executeRaw`DELETE FROM approval_requests WHERE workflow_id = ${`${many}-1`}`;
      const atCap = await list(query(`q=${many}&status=approved`));
      assert.deepEqual([atCap.total, atCap.totalExact, totalText(atCap)], [INBOX_COUNT_CAP, true, '10,000']);
    } finally {
      await db.$executeRaw`DELETE FROM approval_requests WHERE workflow_id LIKE ${`${many}-%`}`;
    }
  });

  test(`the admin queue's count is capped the same way: "${INBOX_COUNT_CAP.toLocaleString('en-US')}+ pending"`, async () => {
    // Pending rows with no workflow behind them, for the moment of the test only (no worker runs during the integration tests).
    const queued = `order-${tag}-queue`;
    await db.$executeRaw`
      INSERT INTO approval_requests (id, workflow_id, run_id, activity_id, attempt, request, title, currency,
        status, requested_at, deadline, updated_at)
      SELECT gen_random_uuid(), ${queued} || '-' || g, 'run-' || g, 'approval', 1, '{}'::jsonb, 'Queued ' || g, 'USD',
        'PENDING', ${NOW}::timestamp(3), ${NOW}::timestamp(3) + interval '1 hour', now()
      FROM generate_series(1, ${INBOX_COUNT_CAP + 1}::int) AS g`;
    try {
      const queue = await listAdminQueue(db, { search: queued });
      assert.deepEqual([queue.total, queue.totalExact, totalText(queue), queue.rows.length], [INBOX_COUNT_CAP, false, '10,000+', 200]);
      await db.$executeRaw`DELETE FROM approval_requests WHERE workflow_id = ${`${queued}-1`}`;
      const atCap = await listAdminQueue(db, { search: queued });
      assert.deepEqual([atCap.total, atCap.totalExact, totalText(atCap)], [INBOX_COUNT_CAP, true, '10,000']);
    } finally {
      await db.$executeRaw`DELETE FROM approval_requests WHERE workflow_id LIKE ${`${queued}-%`}`;
    }
  });
});
