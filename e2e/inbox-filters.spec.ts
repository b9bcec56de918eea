// The inbox's finding and paging, as a reviewer uses it: filters and sort in
// the URL (shared, bookmarked, restored), free-text search, pages forward and
// back, and a bad param that is reported while the page still renders.
//
// Rows inserted directly are decided (approved): a reconciler sweeping the
// shared database closes any pending row whose workflow Temporal does not
// know, and leaves decided rows alone. Pending rows come from pendingOrder().
import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import type { Db } from '../lib/db';
import { test, expect, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState });

const tagOf = () => randomBytes(5).toString('hex');

/** Approved rows with a customer of their own; `amounts[i]` for row i. */
async function insertApproved(db: Db, customer: string, amounts: number[]): Promise<string[]> {
  const now = Date.now();
  const rows = amounts.map((amount, i) => ({
    id: randomUUID(),
    workflowId: `e2e-inbox-${customer.replace(/\W+/g, '-')}-${i}`,
    runId: randomUUID(),
    activityId: 'approval',
    attempt: 1,
    request: { title: `${customer} #${String(i).padStart(3, '0')}` },
    title: `${customer} #${String(i).padStart(3, '0')}`,
    customer,
    amount: amount.toFixed(2),
    currency: 'USD',
    status: 'APPROVED' as const,
    requestedAt: new Date(now - 2 * 3_600_000),
    deadline: new Date(now + 3_600_000 + i * 1000),
    decidedBy: 'someone@example.com',
    decidedAt: new Date(now),
  }));
  await db.approvalRequest.createMany({ data: rows });
  return rows.map((r) => r.id);
}

const titles = (page: Page) => page.getByTestId('approval-row').getByRole('link').allTextContents();
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);

test('filters and sort go into the URL, and a shared URL restores them', async ({ page, db, newUserPage }) => {
  const customer = `Filter ${tagOf()}`;
  const ids = await insertApproved(db, customer, [300, 100, 200]);
  try {
    await page.goto('/inbox');
    await page.getByLabel('Customer', { exact: true }).fill(customer.toLowerCase());
    await page.getByLabel('Status', { exact: true }).selectOption('approved');
    await page.getByLabel('Sort by', { exact: true }).selectOption('amount');
    await page.getByLabel('Order', { exact: true }).selectOption('asc');
    await page.getByRole('button', { name: 'Apply' }).click();

    await expect.poll(() => param(page, 'customer')).toBe(customer.toLowerCase());
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      customer: customer.toLowerCase(),
      status: 'approved',
      sort: 'amount',
      dir: 'asc',
    });
    await expect.poll(() => titles(page)).toEqual([`${customer} #001`, `${customer} #002`, `${customer} #000`]);
    await expect(page.getByTestId('inbox-total')).toHaveText('3 approved · smallest amount first');

    // Someone else opens the shared link: same view, same filters in the form.
    const shared = page.url();
    const other = (await newUserPage('REVIEWER')).page;
    await other.goto(shared);
    await expect(other.getByLabel('Customer', { exact: true })).toHaveValue(customer.toLowerCase());
    await expect(other.getByLabel('Status', { exact: true })).toHaveValue('approved');
    await expect(other.getByLabel('Sort by', { exact: true })).toHaveValue('amount');
    await expect(other.getByLabel('Order', { exact: true })).toHaveValue('asc');
    await expect.poll(() => titles(other)).toEqual([`${customer} #001`, `${customer} #002`, `${customer} #000`]);

    // The other direction.
    await page.getByLabel('Order', { exact: true }).selectOption('desc');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => param(page, 'dir')).toBe('desc');
    await expect.poll(() => titles(page)).toEqual([`${customer} #000`, `${customer} #002`, `${customer} #001`]);

    // Clear: back to the default view, and the form says so.
    await page.getByRole('link', { name: 'Clear' }).click();
    await expect(page).toHaveURL(/\/inbox$/);
    await expect(page.getByLabel('Customer', { exact: true })).toHaveValue('');
    await expect(page.getByLabel('Status', { exact: true })).toHaveValue('pending');
    await expect(page.getByTestId('approval-row').filter({ hasText: customer })).toHaveCount(0);
  } finally {
    await db.approvalRequest.deleteMany({ where: { id: { in: ids } } });
  }
});

