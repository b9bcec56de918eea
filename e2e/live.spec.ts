// Live updates: changes written by other processes (the worker, another
// reviewer's web requests) reach an open inbox and an open request page
// without a reload, and the row a reviewer is reading stays where it is.
import { randomBytes } from 'node:crypto';
import type { Client as TemporalClient } from '@temporalio/client';
import { Client } from 'pg';
import { APPROVAL_ACTIVITY_ID } from '../lib/contract/approval';
import { startOrderApproval } from '../lib/approvals/commands/start-order';
import type { Db } from '../lib/db';
import { MAX_STREAMS_PER_USER, STREAM_RETRY_AFTER_S } from '../lib/web/stream-limits';
import { expectListening, inboxSearching, markWindow } from './live-support';
import { test, expect, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState });

/** Changes should show within a second; the wait allows a little more, counted from the write. */
const LIVE_BUDGET_MS = 1_500;

/**
 * Watches approval_changes from the test itself, to know when a row was
 * written (the NOTIFY is sent when the writing transaction commits).
 */
async function watchChanges() {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const firstSeen = new Map<string, number>();
  const waiting = new Map<string, ((at: number) => void)[]>();
  client.on('notification', (message) => {
    const id = (JSON.parse(message.payload ?? '{}') as { id?: string }).id;
    if (!id) return;
    const at = Date.now();
    if (!firstSeen.has(id)) firstSeen.set(id, at);
    for (const resolve of waiting.get(id) ?? []) resolve(at);
    waiting.delete(id);
  });
  await client.query('LISTEN approval_changes');
  return {
    /**
     * When a change to `id` was first announced. The row may be visible to a
     * query a moment before its notification reaches this listener: wait a little.
     */
    async firstSeen(id: string): Promise<number> {
      const seen = firstSeen.get(id);
      if (seen !== undefined) return seen;
      let timer: NodeJS.Timeout | undefined;
      const at = await Promise.race([
        new Promise<number>((resolve) => waiting.set(id, [...(waiting.get(id) ?? []), resolve])),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 5_000))),
      ]);
      clearTimeout(timer);
      if (at === undefined) throw new Error(`no change to ${id} was announced`);
      return firstSeen.get(id) ?? at;
    },
    /** Resolves with the time of the next change to `id`. */
    next(id: string): Promise<number> {
      return new Promise((resolve) => waiting.set(id, [...(waiting.get(id) ?? []), resolve]));
    },
    close: () => client.end(),
  };
}

const changesTest = test.extend<{ changes: Awaited<ReturnType<typeof watchChanges>> }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as the first argument.
  changes: async ({}, use) => {
    const changes = await watchChanges();
    await use(changes);
    await changes.close();
  },
});

/** What is left of the budget, counted from the write (never 0: Playwright reads 0 as "no timeout"). */
function remaining(writtenAt: number): number {
  return Math.max(100, LIVE_BUDGET_MS - (Date.now() - writtenAt));
}

function report(what: string, writtenAt: number): void {
  console.log(`[live] ${what} ${Date.now() - writtenAt} ms after the write`);
}

/** Starts orders on the e2e worker's queue and waits for all their rows. */
async function startOrders(temporal: TemporalClient, db: Db, customers: string[]): Promise<{ ids: string[]; workflowIds: string[] }> {
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';
  const workflowIds = await Promise.all(
    customers.map(async (customer) => {
      const id = `e2e-${randomBytes(5).toString('hex')}`;
      const { workflowId } = await startOrderApproval(temporal, taskQueue, {
        id,
        customer,
        amount: 10,
        currency: 'USD',
        items: [{ sku: 'LIVE-1', qty: 1 }],
      });
      return workflowId;
    }),
  );
  let rows: { id: string; workflowId: string }[] = [];
  await expect
    .poll(
      async () => {
        rows = await db.approvalRequest.findMany({ where: { workflowId: { in: workflowIds } }, select: { id: true, workflowId: true } });
        return rows.length;
      },
      { message: 'the worker writes every approval row', timeout: 60_000 },
    )
    .toBe(workflowIds.length);
  const byWorkflow = new Map(rows.map((r) => [r.workflowId, r.id]));
  return { ids: workflowIds.map((w) => byWorkflow.get(w) ?? ''), workflowIds };
}

