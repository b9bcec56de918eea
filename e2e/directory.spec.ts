// People, groups and delegation in the browser: an admin invites someone and
// the link works once, in a browser that was never signed in; an admin adds
// them to a group; deactivating someone ends their session and their live
// stream at once and releases what they held; a reviewer delegates on /settings.
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from '@playwright/test';
import { createUser } from '../lib/auth/users';
import { test, expect, ADMIN, REVIEWER, signIn } from './support';

test.use({ storageState: ADMIN.storageState });

const freshEmail = (label: string) => `${label}-${randomBytes(5).toString('hex')}@example.com`;
const freshGroup = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

/** A browser that was never signed in. */
async function signedOutPage(browser: Browser, options: { timezoneId?: string } = {}): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, ...options });
  return context.newPage();
}

test('an admin invites someone: the link is shown once, sets their password once in a fresh browser, and they sign in', async ({
  page,
  browser,
  db,
}) => {
  const [first, second] = [freshGroup('invite'), freshGroup('later')];
  await db.group.createMany({ data: [{ name: first }, { name: second }] });
  const email = freshEmail('invited');

  await page.goto('/admin/users');
  const form = page.getByRole('region', { name: 'Invite someone' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel(/^Name/).fill('Ivy Invited');
  await form.getByLabel('Role').selectOption('REVIEWER');
  await form.getByLabel(first).check();
  await form.getByRole('button', { name: 'Invite' }).click();
  await expect(form.getByRole('status')).toContainText(`Invited ${email}.`);
  await expect(form.getByRole('status')).toContainText('shown only now');
  const link = await form.getByTestId('password-link').inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId('recent-changes')).toContainText(`invited ${email} as reviewer (groups: ${first})`);
  const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await expect(row.getByTestId('user-status')).toContainText('Invited, no password yet');

  // Shown once: a reload has no link, and nothing on the page holds it.
  await page.reload();
  await expect(page.getByTestId('password-link')).toHaveCount(0);
  expect(await page.content()).not.toContain(link.split('/invite/')[1]);

  const invitee = await signedOutPage(browser);
  try {
    await invitee.goto(link);
    await expect(invitee.getByText(`Welcome for ${email}`)).toBeVisible();
    const password = `pw-${randomBytes(12).toString('hex')}`;
    await invitee.getByLabel(/New password/).fill(password);
    await invitee.getByLabel('Repeat it').fill(`${password}-typo`);
    await invitee.getByRole('button', { name: 'Set password' }).click();
    await expect(invitee.locator('#confirm-error')).toHaveText('the two passwords differ');
    // The form starts empty again after a refusal (React resets a form once its action is done).
    await invitee.getByLabel(/New password/).fill(password);
    await invitee.getByLabel('Repeat it').fill(password);
    await invitee.getByRole('button', { name: 'Set password' }).click();
    await expect(invitee.getByRole('status')).toHaveText(`Your password is set. Sign in as ${email} with it.`);
    await invitee.getByRole('link', { name: 'Go to sign in' }).click();
    await expect(invitee).toHaveURL(/\/signin/);
    await signIn(invitee, email, password);

    // The link is used up, and says so.
    await invitee.goto(link);
    await expect(invitee.getByTestId('link-refused')).toHaveText(/This link has been used already/);
    await expect(invitee.getByLabel(/New password/)).toHaveCount(0);
  } finally {
    await invitee.context().close();
  }

  // The admin adds them to another group.
  await page.goto('/admin/groups');
  const group = page.locator(`[data-testid="group"][data-group="${second}"]`);
  await group.getByLabel(`Add to ${second}`).selectOption(email);
  await group.getByRole('button', { name: 'Add' }).click();
  await expect(group.getByRole('status')).toHaveText(`Added ${email} to ${second}.`);
  await expect(group.getByTestId('member').filter({ hasText: email })).toBeVisible();
  const memberships = await db.groupMember.findMany({ where: { user: { email } }, select: { group: { select: { name: true } } } });
  expect(memberships.map((m) => m.group.name).sort()).toEqual([first, second].sort());
});

test('deactivating someone who is signed in ends their session and their live stream, and releases the request they held', async ({
  page,
  newUserPage,
  pendingOrder,
  db,
}) => {
  const order = await pendingOrder();
  const reviewer = await newUserPage('REVIEWER');
  await reviewer.page.goto(`/inbox/${order.approvalId}`);
  await reviewer.page.getByRole('button', { name: 'Claim' }).click();
  await expect(reviewer.page.getByTestId('claim-holder')).toContainText('Claimed by you');

  // A live stream of their own, read to its end in their page.
  await reviewer.page.evaluate(async () => {
    const response = await fetch('/api/events');
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no stream');
    await reader.read();
    const ended = (async () => {
      while (!(await reader.read()).done) {
        // heartbeats and changes
      }
      return 'ended';
    })();
    Object.assign(window, { __streamEnded: ended });
  });

  await page.goto('/admin/users');
  const row = page.locator(`[data-testid="user-row"][data-email="${reviewer.email}"]`);
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await expect(row.getByRole('status')).toHaveText(`Deactivated ${reviewer.email}: they are signed out. 1 request they held was released.`);
  await expect(row.getByTestId('user-status')).toContainText('Deactivated');
  await expect(row.getByRole('button', { name: 'Reactivate' })).toBeVisible();

  // The stream ends within seconds, without any navigation.
  const ended = await reviewer.page.evaluate(() => (window as unknown as { __streamEnded: Promise<string> }).__streamEnded);
  expect(ended).toBe('ended');

  // Their next navigation lands on sign-in; the cookie is still there, the session is not.
  await reviewer.page.goto('/inbox');
  await expect(reviewer.page).toHaveURL(/\/signin/);
  await expect(reviewer.page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  const refused = await reviewer.page.request.get('/api/events', { maxRedirects: 0 });
  expect(refused.status()).toBe(401);

  const released = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { claimedBy: true } });
  expect(released.claimedBy).toBeNull();
  const events = await db.auditEvent.findMany({ where: { approvalRequestId: order.approvalId, action: 'RELEASED' } });
  expect(events.map((e) => ({ actor: e.actor, details: e.details }))).toEqual([
    { actor: ADMIN.email, details: { from: reviewer.email, reason: 'deactivated' } },
  ]);
});