test('free-text search finds a request by workflow id or customer, and takes % literally', async ({ page, pendingOrder }) => {
  const order = await pendingOrder();
  await page.goto('/inbox');
  const search = page.getByLabel('Search', { exact: true });

  await search.fill(order.workflowId.toUpperCase());
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => param(page, 'q')).toBe(order.workflowId.toUpperCase());
  await expect(page.getByTestId('approval-row')).toHaveCount(1);
  await expect(page.getByTestId('approval-row')).toContainText(order.customer);

  await search.fill(order.customer.toLowerCase());
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => param(page, 'q')).toBe(order.customer.toLowerCase());
  await expect(page.getByTestId('approval-row')).toHaveCount(1);
  await expect(page.getByTestId('inbox-total')).toHaveText(/^1 pending/);

  // "%" is a character to find, not a wildcard: nothing has "e2e%" + the id's tail.
  await search.fill(order.workflowId.replace('e2e-', 'e2e%'));
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => param(page, 'q')).toContain('%');
  await expect(page.getByText('No requests match.')).toBeVisible();
});

test('pages forward and back, keeping the filters', async ({ page, db }) => {
  const customer = `Pager ${tagOf()}`;
  const ids = await insertApproved(
    db,
    customer,
    Array.from({ length: 120 }, (_, i) => 1000 + i),
  );
  const name = (i: number) => `${customer} #${String(i).padStart(3, '0')}`;
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => name(from + i));
  try {
    await page.goto(`/inbox?${new URLSearchParams({ status: 'approved', customer, sort: 'amount', dir: 'asc' })}`);
    await expect(page.getByTestId('inbox-total')).toHaveText('120 approved · smallest amount first');
    await expect.poll(() => titles(page)).toEqual(range(0, 50));
    const pager = page.getByRole('navigation', { name: 'Inbox pages' });
    await expect(pager.getByText('← Previous')).toHaveAttribute('aria-disabled', 'true');

    await pager.getByRole('link', { name: 'Next →' }).click();
    await expect.poll(() => titles(page)).toEqual(range(50, 100));
    expect(param(page, 'after')).toBeTruthy();
    expect(param(page, 'customer')).toBe(customer);
    expect(param(page, 'status')).toBe('approved');

    await pager.getByRole('link', { name: 'Next →' }).click();
    await expect.poll(() => titles(page)).toEqual(range(100, 120));
    await expect(pager.getByText('Next →')).toHaveAttribute('aria-disabled', 'true');
    await expect(page.getByTestId('inbox-total')).toHaveText('120 approved · smallest amount first');

    await pager.getByRole('link', { name: '← Previous' }).click();
    await expect.poll(() => titles(page)).toEqual(range(50, 100));
    expect(param(page, 'before')).toBeTruthy();

    await pager.getByRole('link', { name: '← Previous' }).click();
    await expect.poll(() => titles(page)).toEqual(range(0, 50));
    await expect(pager.getByText('← Previous')).toHaveAttribute('aria-disabled', 'true');

    // The browser's back button returns to the page before, too.
    await page.goBack();
    await expect.poll(() => titles(page)).toEqual(range(50, 100));
  } finally {
    await db.approvalRequest.deleteMany({ where: { id: { in: ids } } });
  }
});

test('a bad param is reported near the filters and the page still renders, with the default for it', async ({ page, pendingOrder }) => {
  const order = await pendingOrder();
  const response = await page.goto(
    `/inbox?${new URLSearchParams({ status: 'open', min: 'lots', q: order.workflowId, after: 'bm90LWEtY3Vyc29y' })}`,
  );
  expect(response?.status()).toBe(200);
  const errors = page.getByTestId('inbox-param-errors');
  await expect(errors).toContainText('The status must be one of pending, approved');
  await expect(errors).toContainText('The minimum amount must be a number');
  await expect(errors).toContainText('This page link is damaged or was edited');
  // Status fell back to pending, the good filter (q) still applies.
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('pending');
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue(order.workflowId);
  await expect(page.getByTestId('approval-row')).toHaveCount(1);
  await expect(page.getByTestId('approval-row')).toContainText(order.customer);

  // Applying the form again gives a clean URL and no message.
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(new RegExp(`/inbox\\?q=${order.workflowId}$`));
  await expect(errors).toHaveCount(0);
});
