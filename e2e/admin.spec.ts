import { randomBytes } from 'node:crypto';
import { test, expect, ADMIN } from './support';

test.use({ storageState: ADMIN.storageState });

test('an admin creates a request in the UI and it reaches the inbox', async ({ page, db }) => {
  const customer = `Admin Co ${randomBytes(4).toString('hex')}`;
  await page.goto('/admin');
  await page.getByLabel('Customer').fill(customer);
  await page.getByLabel('Amount').fill('980.25');
  await page.getByLabel('Currency').selectOption('EUR');
  await page.getByLabel(/Items/).fill('BOLT-9:4, NUT-2:8');
  await page.getByRole('button', { name: 'Request approval' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Started order-' })).toBeVisible();

  await expect.poll(async () => (await db.approvalRequest.findFirst({ where: { customer } }))?.status).toBe('PENDING');
  const stored = await db.approvalRequest.findFirstOrThrow({ where: { customer } });
  expect(stored.request).toMatchObject({ requester: ADMIN.email, currency: 'EUR', fields: { items: 'BOLT-9 × 4, NUT-2 × 8' } });

  // The admin requested it, so under four eyes someone else decides: it is not in their inbox "for me", only under all.
  await page.goto(`/inbox?q=${encodeURIComponent(customer)}`);
  await expect(page.getByText('No requests match.')).toBeVisible();
  await page.goto(`/inbox?scope=all&q=${encodeURIComponent(customer)}`);
  await expect(page.getByTestId('approval-row').filter({ hasText: customer })).toContainText('€980.25');
});

test('bad input to the create form shows field errors and starts nothing', async ({ page, db }) => {
  const customer = `Bad Co ${randomBytes(4).toString('hex')}`;
  await page.goto('/admin');
  await page.getByLabel('Customer').fill(customer);
  await page.getByLabel('Amount').fill('-5');
  await page.getByLabel(/Items/).fill('no quantity here');
  await page.getByRole('button', { name: 'Request approval' }).click();
  await expect(page.locator('#amount-error')).toHaveText('amount must be more than 0');
  await expect(page.locator('#items-error')).toHaveText('items look like SKU-1:2, SKU-2:1');
  expect(await db.approvalRequest.count({ where: { customer } })).toBe(0);
});