test('an admin cannot deactivate or demote themselves: their own row has no controls', async ({ page }) => {
  await page.goto('/admin/users');
  const own = page.locator(`[data-testid="user-row"][data-email="${ADMIN.email}"]`);
  await expect(own).toContainText('You (another admin changes your account)');
  await expect(own.getByRole('button')).toHaveCount(0);
});

test('a reviewer sets "away until, my requests go to" in their own time zone, the delegate sees it, and it ends', async ({
  browser,
  db,
}) => {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const [me, delegate] = [freshEmail('away'), freshEmail('delegate')];
  await createUser(db, { email: me, password, role: 'REVIEWER' });
  await createUser(db, { email: delegate, password, role: 'REVIEWER' });
  // Far from UTC, and not by whole hours: the instant saved is the one meant in this zone.
  const page = await signedOutPage(browser, { timezoneId: 'Asia/Kolkata' });
  const other = await signedOutPage(browser);
  try {
    await signIn(page, me, password);
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
    await expect(page.getByTestId('current-delegation')).toHaveText('You are not away: your requests come to you.');

    const yesterday = await page.evaluate(() => {
      const d = new Date(Date.now() - 86_400_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T09:00`;
    });
    await page.getByLabel(/Away until/).fill(yesterday);
    await page.getByLabel('My requests go to').selectOption(delegate);
    await page.getByRole('button', { name: 'Save delegation' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Choose a time' })).toHaveText(
      'Choose a time in the future for when you are back.',
    );

    // Two days ahead at 09:00 on the reviewer's clock.
    const back = await page.evaluate(() => {
      const d = new Date(Date.now() + 2 * 86_400_000);
      d.setHours(9, 0, 0, 0);
      const pad = (n: number) => String(n).padStart(2, '0');
      return { local: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T09:00`, iso: d.toISOString() };
    });
    expect(back.iso).toMatch(/T03:30:00\.000Z$/);
    await page.getByLabel(/Away until/).fill(back.local);
    await page.getByLabel('My requests go to').selectOption(delegate);
    await page.getByRole('button', { name: 'Save delegation' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved:' })).toContainText(`Saved: ${delegate} decides for you until`);
    await expect(page.getByTestId('current-delegation')).toContainText(`Your requests go to ${delegate} until`);
    const stored = await db.user.findUniqueOrThrow({
      where: { email: me },
      select: { awayUntil: true, delegate: { select: { email: true } } },
    });
    expect({ awayUntil: stored.awayUntil?.toISOString(), delegate: stored.delegate?.email }).toEqual({ awayUntil: back.iso, delegate });

    // The delegate sees who delegated to them, and cannot delegate back.
    await signIn(other, delegate, password);
    await other.goto('/settings');
    await expect(other.getByTestId('delegators')).toContainText(me);
    await other.getByLabel(/Away until/).fill(back.local);
    await other.getByLabel('My requests go to').selectOption(me);
    await other.getByRole('button', { name: 'Save delegation' }).click();
    await expect(other.getByRole('alert').filter({ hasText: me })).toContainText(`${me} is away and their requests come to you`);

    await page.getByRole('button', { name: 'End delegation now' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Ended:' })).toHaveText(`Ended: your requests no longer go to ${delegate}.`);
    await expect(page.getByTestId('current-delegation')).toHaveText('You are not away: your requests come to you.');
    await other.reload();
    await expect(other.getByTestId('delegators')).toHaveText('Nobody is away with their requests going to you.');
  } finally {
    await page.context().close();
    await other.context().close();
  }
});

test.describe('as a reviewer', () => {
  test.use({ storageState: REVIEWER.storageState });

  test('the header offers Settings but none of the admin pages, and the Users and Groups pages refuse', async ({ page }) => {
    await page.goto('/inbox');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link')).toHaveText(['Inbox', 'Settings']);
    for (const [path, text] of [
      ['/admin/users', 'People are managed by admins'],
      ['/admin/groups', 'Groups are managed by admins'],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toContainText(text);
    }
  });
});
