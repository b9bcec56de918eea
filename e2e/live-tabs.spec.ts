// Many tabs of one browser: they share one live-update stream (browsers allow
// 6 connections to a host over HTTP/1.1; with a stream per tab the 7th never
// loaded), every tab stays live, a hidden tab waits until it is shown, and when
// the tab holding the stream closes another takes over.
import type { BrowserContext, Page } from '@playwright/test';
import { expectListening, inboxSearching, markWindow } from './live-support';
import { test, expect, type PendingOrder } from './support';

const TABS = 12;

/** Counts the live-update streams a browser opens. */
function countStreams(context: BrowserContext): () => number {
  let opened = 0;
  context.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/events') opened += 1;
  });
  return () => opened;
}

/** The tabs that hold the browser's stream. */
async function leaders(tabs: Page[]): Promise<Page[]> {
  const roles = await Promise.all(tabs.map((tab) => tab.getByTestId('live-updates').getAttribute('data-live-role')));
  return tabs.filter((_, i) => roles[i] === 'leader');
}

/** Another reviewer claims the request, in a browser of their own. */
async function claimElsewhere(newUserPage: (role: 'REVIEWER') => Promise<{ page: Page; email: string }>, order: PendingOrder) {
  const other = await newUserPage('REVIEWER');
  await other.page.goto(`/inbox/${order.approvalId}`);
  await other.page.getByRole('button', { name: 'Claim' }).click();
  await expect(other.page.getByTestId('claim-holder')).toContainText('Claimed by you since');
  return other.email;
}

/** Makes the page believe it is hidden (or shown again), as switching tabs does: Playwright's pages are all visible. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hide) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hide ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hide });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** Counts the page's refreshes from the server (router.refresh), not its link prefetches. */
function countRefreshes(page: Page): () => number {
  let refreshes = 0;
  page.on('request', (request) => {
    const headers = request.headers();
    if (headers['rsc'] === '1' && !('next-router-prefetch' in headers)) refreshes += 1;
  });
  return () => refreshes;
}

test(`${TABS} tabs of one browser all load, share one stream, and all show a claim made elsewhere without a reload`, async ({
  pendingOrder,
  newUserPage,
}) => {
  test.setTimeout(180_000);
  const order = await pendingOrder();
  // A fresh reviewer: their browser's streams are theirs alone.
  const { page: first } = await newUserPage('REVIEWER');
  const context = first.context();

  // Two inbox tabs for each request page, as a reviewer opening requests in new tabs has.
  const tabs: { page: Page; kind: 'inbox' | 'request' }[] = [];
  const openTab = (page: Page) => {
    const kind = tabs.length % 3 === 2 ? 'request' : 'inbox';
    tabs.push({ page, kind });
    return test.step(`tab ${tabs.length} of ${TABS} loads (${kind})`, async () => {
      // Without a shared stream the 7th tab's page never arrives: six streams hold all the connections.
      await page.goto(kind === 'inbox' ? inboxSearching(order.customer) : `/inbox/${order.approvalId}`, { timeout: 20_000 });
      if (kind === 'inbox') await expect(page.getByTestId('approval-row').filter({ hasText: order.customer })).toBeVisible();
      else await expect(page.getByTestId('claim-holder')).toHaveText('Nobody has claimed this request.');
    });
  };
  await openTab(first);
  await expectListening(first);
  const streams = countStreams(context);
  while (tabs.length < TABS) await openTab(await context.newPage());
  for (const { page } of tabs) await expectListening(page);
  expect(await leaders(tabs.map((t) => t.page)), 'one tab holds the stream').toHaveLength(1);
  const notReloaded = await Promise.all(tabs.map(({ page }) => markWindow(page)));

  const claimer = await claimElsewhere(newUserPage, order);

  for (const { page, kind } of tabs) {
    if (kind === 'inbox') {
      const row = page.getByTestId('approval-row').filter({ hasText: order.customer });
      await expect(row.getByTestId('claimed-by')).toHaveText(claimer);
    } else {
      await expect(page.getByTestId('claim-holder')).toContainText(`Claimed by ${claimer} since`);
    }
  }
  for (const check of notReloaded) await check();
  expect(streams(), 'the other tabs opened no stream: they share the first tab’s').toBe(0);
});

test('a hidden tab does not refresh while hidden, shows it is behind, and catches up once when shown', async ({
  pendingOrder,
  newUserPage,
}) => {
  const order = await pendingOrder();
  const { page: hidden } = await newUserPage('REVIEWER');
  await hidden.goto(`/inbox/${order.approvalId}`);
  const shown = await hidden.context().newPage();
  await shown.goto(`/inbox/${order.approvalId}`);
  await Promise.all([expectListening(hidden), expectListening(shown)]);
  // The first tab holds the stream: hidden, it still relays to the others.
  await expect(hidden.getByTestId('live-updates')).toHaveAttribute('data-live-role', 'leader');
  await setHidden(hidden, true);
  const refreshes = countRefreshes(hidden);
  const notReloaded = await markWindow(hidden);

  const claimer = await claimElsewhere(newUserPage, order);
  await expect(shown.getByTestId('claim-holder')).toContainText(`Claimed by ${claimer} since`);
  await expect(hidden.getByTestId('live-updates')).toHaveAttribute('data-stale', 'true');
  await expect(hidden.getByTestId('claim-holder')).toHaveText('Nobody has claimed this request.');
  expect(refreshes(), 'a hidden tab asks the server for nothing').toBe(0);

  await setHidden(hidden, false);
  await expect(hidden.getByTestId('claim-holder')).toContainText(`Claimed by ${claimer} since`);
  await expect(hidden.getByTestId('live-updates')).toHaveAttribute('data-stale', 'false');
  expect(refreshes(), 'one refresh catches up').toBe(1);
  await notReloaded();
});

test('when the tab holding the stream closes, another takes it over and the other tabs stay live', async ({
  pendingOrder,
  newUserPage,
}) => {
  const order = await pendingOrder();
  const { page: first } = await newUserPage('REVIEWER');
  const tabs = [first, await first.context().newPage(), await first.context().newPage()];
  for (const tab of tabs) await tab.goto(`/inbox/${order.approvalId}`);
  for (const tab of tabs) await expectListening(tab);
  const [leader] = await leaders(tabs);
  expect(leader, 'one tab holds the stream').toBeDefined();
  await leader?.close();
  const rest = tabs.filter((tab) => tab !== leader);
  await expect.poll(async () => (await leaders(rest)).length, { message: 'another tab takes the stream over' }).toBe(1);
  for (const tab of rest) await expectListening(tab);
  const notReloaded = await Promise.all(rest.map((tab) => markWindow(tab)));

  const claimer = await claimElsewhere(newUserPage, order);
  for (const tab of rest) await expect(tab.getByTestId('claim-holder')).toContainText(`Claimed by ${claimer} since`);
  for (const check of notReloaded) await check();
});
