// Signs in once per role and saves the session for the specs.
import { test as setup, expect } from '@playwright/test';
import { ADMIN, REVIEWER } from './support';

for (const user of [REVIEWER, ADMIN]) {
  setup(`sign in as ${user.email}`, async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/inbox$/);
    await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
    await page.context().storageState({ path: user.storageState });
  });
}
