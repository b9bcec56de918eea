import { test, expect, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState });

test('a reviewer approves a pending request and the workflow is fulfilled', async ({ page, pendingOrder, db }) => {
  const order = await pendingOrder();
  await page.goto(`/inbox?q=${encodeURIComponent(order.customer)}`);
  const row = page.getByTestId('approval-row').filter({ hasText: order.customer });
  await expect(row).toContainText('$1,234.50');
  await row.getByRole('link').click();
  await expect(page).toHaveURL(`/inbox/${order.approvalId}`);
  await expect(page.getByText('WIDGET-1 × 3')).toBeVisible();

  await page.getByLabel('Comment').fill('Looks right');
  await page.getByRole('button', { name: 'Approve' }).click();

  await expect(page.getByTestId('decision')).toContainText(`Approved by ${REVIEWER.email}`);
  await expect(page.getByTestId('status')).toHaveText('approved');
  expect(await order.result()).toEqual({ status: 'FULFILLED', decidedBy: REVIEWER.email, comment: 'Looks right' });
  const stored = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } });
  expect(stored).toMatchObject({ status: 'APPROVED', decidedBy: REVIEWER.email, decisionPath: 'DASHBOARD' });

  await page.goto(`/inbox?q=${encodeURIComponent(order.customer)}`);
  await expect(page.getByTestId('approval-row').filter({ hasText: order.customer })).toHaveCount(0);
});

test('rejecting needs a reason; with one, the workflow ends REJECTED', async ({ page, pendingOrder, db }) => {
  const order = await pendingOrder();
  await page.goto(`/inbox/${order.approvalId}`);

  await page.getByRole('button', { name: 'Reject' }).click();
  await expect(page.locator('#reason-error')).toHaveText('A reason is required to reject');
  expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } })).status).toBe('PENDING');

  await page.getByLabel('Reason').fill('Customer is over their credit limit');
  await page.getByRole('button', { name: 'Reject' }).click();
  await expect(page.getByTestId('decision')).toContainText(`Rejected by ${REVIEWER.email}`);
  await expect(page.getByTestId('decision')).toContainText('Customer is over their credit limit');
  expect(await order.result()).toEqual({ status: 'REJECTED', decidedBy: REVIEWER.email, reason: 'Customer is over their credit limit' });
});

test('a second reviewer deciding on a stale page is told who decided first, and changes nothing', async ({
  page,
  newUserPage,
  pendingOrder,
  db,
}) => {
  const order = await pendingOrder();
  const second = await newUserPage('REVIEWER');
  // Stale: live updates would refresh the second page before it sends (e2e/live.spec.ts); here the stream is down.
  await second.page.route('**/api/events', (route) => route.abort());
  await page.goto(`/inbox/${order.approvalId}`);
  await second.page.goto(`/inbox/${order.approvalId}`);

  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('decision')).toContainText(`Approved by ${REVIEWER.email}`);

  await second.page.getByLabel('Reason').fill('Too late');
  await second.page.getByRole('button', { name: 'Reject' }).click();
  await expect(second.page.getByRole('alert').filter({ hasText: /\w/ })).toContainText(`Already decided by ${REVIEWER.email} at`);
  expect(await order.result()).toMatchObject({ status: 'FULFILLED', decidedBy: REVIEWER.email });
  const decisions = await db.auditEvent.findMany({
    where: { approvalRequestId: order.approvalId, action: { in: ['APPROVED', 'REJECTED'] } },
  });
  expect(decisions.map((d) => d.actor)).toEqual([REVIEWER.email]);
});
