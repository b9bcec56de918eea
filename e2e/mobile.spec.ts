// On a phone (390 × 844): the inbox, a request page and deciding work without
// sideways scrolling, and what one taps is at least 40 px.
import type { Locator, Page } from '@playwright/test';
import { test, expect, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
}

async function expectTapTarget(target: Locator, what: string) {
  const box = await target.boundingBox();
  expect(box, `${what} is laid out`).not.toBeNull();
  expect(box?.height ?? 0, `${what} height`).toBeGreaterThanOrEqual(40);
  expect(box?.width ?? 0, `${what} width`).toBeGreaterThanOrEqual(40);
}

test('the inbox shows cards without sideways scroll; selecting and approving by tap works', async ({ page, pendingOrder }) => {
  const order = await pendingOrder();
  await page.goto(`/inbox?customer=${encodeURIComponent(order.customer)}`);
  await expect(page.locator('[data-shortcuts-ready="true"]')).toBeAttached();
  const row = page.getByTestId('approval-row');
  await expect(row).toHaveCount(1);
  await expectNoHorizontalScroll(page);

  // A card: the column headers are gone, each value carries its own label.
  await expect(page.getByRole('columnheader', { name: 'Requester' })).toBeHidden();
  for (const label of ['Type:', 'Requester:', 'Amount:', 'Progress:']) await expect(row.getByText(label, { exact: true })).toBeVisible();
  const rowBox = await row.boundingBox();
  expect(rowBox?.width ?? 999).toBeLessThanOrEqual(390);
  await expectTapTarget(row.locator('label').filter({ has: page.getByRole('checkbox') }), 'the row checkbox');
  await expectTapTarget(row.getByRole('link'), 'the row link');
  await expectTapTarget(page.getByRole('button', { name: /Keyboard shortcuts/ }), 'the shortcuts button');

  await row
    .locator('label')
    .filter({ has: page.getByRole('checkbox') })
    .tap();
  const bar = page.getByTestId('bulk-bar');
  await expect(bar).toContainText('1 request selected');
  await expectNoHorizontalScroll(page);
  for (const name of ['Approve selected', 'Reject selected', 'Clear selection'])
    await expectTapTarget(bar.getByRole('button', { name }), name);
  await expectTapTarget(bar.getByLabel('Comment'), 'the comment field');

  await bar.getByRole('button', { name: 'Approve selected' }).tap();
  await expect(page.getByTestId('bulk-results').getByRole('status')).toHaveText('1 approved.');
  expect(await order.result()).toEqual({ status: 'FULFILLED', decidedBy: REVIEWER.email });
  await expectNoHorizontalScroll(page);
});

test('a request page fits the phone, and claiming and approving by tap work', async ({ page, pendingOrder }) => {
  const order = await pendingOrder();
  await page.goto(`/inbox/${order.approvalId}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await expectTapTarget(page.getByRole('button', { name: 'Claim' }), 'Claim');
  await expectTapTarget(page.getByRole('button', { name: 'Approve' }), 'Approve');
  await expectTapTarget(page.getByRole('button', { name: 'Reject' }), 'Reject');

  await page.getByRole('button', { name: 'Claim' }).tap();
  await expect(page.getByTestId('claim-holder')).toContainText('Claimed by you');
  await expectTapTarget(page.getByRole('button', { name: 'Release' }), 'Release');
  await expectNoHorizontalScroll(page);

  await page.getByLabel('Comment').fill('fine on the phone');
  await page.getByRole('button', { name: 'Approve' }).tap();
  await expect(page.getByTestId('decision')).toContainText(`Approved by ${REVIEWER.email}`);
  await expectNoHorizontalScroll(page);
  expect(await order.result()).toEqual({ status: 'FULFILLED', decidedBy: REVIEWER.email, comment: 'fine on the phone' });
});

test('the header, the filters and the pager are tap-sized on a phone', async ({ page }) => {
  await page.goto('/inbox');
  const targets = page.locator(
    [
      'header a',
      'header button',
      'form[role="search"] input:not([type="checkbox"])',
      'form[role="search"] select',
      'form[role="search"] button',
      'form[role="search"] a',
      'form[role="search"] label:has(input[type="checkbox"])',
      'nav[aria-label] a',
    ].join(', '),
  );
  const count = await targets.count();
  expect(count).toBeGreaterThan(8);
  for (let i = 0; i < count; i++) {
    const target = targets.nth(i);
    if (!(await target.isVisible())) continue;
    const box = await target.boundingBox();
    const what = (await target.evaluate((el) => el.outerHTML.slice(0, 80))) || `target ${i}`;
    expect(box?.height ?? 0, `${what} height`).toBeGreaterThanOrEqual(40);
  }
});