changesTest(
  'an open inbox shows a new request the worker wrote, within a second and without a reload',
  async ({ page, temporal, db, changes }) => {
    const customer = `Customer live-${randomBytes(5).toString('hex')}`;
    await page.goto(inboxSearching(customer));
    await expectListening(page);
    const notReloaded = await markWindow(page);

    const { ids } = await startOrders(temporal, db, [customer]);
    const writtenAt = await changes.firstSeen(ids[0] ?? '');
    await expect(page.getByTestId('approval-row').filter({ hasText: customer })).toBeVisible({ timeout: remaining(writtenAt) });
    report('a new request shown in the inbox', writtenAt);

    await notReloaded();
    await expect(page.getByTestId('live-updates')).toHaveText(/^Inbox updated/);
  },
);

changesTest(
  'a claim by another reviewer shows in the first reviewer’s inbox row and on their open request page',
  async ({ page, browser, pendingOrder, newUserPage, changes }) => {
    const order = await pendingOrder();
    await page.goto(inboxSearching(order.customer));
    // The same reviewer has the request open in a second window.
    const detailWindow = await browser.newContext({ storageState: REVIEWER.storageState });
    const detail = await detailWindow.newPage();
    await detail.goto(`/inbox/${order.approvalId}`);
    await expect(detail.getByTestId('claim-holder')).toHaveText('Nobody has claimed this request.');
    await Promise.all([expectListening(page), expectListening(detail)]);
    const inboxNotReloaded = await markWindow(page);
    const detailNotReloaded = await markWindow(detail);

    const other = await newUserPage('REVIEWER');
    await other.page.goto(`/inbox/${order.approvalId}`);
    const claimed = changes.next(order.approvalId);
    await other.page.getByRole('button', { name: 'Claim' }).click();
    const writtenAt = await claimed;

    const row = page.getByTestId('approval-row').filter({ hasText: order.customer });
    await expect(row.getByTestId('claimed-by')).toHaveText(other.email, { timeout: remaining(writtenAt) });
    report('a claim shown in the inbox', writtenAt);
    await expect(detail.getByTestId('claim-holder')).toContainText(`Claimed by ${other.email} since`, { timeout: remaining(writtenAt) });
    report('a claim shown on the open request', writtenAt);
    // Held by someone else: the first reviewer can no longer decide it.
    await expect(detail.getByRole('button', { name: 'Approve' })).toHaveCount(0);

    await inboxNotReloaded();
    await detailNotReloaded();
    await detailWindow.close();
  },
);

