// Shared by the live-update specs: waiting for a page to listen, proving it
// was not reloaded, and an inbox that lists only one test's requests.
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect } from './support';

/** Waits until the page's live updates are connected, so no change can slip past before it listens. */
export async function expectListening(page: Page): Promise<void> {
  await expect(page.getByTestId('live-updates')).toHaveAttribute('data-connection', 'open');
}

/** Leaves a mark in the page's window: a reload or a navigation would wipe it. */
export async function markWindow(page: Page): Promise<() => Promise<void>> {
  const mark = randomBytes(6).toString('hex');
  await page.evaluate((value) => Object.assign(window, { __liveMark: value }), mark);
  return async () => {
    expect(await page.evaluate(() => (window as unknown as { __liveMark?: string }).__liveMark), 'the page was not reloaded').toBe(mark);
  };
}

/** The inbox filtered to some customers, so requests other tests write to the shared database stay out of it. */
export const inboxSearching = (text: string) => `/inbox?q=${encodeURIComponent(text)}`;
