// Company sign-in (OpenID Connect) in Chromium, through a real provider in
// this process (test/support/oidc-provider.ts): the provider's groups become
// Countersign memberships and the admin role, a group removed at the provider
// is gone at the next sign-in, refusals are worded, and with
// PASSWORD_SIGN_IN=off the password way in is closed.
//
// The suite's server has no OIDC settings, so these tests start a second
// `next start` from the same production build (.next-test) on a free port,
// pointed at the provider; the suite's worker serves both.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { decode } from 'next-auth/jwt';
import { createUser } from '../lib/auth/users';
import type { Db } from '../lib/db';
import { COMPANY_SIGN_IN_ACTOR } from '../lib/directory/company-sign-in';
import { freePorts } from '../scripts/processes';
import { startOidcProvider, type TestOidcProvider } from '../test/support/oidc-provider';
import { expect, test as routing } from './routing';

const ROOT = path.resolve(__dirname, '..');
const PROVIDER_NAME = 'Acme SSO';

/** Runs a command of node_modules/.bin against the e2e build, collecting its output. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', command), args, {
    cwd: ROOT,
    env: { ...env, NEXT_DIST_DIR: '.next-test', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const stop = async () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
    await exited;
  };
  return { exited, output: () => output, stop };
}

interface CompanySite {
  baseURL: string;
  provider: TestOidcProvider;
  /** The provider group whose members are admins (OIDC_ADMIN_GROUPS). */
  adminGroup: string;
}

interface Fixtures {
  /** A fresh browser on the company site, signed out; closed when the test ends. */
  companyPage: () => Promise<Page>;
}

