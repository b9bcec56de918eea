// `tsx scripts/screenshots.ts [baseUrl]`: signs in to a running Countersign
// (npm run dev) with the demo reviewer and admin, and saves the README's
// screenshots to docs/. Not a test: it asserts nothing.
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { DEMO_USERS } from '../lib/auth/users';

const OUT = path.resolve(__dirname, '..', 'docs');

async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/inbox$/);
}

async function main(): Promise<void> {
  const baseUrl = process.argv[2] ?? 'http://localhost:3000';
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-background-networking'],
  });
  try {
    for (const user of DEMO_USERS) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 720 }, deviceScaleFactor: 1 });
      await signIn(page, baseUrl, user.email, user.password);
      if (user.role === 'REVIEWER') {
        await page.screenshot({ path: path.join(OUT, 'inbox.png'), fullPage: true, caret: 'initial' });
        await page.getByTestId('approval-row').first().getByRole('link').first().click();
        await page.waitForURL(/\/inbox\/[0-9a-f-]+$/);
        // A claim puts a heartbeat on the timeline.
        const claim = page.getByRole('button', { name: 'Claim' });
        if (await claim.isVisible()) {
          await claim.click();
          await page.getByTestId('claim-holder').filter({ hasText: 'Claimed by you' }).waitFor();
        }
        await page.screenshot({ path: path.join(OUT, 'detail.png'), fullPage: true, caret: 'initial' });
      } else {
        await page.goto(`${baseUrl}/admin`);
        await page.locator('svg[role="img"]').first().waitFor();
        await page.screenshot({ path: path.join(OUT, 'admin.png'), fullPage: true, caret: 'initial' });
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots written to ${OUT}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
