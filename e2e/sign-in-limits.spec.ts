// Sign-in against guessing, over HTTP and in the form: failures are limited per
// account and per client address (429 with Retry-After), a success starts the
// account afresh, old bcryptjs hashes are replaced, and an over-long password
// is refused before any hashing. Each test comes from addresses of its own
// (X-Forwarded-For: the e2e server has no proxy in front, so Next.js keeps the
// client's entry, as one trusted proxy's would be kept), so no two share a count.
import { randomBytes } from 'node:crypto';
import type { APIRequestContext, APIResponse } from '@playwright/test';
import { PASSWORD_MAX } from '../lib/auth/passwords';
import { SIGN_IN_LIMITS, tooManyAttempts } from '../lib/auth/sign-in-rules';
import { createUser } from '../lib/auth/users';
import { BCRYPTJS_USER } from '../test/fixtures/legacy-password';
import { expect, test as base } from './support';

const { account: perAccount, address: perAddress } = SIGN_IN_LIMITS;

const newAddress = () => `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
const newEmail = () => `limits-${randomBytes(5).toString('hex')}@example.com`;
const WRONG = 'not-the-password';

interface Client {
  /** One password sign-in, as next-auth's signIn() posts it. */
  signIn(email: string, password: string): Promise<APIResponse>;
}

const test = base.extend<{ newClient: () => Promise<Client>; newAccount: () => Promise<{ email: string; password: string }> }>({
  newClient: async ({ playwright, baseURL }, use) => {
    const contexts: APIRequestContext[] = [];
    await use(async () => {
      const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': newAddress() } });
      contexts.push(api);
      const { csrfToken } = (await (await api.get('/api/auth/csrf')).json()) as { csrfToken: string };
      return {
        signIn: (email, password) =>
          api.post('/api/auth/callback/credentials', { form: { email, password, csrfToken, json: 'true', callbackUrl: '/inbox' } }),
      };
    });
    await Promise.all(contexts.map((c) => c.dispose()));
  },
  newAccount: async ({ db }, use) => {
    await use(async () => {
      const created = { email: newEmail(), password: randomBytes(12).toString('hex') };
      await createUser(db, { ...created, role: 'REVIEWER' });
      return created;
    });
  },
});

/** The sentence signIn() hands the form: the `error` of the answer's url. */
async function refusal(response: APIResponse): Promise<string | null> {
  const { url } = (await response.json()) as { url: string };
  return new URL(url).searchParams.get('error');
}

const signedIn = (response: APIResponse) =>
  response.headersArray().some(({ name, value }) => name.toLowerCase() === 'set-cookie' && /^next-auth\.session-token=[^;]/.test(value));

test(`the wrong password ${perAccount.failures + 1} times: 429 with Retry-After, and then the right password is refused too`, async ({
  newClient,
  newAccount,
}) => {
  const user = await newAccount();
  const guesser = await newClient();
  for (let i = 0; i < perAccount.failures; i += 1) expect((await guesser.signIn(user.email, WRONG)).status()).toBe(401);

  const blocked = await guesser.signIn(user.email, WRONG);
  expect(blocked.status()).toBe(429);
  expect(blocked.headers()['retry-after']).toBe(String(perAccount.firstBlockSeconds));
  expect(await refusal(blocked)).toBe(tooManyAttempts(perAccount.firstBlockSeconds));

  const right = await guesser.signIn(user.email, user.password);
  expect(right.status()).toBe(429);
  expect(signedIn(right)).toBe(false);
  // The block is the account's: the right password from anywhere else is refused as well.
  const elsewhere = await (await newClient()).signIn(user.email, user.password);
  expect(elsewhere.status()).toBe(429);
  expect(Number(elsewhere.headers()['retry-after'])).toBeGreaterThan(0);
});

test(`one address trying many accounts: ${perAddress.failures} failures, then every account is refused from there, and only there`, async ({
  newClient,
  newAccount,
}) => {
  const user = await newAccount();
  const sprayer = await newClient();
  // At once, as a flood would come: the count is atomic, so exactly the allowance gets through.
  const burst = await Promise.all(Array.from({ length: perAddress.failures + 10 }, () => sprayer.signIn(newEmail(), WRONG)));
  const statuses = burst.map((r) => r.status());
  expect(statuses.filter((s) => s === 401)).toHaveLength(perAddress.failures);
  expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  // The attempt that started the block says how long it is; the rest say at most that.
  const waits = burst.filter((r) => r.status() === 429).map((r) => Number(r.headers()['retry-after']));
  expect(Math.max(...waits)).toBe(perAddress.firstBlockSeconds);
  expect(Math.min(...waits)).toBeGreaterThan(0);

  expect((await sprayer.signIn(user.email, user.password)).status()).toBe(429);
  const elsewhere = await (await newClient()).signIn(user.email, user.password);
  expect(elsewhere.status()).toBe(200);
  expect(signedIn(elsewhere)).toBe(true);
});

test('a successful sign-in starts the account count afresh', async ({ newClient, newAccount }) => {
  const user = await newAccount();
  const person = await newClient();
  for (let i = 0; i < perAccount.failures - 1; i += 1) expect((await person.signIn(user.email, WRONG)).status()).toBe(401);
  const success = await person.signIn(user.email, user.password);
  expect(success.status()).toBe(200);
  expect(signedIn(success)).toBe(true);

  for (let i = 0; i < perAccount.failures; i += 1)
    expect((await person.signIn(user.email, WRONG)).status(), `failure ${i + 1} after the success`).toBe(401);
  expect((await person.signIn(user.email, WRONG)).status()).toBe(429);
});

test('an account with an old bcryptjs hash signs in, and its hash is replaced by argon2id', async ({ newClient, db }) => {
  const email = newEmail();
  await db.user.create({ data: { email, role: 'REVIEWER', passwordHash: BCRYPTJS_USER.passwordHash } });
  const hash = async () => (await db.user.findUniqueOrThrow({ where: { email }, select: { passwordHash: true } })).passwordHash;
  expect(await hash()).toBe(BCRYPTJS_USER.passwordHash);

  const person = await newClient();
  const first = await person.signIn(email, BCRYPTJS_USER.password);
  expect(first.status()).toBe(200);
  expect(signedIn(first)).toBe(true);
  const rehashed = await hash();
  expect(rehashed).toMatch(/^\$argon2id\$/);

  // The new hash is of the same password, and only of it; a later sign-in leaves it be.
  expect((await person.signIn(email, `${BCRYPTJS_USER.password}x`)).status()).toBe(401);
  expect((await person.signIn(email, BCRYPTJS_USER.password)).status()).toBe(200);
  expect(await hash()).toBe(rehashed);
});

test.describe('the sign-in form', () => {
  test('says when there have been too many attempts, and for how long', async ({ browser, db }) => {
    const user = { email: newEmail(), password: randomBytes(12).toString('hex') };
    await createUser(db, { ...user, role: 'REVIEWER' });
    const context = await browser.newContext({
      storageState: { cookies: [], origins: [] },
      extraHTTPHeaders: { 'x-forwarded-for': newAddress() },
    });
    try {
      const page = await context.newPage();
      await page.goto('/signin');
      const alert = page.getByRole('alert').filter({ hasText: /\w/ });
      const attempt = async (password: string) => {
        await page.getByLabel('Email').fill(user.email);
        await page.getByLabel('Password').fill(password);
        const answered = page.waitForResponse('**/api/auth/callback/credentials');
        await page.getByRole('button', { name: 'Sign in' }).click();
        return (await answered).status();
      };
      for (let i = 0; i < perAccount.failures; i += 1) {
        expect(await attempt(WRONG)).toBe(401);
        await expect(alert).toHaveText('That email and password do not match an account.');
      }
      expect(await attempt(WRONG)).toBe(429);
      await expect(alert).toHaveText(tooManyAttempts(perAccount.firstBlockSeconds));
      expect(await attempt(user.password)).toBe(429);
      await expect(alert).toHaveText(tooManyAttempts(perAccount.firstBlockSeconds));
      await expect(page).toHaveURL(/\/signin/);
    } finally {
      await context.close();
    }
  });

  test(`refuses a password over ${PASSWORD_MAX} characters with a message, before checking it`, async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('Email').fill(newEmail());
    await page.getByLabel('Password').fill('x'.repeat(PASSWORD_MAX + 1));
    const answered = page.waitForResponse('**/api/auth/callback/credentials');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await answered).status()).toBe(400);
    await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toHaveText(`The password must be at most ${PASSWORD_MAX} characters.`);
  });
});
