// Signs in once per role and saves the session for the specs.
import { test as setup, expect } from '@playwright/test';
import { ADMIN, REVIEWER, signIn } from './support';

for (const user of [REVIEWER, ADMIN]) {
  setup(`sign in as ${user.email}`, async ({ page }) => {
    await signIn(page, user.email, user.password);
    await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
    await page.context().storageState({ path: user.storageState });
  });
}
