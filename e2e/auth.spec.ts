import { test, expect, REVIEWER } from './support';

test.describe('signed out', () => {
  test('the inbox redirects to sign-in', async ({ page }) => {
    await page.goto('/inbox');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Finbox/);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  test("a pending request's page redirects to sign-in and shows nothing of it", async ({ page, pendingOrder }) => {
    const order = await pendingOrder();
    const response = await page.goto(`/inbox/${order.approvalId}`);
    await expect(page).toHaveURL(new RegExp(`/signin\\?callbackUrl=%2Finbox%2F${order.approvalId}`));
    const body = (await response?.text()) ?? '';
    expect(body).toContain('Sign in');
    expect(body).not.toContain(order.customer);
  });

  test('signing in from that redirect lands on the request', async ({ page, pendingOrder }) => {
    const order = await pendingOrder();
    await page.goto(`/inbox/${order.approvalId}`);
    await page.getByLabel('Email').fill(REVIEWER.email);
    await page.getByLabel('Password').fill(REVIEWER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`/inbox/${order.approvalId}`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(order.customer);
  });

  test('a wrong password is refused with a message', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('Email').fill(REVIEWER.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toHaveText('That email and password do not match an account.');
    await expect(page).toHaveURL(/\/signin/);
  });
});

test.describe('as a reviewer', () => {
  test.use({ storageState: REVIEWER.storageState });

  test('the admin queue is refused', async ({ page }) => {
    await page.goto('/admin');
    await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toContainText('The admin queue is for admins');
    await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  });
});
