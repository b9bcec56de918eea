// The inbox list's bulk decisions (select rows, approve or reject them
// together, see each one's result) and its deadline highlighting.
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { decideApproval } from '../lib/approvals/commands/decide';
import { DUE_SOON_RULE } from '../lib/format';
import { openInbox, test, expect, REVIEWER, type BatchOrder } from './support';

test.use({ storageState: REVIEWER.storageState });

const selectBox = (page: Page, title: string) => page.getByRole('checkbox', { name: `Select ${title}`, exact: true });

test('approve selected decides each request and says which were already decided, and by whom', async ({
  page,
  db,
  temporal,
  orderBatch,
}) => {
  const { customer, orders } = await orderBatch(3, 'Bulk');
  // A page that has not heard of the other reviewer's decision: live updates would otherwise drop that row at once.
  await page.route('**/api/events', (route) => route.abort());
  await openInbox(page, customer, 3);
  for (const order of orders) await selectBox(page, order.title).check();
  const bar = page.getByTestId('bulk-bar');
  await expect(bar).toContainText('3 requests selected');

  const [first, taken, third] = orders;
  if (!first || !taken || !third) throw new Error('three orders');
  const other = `other-${randomBytes(4).toString('hex')}@example.com`;
  // A decider must be a user (who may decide is read from their account).
  await db.user.create({ data: { email: other } });
  await decideApproval({ db, temporal }, { decision: 'APPROVED', id: taken.approvalId, comment: undefined }, { email: other });

  await bar.getByLabel('Comment').fill('month-end batch');
  await bar.getByRole('button', { name: 'Approve selected' }).click();

  const results = page.getByTestId('bulk-results');
  await expect(results.getByRole('status')).toHaveText('2 approved, 1 not: see each below.');
  const item = (order: BatchOrder) => results.locator(`[data-id="${order.approvalId}"]`);
  await expect(item(first)).toHaveText(`${first.title}: Approved.`);
  await expect(item(third)).toHaveText(`${third.title}: Approved.`);
  await expect(item(taken)).toHaveAttribute('data-outcome', 'refused');
  await expect(item(taken)).toHaveText(
    new RegExp(`^${taken.title}: Already decided by ${other.replace(/[.]/g, '\\.')} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\.$`),
  );
  // The region that holds them is announced.
  await expect(results.locator('xpath=..')).toHaveAttribute('aria-live', 'polite');

  expect(await first.result()).toEqual({ status: 'FULFILLED', decidedBy: REVIEWER.email, comment: 'month-end batch' });
  expect(await third.result()).toEqual({ status: 'FULFILLED', decidedBy: REVIEWER.email, comment: 'month-end batch' });
  expect(await taken.result()).toEqual({ status: 'FULFILLED', decidedBy: other });
  await expect(page.getByTestId('approval-row')).toHaveCount(0);
  await expect(bar).toHaveCount(0);
});

test('select all selects every listed row; reject selected needs a reason, then rejects them all', async ({ page, db, orderBatch }) => {
  const { customer, orders } = await orderBatch(2, 'Bulk');
  const rows = await openInbox(page, customer, 2);
  await expect(page.getByTestId('bulk-bar')).toHaveCount(0);

  await page.getByRole('checkbox', { name: 'Select all' }).check();
  for (const order of orders) await expect(selectBox(page, order.title)).toBeChecked();
  const bar = page.getByTestId('bulk-bar');
  await expect(bar).toContainText('2 requests selected');

  await bar.getByRole('button', { name: 'Reject selected' }).click();
  await expect(bar.getByText('A reason is required to reject')).toBeVisible();
  await expect(bar.getByLabel('Reason')).toHaveAttribute('aria-invalid', 'true');
  await expect(bar.getByLabel('Reason')).toBeFocused();
  for (const order of orders)
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } })).status).toBe('PENDING');

  // Unselecting one leaves the other; select all takes both again.
  const [first] = orders;
  if (!first) throw new Error('two orders');
  await selectBox(page, first.title).uncheck();
  await expect(bar).toContainText('1 request selected');
  await page.getByRole('checkbox', { name: 'Select all' }).check();
  await expect(bar).toContainText('2 requests selected');

  await bar.getByLabel('Reason').fill('Customer on credit hold');
  await bar.getByRole('button', { name: 'Reject selected' }).click();
  const results = page.getByTestId('bulk-results');
  await expect(results.getByRole('status')).toHaveText('2 rejected.');
  for (const order of orders) {
    await expect(results.locator(`[data-id="${order.approvalId}"]`)).toHaveText(`${order.title}: Rejected.`);
    expect(await order.result()).toEqual({ status: 'REJECTED', decidedBy: REVIEWER.email, reason: 'Customer on credit hold' });
  }
  await expect(rows).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: 'Select all' })).toBeDisabled();
});

test('overdue rows and rows near their deadline are marked in words, and the legend states the rule', async ({ page, db, orderBatch }) => {
  const { customer, orders } = await orderBatch(3, 'Bulk');
  const [overdue, soon, fine] = orders;
  if (!overdue || !soon || !fine) throw new Error('three orders');
  // Still pending in Temporal; only the row's clock is moved (the reconciler leaves a waiting attempt's row be).
  await db.$executeRaw`UPDATE approval_requests SET deadline = now() - interval '3 hours 5 minutes', requested_at = now() - interval '27 hours' WHERE id = ${overdue.approvalId}::uuid`;
  await db.$executeRaw`UPDATE approval_requests SET deadline = now() + interval '3 minutes', requested_at = now() - interval '57 minutes' WHERE id = ${soon.approvalId}::uuid`;

  await openInbox(page, customer, 3);
  const row = (order: BatchOrder) => page.getByTestId('approval-row').filter({ hasText: order.title });
  await expect(row(overdue)).toHaveAttribute('data-deadline', 'overdue');
  await expect(row(overdue).getByTestId('time-left')).toHaveText(/overdue 3h [45]m/);
  await expect(row(soon)).toHaveAttribute('data-deadline', 'soon');
  await expect(row(soon).getByTestId('time-left')).toHaveText(/[23]m \d+s left due soon$/);
  await expect(row(fine)).toHaveAttribute('data-deadline', 'ok');
  await expect(row(fine).getByTestId('time-left')).toHaveText(/5\dm \d+s left$/);
  await expect(row(fine).getByTestId('due-soon')).toHaveCount(0);
  await expect(row(overdue).getByTestId('time-left')).toHaveAttribute('title', DUE_SOON_RULE);
  await expect(page.getByTestId('deadline-legend')).toContainText('overdue: past its deadline');
  await expect(page.getByTestId('deadline-legend')).toContainText(
    'due soon: in the last 10% of its approval window, and at most 2 hours before the deadline',
  );
  // Soonest deadline first: the overdue one leads.
  await expect(page.getByTestId('approval-row').first()).toHaveAttribute('data-id', overdue.approvalId);
});
