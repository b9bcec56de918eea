// The request page: the request rendered, a deep link into Temporal's Web UI,
// and a timeline of who did what, when.
import { test, expect, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState });

test('a request page renders the order and a timeline: requested, claimed (a heartbeat), decided, with who and when', async ({
  page,
  pendingOrder,
}) => {
  const order = await pendingOrder();
  await page.goto(`/inbox/${order.approvalId}`);

  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    `Order ${order.workflowId.replace(/^order-/, '')} for ${order.customer}`,
  );
  await expect(page.getByText(`3 items for ${order.customer}`)).toBeVisible();
  await expect(page.getByText('$1,234.50')).toBeVisible();
  await expect(page.getByText('WIDGET-1 × 3')).toBeVisible();
  const temporalLink = page.getByRole('link', { name: order.workflowId });
  await expect(temporalLink).toHaveAttribute('href', new RegExp(`/namespaces/default/workflows/${order.workflowId}/[0-9a-f-]+/history$`));

  const timeline = page.getByTestId('timeline-event');
  await expect(timeline).toHaveCount(1);
  await expect(timeline.first()).toContainText('Requested by the workflow');
  await expect(timeline.first()).toContainText(/Window 1, due \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d \S+/);

  await page.getByRole('button', { name: 'Claim' }).click();
  await expect(timeline).toHaveCount(2);
  await expect(timeline.nth(1)).toContainText(`Claimed by ${REVIEWER.email} in Countersign`);
  await expect(timeline.nth(1)).toContainText(`Heartbeat sent to Temporal: held by ${REVIEWER.email}`);

  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('status')).toHaveText('approved');
  await expect(timeline).toHaveCount(3);
  await expect(timeline.nth(2)).toContainText(`Approved by ${REVIEWER.email} in Countersign`);
  await expect(timeline.nth(2).locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
});