changesTest(
  'a decision by another reviewer takes the request off the pending list and turns the open request page to approved',
  async ({ page, browser, pendingOrder, newUserPage, changes }) => {
    const order = await pendingOrder();
    await page.goto(inboxSearching(order.customer));
    const row = page.getByTestId('approval-row').filter({ hasText: order.customer });
    await expect(row).toBeVisible();
    const detailWindow = await browser.newContext({ storageState: REVIEWER.storageState });
    const detail = await detailWindow.newPage();
    await detail.goto(`/inbox/${order.approvalId}`);
    await expect(detail.getByTestId('status')).toHaveText('pending');
    await Promise.all([expectListening(page), expectListening(detail)]);
    const inboxNotReloaded = await markWindow(page);
    const detailNotReloaded = await markWindow(detail);

    const other = await newUserPage('REVIEWER');
    await other.page.goto(`/inbox/${order.approvalId}`);
    await other.page.getByLabel('Comment').fill('Approved elsewhere');
    const decided = changes.next(order.approvalId);
    await other.page.getByRole('button', { name: 'Approve' }).click();
    const writtenAt = await decided;

    await expect(row).toHaveCount(0, { timeout: remaining(writtenAt) });
    report('a decision taken off the inbox', writtenAt);
    await expect(detail.getByTestId('status')).toHaveText('approved', { timeout: remaining(writtenAt) });
    report('a decision shown on the open request', writtenAt);
    await expect(detail.getByTestId('decision')).toContainText(`Approved by ${other.email}`);
    await expect(detail.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await expect(detail.getByTestId('live-updates')).toHaveText(/^Request updated/);

    await inboxNotReloaded();
    await detailNotReloaded();
    await detailWindow.close();
  },
);

changesTest(
  'the row a reviewer is reading stays put, and focused, when rows above it come and go',
  async ({ page, temporal, db, changes }) => {
    test.setTimeout(180_000);
    const token = `live-${randomBytes(5).toString('hex')}`;
    const started: string[] = [];
    try {
      // Enough rows to scroll: 60 requests, each with its own customer.
      const customers = Array.from({ length: 60 }, (_, i) => `Customer ${token} ${String(i).padStart(2, '0')}`);
      const { ids, workflowIds } = await startOrders(temporal, db, customers);
      started.push(...workflowIds);
      // Push their deadlines past a new request's (a one-hour window), in order, so a new request sorts above them all.
      await db.$executeRaw`
      UPDATE approval_requests r SET deadline = now() + interval '2 hours' + (o.n * interval '1 second'), updated_at = now()
      FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS o(id, n) WHERE r.id = o.id`;

      await page.goto(inboxSearching(token));
      await expectListening(page);
      const notReloaded = await markWindow(page);
      const reading = page.getByTestId('approval-row').filter({ hasText: customers[20] });
      await reading.evaluate((row) => row.scrollIntoView({ block: 'center' }));
      await reading.focus();
      await expect(reading).toBeFocused();
      const scrolled = await page.evaluate(() => window.scrollY);
      expect(scrolled, 'the page scrolls').toBeGreaterThan(0);

      // Once with Chromium's scroll anchoring, once without it (as in browsers that have none).
      for (const [anchoring, leaves] of [
        ['native', 18],
        ['none', 10],
      ] as const) {
        if (anchoring === 'none') await page.addStyleTag({ content: '* { overflow-anchor: none !important; }' });
        const before = await reading.boundingBox();
        const customer = `Customer ${token} new ${anchoring}`;
        const { ids: added, workflowIds: addedWorkflows } = await startOrders(temporal, db, [customer]);
        started.push(...addedWorkflows);
        const writtenAt = await changes.firstSeen(added[0] ?? '');
        const inserted = page.getByTestId('approval-row').filter({ hasText: customer });
        await expect(inserted).toHaveCount(1, { timeout: remaining(writtenAt) });
        report(`a row inserted above the one being read (anchoring: ${anchoring})`, writtenAt);

        // It landed above the row being read, which has not moved on screen.
        const [insertedBox, after] = await Promise.all([inserted.boundingBox(), reading.boundingBox()]);
        expect(insertedBox?.y ?? Infinity).toBeLessThan(after?.y ?? -Infinity);
        expect(Math.abs((after?.y ?? 0) - (before?.y ?? 0)), `the row moved (anchoring: ${anchoring})`).toBeLessThan(3);
        await expect(reading).toBeFocused();

        // A row above it leaves the list: approved outside Countersign, its workflow records the outcome (the worker writes the row).
        const leaving = page.getByTestId('approval-row').filter({ hasText: customers[leaves] });
        await expect(leaving).toHaveCount(1);
        await temporal.activity.complete(
          { workflowId: workflowIds[leaves] ?? '', activityId: APPROVAL_ACTIVITY_ID },
          { approved: true, reviewer: 'ops@example.com' },
        );
        await expect(leaving).toHaveCount(0);
        const afterLeaving = await reading.boundingBox();
        expect(
          Math.abs((afterLeaving?.y ?? 0) - (before?.y ?? 0)),
          `the row moved when one above left (anchoring: ${anchoring})`,
        ).toBeLessThan(3);
        await expect(reading).toBeFocused();
      }
      await notReloaded();
    } finally {
      await Promise.all(
        started.map((id) =>
          temporal.workflow
            .getHandle(id)
            .terminate('e2e live.spec cleanup')
            .catch(() => {}),
        ),
      );
    }
  },
);

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('GET /api/events is refused: a redirect to sign-in or a 401, never a stream', async ({ page }) => {
    const response = await page.request.get('/api/events', { maxRedirects: 0 });
    expect(response.headers()['content-type'] ?? '').not.toContain('text/event-stream');
    if (response.status() === 401) return;
    expect(response.status()).toBeGreaterThanOrEqual(300);
    expect(response.status()).toBeLessThan(400);
    expect(response.headers()['location']).toMatch(/\/signin(\?|$)/);
  });
});