const test = routing.extend<Fixtures, { companySite: CompanySite }>({
  companySite: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as the first argument.
    async ({}, use) => {
      const [port = 0] = await freePorts(1);
      const baseURL = `http://127.0.0.1:${port}`;
      const provider = await startOidcProvider({ redirectUri: `${baseURL}/api/auth/callback/oidc` });
      const adminGroup = `Countersign Admins ${randomBytes(3).toString('hex')}`;
      const server = run('next', ['start', '-H', '127.0.0.1', '-p', String(port)], {
        ...process.env,
        NEXTAUTH_URL: baseURL,
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
        OIDC_NAME: PROVIDER_NAME,
        OIDC_SCOPES: 'openid email profile groups',
        OIDC_ADMIN_GROUPS: adminGroup,
        PASSWORD_SIGN_IN: 'off',
      });
      try {
        await expect
          .poll(async () => (await fetch(`${baseURL}/signin`).catch(() => undefined))?.status, {
            timeout: 120_000,
            message: `the company site serves on ${port}:\n${server.output()}`,
          })
          .toBe(200);
        await use({ baseURL, provider, adminGroup });
      } finally {
        await server.stop();
        await provider.close();
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  companyPage: async ({ browser, companySite }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const context = await newCompanyContext(browser, companySite);
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

const newCompanyContext = (browser: Browser, site: CompanySite) =>
  browser.newContext({ baseURL: site.baseURL, storageState: { cookies: [], origins: [] } });

/** From Countersign's sign-in page to the provider's login form and back. */
async function signInWithCompany(page: Page, login: string): Promise<void> {
  await page.goto('/signin');
  await page.getByRole('button', { name: `Sign in with ${PROVIDER_NAME}` }).click();
  // The provider's own page: any password, the login names the account.
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password will do');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

async function signedInTo(page: Page, login: string): Promise<void> {
  await signInWithCompany(page, login);
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
}

const membershipsOf = async (db: Db, email: string) =>
  (await db.groupMember.findMany({ where: { user: { email } }, select: { group: { select: { name: true } } } }))
    .map((m) => m.group.name)
    .sort();

/** What a reviewer sees at /admin. */
const adminsOnly = (page: Page) => page.getByRole('alert').filter({ hasText: 'The admin queue is for admins. Ask an admin for access.' });

test.describe.configure({ mode: 'default' });

test('a member of the provider’s finance group signs in through it, finds a request routed to finance under For me, and approves it', async ({
  companySite,
  companyPage,
  db,
  temporal,
  tag,
  newGroup,
  routedRequest,
}) => {
  const finance = await newGroup('finance', []);
  const login = `fin-${tag}`;
  const email = `${login}@example.com`;
  companySite.provider.setAccount(login, { email, email_verified: true, name: 'Fin Ance', groups: [finance, 'Everyone at Acme'] });
  const request = await routedRequest({ title: `Pay invoice ${tag}`, approvers: { groups: [finance] } });

  const page = await companyPage();
  await signedInTo(page, login);
  await page.goto(`/inbox?q=${tag}`);
  await expect(page.getByRole('link', { name: 'For me' })).toHaveAttribute('aria-current', 'true');
  const row = page.getByTestId('approval-row').filter({ hasText: request.title });
  await expect(row).toHaveCount(1);
  await row.getByRole('link').click();
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('decision')).toContainText(`Approved by ${email}`);
  expect(await temporal.workflow.getHandle(request.workflowId).result()).toMatchObject({ status: 'APPROVED', decidedBy: email });

  // Made at the first sign-in: no password, the group the provider named (the other is no Countersign group, and is not created).
  const user = await db.user.findUniqueOrThrow({ where: { email } });
  expect({ passwordHash: user.passwordHash, name: user.name, role: user.role }).toEqual({
    passwordHash: null,
    name: 'Fin Ance',
    role: 'REVIEWER',
  });
  expect(await membershipsOf(db, email)).toEqual([finance]);
  expect(await db.group.count({ where: { name: { in: ['everyone at acme', 'Everyone at Acme'] } } })).toBe(0);
  const created = await db.auditEvent.findFirst({ where: { action: 'USER_CREATED', details: { path: ['email'], equals: email } } });
  expect(created).toMatchObject({
    actor: COMPANY_SIGN_IN_ACTOR,
    path: 'EXTERNAL',
    details: { email, role: 'REVIEWER', groups: [finance] },
  });
});

test('the browser holds only next-auth’s cookies, and the session token carries who signed in, none of the provider’s tokens', async ({
  companySite,
  companyPage,
  tag,
}) => {
  const login = `cookie-${tag}`;
  companySite.provider.setAccount(login, { email: `${login}@example.com`, email_verified: true, groups: [] });
  const page = await companyPage();
  await signedInTo(page, login);

  const cookies = await page.context().cookies(companySite.baseURL);
  const session = cookies.find((cookie) => cookie.name === 'next-auth.session-token');
  expect(session?.httpOnly).toBe(true);
  const token = await decode({ token: session?.value, secret: process.env.NEXTAUTH_SECRET ?? '' });
  expect(Object.keys(token ?? {}).sort()).toEqual(['email', 'exp', 'iat', 'jti', 'name', 'role', 'sub', 'uid'].sort());
  expect(JSON.stringify(token)).not.toMatch(/token|eyJ/);
  expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0]);
});

test('a member of the admin group reaches /admin; out of it at the provider, the next sign-in makes them a reviewer', async ({
  companySite,
  companyPage,
  db,
  tag,
}) => {
  const login = `boss-${tag}`;
  const email = `${login}@example.com`;
  companySite.provider.setAccount(login, { email, email_verified: true, groups: [companySite.adminGroup] });

  const admin = await companyPage();
  await signedInTo(admin, login);
  await admin.goto('/admin');
  await expect(admin.getByRole('heading', { name: 'Admin queue' })).toBeVisible();
  expect((await db.user.findUniqueOrThrow({ where: { email } })).role).toBe('ADMIN');

  companySite.provider.setAccount(login, { email, email_verified: true, groups: [] });
  const again = await companyPage();
  await signedInTo(again, login);
  await again.goto('/admin');
  await expect(adminsOnly(again)).toBeVisible();
  // The role is read per request: the first browser's session lost /admin too.
  await admin.reload();
  await expect(adminsOnly(admin)).toBeVisible();
  await expect(admin.getByRole('heading', { name: 'Admin queue' })).toHaveCount(0);
  const changed = await db.auditEvent.findFirst({ where: { action: 'ROLE_CHANGED', details: { path: ['email'], equals: email } } });
  expect(changed).toMatchObject({ actor: COMPANY_SIGN_IN_ACTOR, details: { email, from: 'ADMIN', to: 'REVIEWER' } });
});

test('a group removed at the provider is gone at the next sign-in, and its requests leave For me', async ({
  companySite,
  companyPage,
  db,
  tag,
  newGroup,
  routedRequest,
}) => {
  const finance = await newGroup('finance', []);
  const login = `mover-${tag}`;
  const email = `${login}@example.com`;
  companySite.provider.setAccount(login, { email, email_verified: true, groups: [finance] });
  const request = await routedRequest({ title: `Refund ${tag}`, approvers: { groups: [finance] } });

  const before = await companyPage();
  await signedInTo(before, login);
  await before.goto(`/inbox?q=${tag}`);
  await expect(before.getByTestId('approval-row').filter({ hasText: request.title })).toHaveCount(1);
  expect(await membershipsOf(db, email)).toEqual([finance]);

  companySite.provider.setAccount(login, { email, email_verified: true, groups: [] });
  const after = await companyPage();
  await signedInTo(after, login);
  expect(await membershipsOf(db, email)).toEqual([]);
  await after.goto(`/inbox?q=${tag}`);
  await expect(after.locator('[data-shortcuts-ready="true"]')).toBeAttached();
  await expect(after.getByTestId('approval-row')).toHaveCount(0);
  const removed = await db.auditEvent.findFirst({ where: { action: 'MEMBER_REMOVED', details: { path: ['email'], equals: email } } });
  expect(removed).toMatchObject({ actor: COMPANY_SIGN_IN_ACTOR, path: 'EXTERNAL', details: { group: finance, email } });
});

test('an email the provider says is unverified is refused in words (an accessible page), and nobody is created', async ({
  companySite,
  companyPage,
  db,
  tag,
}) => {
  const login = `unverified-${tag}`;
  const email = `${login}@example.com`;
  companySite.provider.setAccount(login, { email, email_verified: false, groups: [] });
  const page = await companyPage();
  await signInWithCompany(page, login);
  await expect(page).toHaveURL(/\/signin\?error=EmailUnverified$/);
  await expect(page.getByTestId('sign-in-refused')).toHaveText(
    'Your company account’s email address is not verified. Verify it with your company’s sign-in, then try again.',
  );
  expect(await db.user.count({ where: { email } })).toBe(0);
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
});

test('a deactivated person stays refused, whatever the provider says', async ({ companySite, companyPage, db, tag }) => {
  const login = `gone-${tag}`;
  const email = `${login}@example.com`;
  await db.user.create({ data: { email, role: 'REVIEWER', active: false, deactivatedAt: new Date() } });
  companySite.provider.setAccount(login, { email, email_verified: true, groups: [companySite.adminGroup] });
  const page = await companyPage();
  await signInWithCompany(page, login);
  await expect(page.getByTestId('sign-in-refused')).toHaveText('Your Countersign account is deactivated. Ask an admin to reactivate it.');
  await page.goto('/inbox');
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  expect(await db.user.findUniqueOrThrow({ where: { email } })).toMatchObject({ active: false, role: 'REVIEWER' });
});

test('with PASSWORD_SIGN_IN=off the sign-in page has only the company button, and the password endpoint refuses a right password', async ({
  companySite,
  companyPage,
  db,
  playwright,
}) => {
  const page = await companyPage();
  await page.goto('/signin');
  await expect(page.getByRole('button', { name: `Sign in with ${PROVIDER_NAME}` })).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveCount(0);
  await expect(page.getByLabel('Password')).toHaveCount(0);

  const email = `password-${randomBytes(5).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('hex');
  await createUser(db, { email, password, role: 'REVIEWER' });
  const api = await playwright.request.newContext({ baseURL: companySite.baseURL });
  try {
    const { csrfToken } = (await (await api.get('/api/auth/csrf')).json()) as { csrfToken: string };
    const refused = await api.post('/api/auth/callback/credentials', { form: { csrfToken, email, password, json: 'true' } });
    expect(refused.status()).toBe(403);
    expect(new URL(((await refused.json()) as { url: string }).url).searchParams.get('error')).toBe(
      `Sign-in with a password is turned off here. Sign in with ${PROVIDER_NAME} instead.`,
    );
    expect(refused.headers()['set-cookie'] ?? '').not.toContain('next-auth.session-token');
    const session = (await (await api.get('/api/auth/session')).json()) as Record<string, unknown>;
    expect(session).toEqual({});
  } finally {
    await api.dispose();
  }
});

test('next start with half the company sign-in settings refuses to start, naming what is missing', async () => {
  const [port = 0] = await freePorts(1);
  const server = run('next', ['start', '-H', '127.0.0.1', '-p', String(port)], {
    ...process.env,
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    OIDC_ISSUER: 'https://login.example.com/realms/acme',
    OIDC_CLIENT_ID: 'countersign',
  });
  try {
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('OIDC_CLIENT_SECRET: is required for company sign-in (OIDC_ISSUER, OIDC_CLIENT_ID are set)');
  } finally {
    await server.stop();
  }
});
