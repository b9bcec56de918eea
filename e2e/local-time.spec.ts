// Times in the reviewer's own time zone (the exact UTC time on hover), and
// relative times that count on, and change level, without a reload. The
// browser runs in Tokyo on a fake clock (page.clock) the test moves forward.
import type { Page } from '@playwright/test';
import { formatDuration } from '../lib/format';
import { test, expect, openInbox, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState, timezoneId: 'Asia/Tokyo' });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "3 Dec 2026, 19:02" at `offsetHours` from UTC, worked out by hand (not with Intl, which the page uses). */
function wallClock(date: Date, offsetHours: number): string {
  const t = new Date(date.getTime() + offsetHours * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()}, ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}
/** Tokyo is UTC+9 all year; Chromium names it GMT+9 in en-GB (JST in some locales). */
const inTokyo = (date: Date) => new RegExp(`^${wallClock(date, 9)} (GMT\\+9|JST)$`);
const exactUtc = (date: Date) => `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;

/** Hydration mismatches React reports (in a production build, as minified errors #418 / #423 / #425). */
function collectHydrationErrors(page: Page): string[] {
  const errors: string[] = [];
  const note = (text: string) => {
    if (/hydrat|#418|#423|#425/i.test(text)) errors.push(text);
  };
  page.on('console', (message) => {
    if (message.type() === 'error') note(message.text());
  });
  page.on('pageerror', (error) => note(error.message));
  return errors;
}

test('the request page shows its times in the reviewer’s zone with UTC on hover, and the time left counts down to overdue live', async ({
  page,
  pendingOrder,
  db,
}) => {
  const hydrationErrors = collectHydrationErrors(page);
  await page.clock.install();
  const order = await pendingOrder();
  const { deadline, requestedAt } = await db.approvalRequest.findUniqueOrThrow({
    where: { id: order.approvalId },
    select: { deadline: true, requestedAt: true },
  });

  // The server does not know the reader's zone: its HTML says UTC, and the browser switches after hydration.
  const html = await (await page.request.get(`/inbox/${order.approvalId}`)).text();
  expect(html).toContain(`${wallClock(deadline, 0)} UTC`);

  await page.goto(`/inbox/${order.approvalId}`);
  const requested = page.locator('dt:text-is("Requested") + dd time');
  await expect(requested).toHaveText(inTokyo(requestedAt));
  await expect(requested).toHaveAttribute('title', exactUtc(requestedAt));

  const deadlineField = page.locator('dt:text-is("Deadline") + dd');
  const deadlineTime = deadlineField.locator('time').first();
  await expect(deadlineTime).toHaveText(inTokyo(deadline));
  await expect(deadlineTime).toHaveAttribute('title', exactUtc(deadline));
  await expect(deadlineTime).toHaveAttribute('datetime', deadline.toISOString());

  // The timeline's times too, the deadline inside its sentence included.
  const requestedEvent = page.getByTestId('timeline-event').first();
  await expect(requestedEvent).toContainText(`Window 1, due ${wallClock(deadline, 9)}`);
  await expect(requestedEvent.locator('time').first()).toHaveAttribute('title', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

  // A 1-hour window (APPROVAL_WINDOW in the e2e server): the time left counts down, not yet overdue.
  const left = deadlineField.locator('time[data-level]');
  await expect(left).toHaveText(/^[1-5]?\dm \d{1,2}s left$/);
  await expect(deadlineField).not.toHaveClass(/text-red-700/);

  // Jump to 2 min 30.5 s before the deadline and hold the clock there: the text follows, no reload.
  await page.clock.pauseAt(new Date(deadline.getTime() - 150_500));
  await expect(left).toHaveText('2m 30s left');
  await expect(deadlineField).toContainText(`(2m 30s left)`);
  await expect(deadlineField).not.toHaveClass(/text-red-700/);

  // Past the deadline: overdue, and the deadline turns red.
  await page.clock.pauseAt(new Date(deadline.getTime() + 90_500));
  await expect(left).toHaveText('overdue 1m 30s');
  await expect(deadlineField).toHaveClass(/text-red-700/);
  // The absolute times stay put.
  await expect(deadlineTime).toHaveText(inTokyo(deadline));

  expect(hydrationErrors).toEqual([]);
});

test('an inbox row counts down live and changes level: due soon, then overdue', async ({ page, pendingOrder, db }) => {
  const hydrationErrors = collectHydrationErrors(page);
  await page.clock.install();
  const order = await pendingOrder();
  const { deadline, requestedAt } = await db.approvalRequest.findUniqueOrThrow({
    where: { id: order.approvalId },
    select: { deadline: true, requestedAt: true },
  });
  const row = (await openInbox(page, order.customer, 1)).first();
  const timeLeft = row.getByTestId('time-left');
  const age = row.locator(`time[datetime="${requestedAt.toISOString()}"]`);

  await expect(row).toHaveAttribute('data-deadline', 'ok');
  await expect(timeLeft).toHaveText(/\b[1-5]?\dm \d{1,2}s left$/);
  await expect(row.getByTestId('due-soon')).toHaveCount(0);

  // Due soon is the last 10% of the window: 6 minutes of an hour.
  await page.clock.pauseAt(new Date(deadline.getTime() - 150_500));
  await expect(row).toHaveAttribute('data-deadline', 'soon');
  await expect(timeLeft).toHaveText(/\b2m 30s left due soon$/);
  await expect(row.getByTestId('due-soon')).toBeVisible();
  await expect(age).toHaveText(formatDuration(deadline.getTime() - 150_500 - requestedAt.getTime()));

  await page.clock.pauseAt(new Date(deadline.getTime() + 90_500));
  await expect(row).toHaveAttribute('data-deadline', 'overdue');
  await expect(row).toHaveClass(/border-l-red-600/);
  await expect(timeLeft).toHaveText(/\boverdue 1m 30s$/);
  await expect(row.getByTestId('due-soon')).toHaveCount(0);
  await expect(age).toHaveText(formatDuration(deadline.getTime() + 90_500 - requestedAt.getTime()));

  expect(hydrationErrors).toEqual([]);
});