test('the stream answers 401 itself when the session’s user no longer exists', async ({ newUserPage, db }) => {
  const { page, email } = await newUserPage('REVIEWER');
  // The session cookie is still valid (the proxy lets it through); the user behind it is gone.
  await db.user.delete({ where: { email } });
  const response = await page.request.get('/api/events', { maxRedirects: 0 });
  expect(response.status()).toBe(401);
  expect(response.headers()['content-type'] ?? '').not.toContain('text/event-stream');
});

test('signed in, /api/events is an event stream that starts at once', async ({ page }) => {
  await page.goto('/inbox');
  const opening = await page.evaluate(async () => {
    const abort = new AbortController();
    const response = await fetch('/api/events', { signal: abort.signal });
    const reader = response.body?.getReader();
    const first = reader ? new TextDecoder().decode((await reader.read()).value) : '';
    abort.abort();
    return { status: response.status, type: response.headers.get('content-type'), cache: response.headers.get('cache-control'), first };
  });
  expect(opening.status).toBe(200);
  expect(opening.type).toContain('text/event-stream');
  expect(opening.cache).toContain('no-transform');
  expect(opening.first).toMatch(/^retry: \d+\n/);
});

test('one user may hold a few streams at once: the next is refused with 429 and Retry-After until one closes', async ({
  newUserPage,
  baseURL,
}) => {
  // A fresh user, so the other tests' streams do not count; their one tab holds one stream.
  const { page } = await newUserPage('REVIEWER');
  await expectListening(page);
  const cookie = (await page.context().cookies()).map(({ name, value }) => `${name}=${value}`).join('; ');
  const streams: AbortController[] = [];
  // Straight from Node: the browser itself would queue a 7th connection to the host.
  const openStream = async () => {
    const abort = new AbortController();
    const response = await fetch(new URL('/api/events', baseURL), { headers: { cookie }, signal: abort.signal, redirect: 'manual' });
    if (response.status === 200) streams.push(abort);
    // A refusal is read to its end, which frees the connection.
    const body = response.status === 200 ? '' : await response.text();
    return { status: response.status, headers: response.headers, body };
  };
  try {
    for (let i = 1; i < MAX_STREAMS_PER_USER; i++) {
      const response = await openStream();
      expect(response.status, `stream ${i + 1} of ${MAX_STREAMS_PER_USER}`).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
    }

    const refused = await openStream();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(STREAM_RETRY_AFTER_S));
    expect(refused.body).toContain('Too many live-update streams');

    // Closing one frees its slot (once the server has seen the stream end).
    streams.shift()?.abort();
    await expect.poll(async () => (await openStream()).status, { message: 'a stream is accepted again' }).toBe(200);
    expect((await openStream()).status).toBe(429);
  } finally {
    for (const stream of streams) stream.abort();
  }
});
