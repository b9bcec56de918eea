import { test, expect, REVIEWER } from './support';

test.describe('signed out', () => {
  test('the inbox redirects to sign-in', async ({ page }) => {
    await page.goto('/inbox');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Finbox/);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  test('a detail page redirects to sign-in and shows no request', async ({ page }) => {
    const response = await page.goto('/inbox/00000000-0000-4000-8000-000000000000');
    await expect(page).toHaveURL(/\/signin/);
    expect(await response?.text()).not.toContain('Decide');
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
