// Every page answers with a Content-Security-Policy holding a fresh nonce that
// Next's own scripts carry, runs under it without a violation, and can never be
// framed (an approve button must not sit under someone else's page).
import type { APIResponse, Page } from '@playwright/test';
import { ADMIN, REVIEWER, expect, test, signIn } from './support';

const NONCE = /script-src 'self' 'nonce-([A-Za-z0-9+/]+=*)' 'strict-dynamic'/;

/** The nonce of a response's policy, after checking the rest of the policy and its companions. */
function checkedNonce(response: APIResponse | { headers(): Record<string, string> }): string {
  const headers = response.headers();
  const policy = headers['content-security-policy'] ?? '';
  for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "default-src 'self'"]) {
    expect(policy, directive).toContain(directive);
  }
  const scripts = /script-src [^;]*/.exec(policy)?.[0] ?? '';
  expect(scripts).not.toContain('unsafe-inline');
  expect(scripts).not.toContain('unsafe-eval');
  expect(headers['x-frame-options']).toBe('DENY');
  // The e2e server is a production build (on loopback http, where browsers ignore it).
  expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  const nonce = NONCE.exec(policy)?.[1];
  expect(nonce, `a nonce in: ${policy}`).toBeTruthy();
  return nonce ?? '';
}

/** Every <script> the server wrote carries the nonce: the ones that load chunks and the inline ones alike. */
function expectScriptsCarry(html: string, nonce: string): void {
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
}

test.describe('signed in', () => {
  test.use({ storageState: ADMIN.storageState });

  test('every page, the 404 too, has a policy with a fresh nonce, and its scripts carry it', async ({ page, pendingOrder }) => {
    const order = await pendingOrder();
    const seen = new Set<string>();
    for (const [path, status] of [
      ['/', 200],
      ['/inbox', 200],
      [`/inbox/${order.approvalId}`, 200],
      ['/admin', 200],
      ['/no-such-page', 404],
    ] as const) {
      const response = await page.request.get(path);
      expect(response.status(), path).toBe(status);
      const nonce = checkedNonce(response);
      expect(seen.has(nonce), `${path}: a nonce of its own`).toBe(false);
      seen.add(nonce);
      expectScriptsCarry(await response.text(), nonce);
    }
  });
});

/** Records every CSP violation and console error of the page, for all its documents. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.addInitScript(() => {
    const store = window as unknown as { cspViolations: string[] };
    store.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      store.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return async () => [
    ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)),
    ...consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text)),
  ];
}

test('pages run under the policy: signing in, the inbox, a request, the admin queue, a 404, with no violation', async ({
  page,
  pendingOrder,
}) => {
  const order = await pendingOrder();
  const violations = await watchViolations(page);

  const signInPage = await page.goto('/signin');
  if (!signInPage) throw new Error('no response for /signin');
  expectScriptsCarry(await signInPage.text(), checkedNonce(signInPage));
  // The form signs in through its script (a page whose scripts were refused would submit a plain GET).
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.locator('[data-shortcuts-ready="true"]')).toBeAttached();
  expect(await violations()).toEqual([]);

  await page.goto(`/inbox/${order.approvalId}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(order.customer);
  expect(await violations()).toEqual([]);

  await page.goto('/admin');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await violations()).toEqual([]);

  const missing = await page.goto('/no-such-page');
  expect(missing?.status()).toBe(404);
  await expect(page.getByText('This page could not be found.')).toBeVisible();
  expect(await violations()).toEqual([]);
});

test.describe('framing', () => {
  test.use({ storageState: REVIEWER.storageState });

  test('a page that frames the inbox, even on the same origin, gets no inbox: the policy refuses it', async ({ page, baseURL }) => {
    // A page served at this origin by the browser itself (the app has no such page), framing the inbox.
    const framer = `${baseURL}/e2e-framer`;
    await page.route(framer, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>framer</title><iframe src="/inbox" title="framed"></iframe>',
      }),
    );
    const refused = page.waitForEvent('console', { predicate: (message) => message.text().includes("frame-ancestors 'none'") });
    await page.goto(framer);
    await refused;
    const framed = page.frameLocator('iframe[title="framed"]');
    await expect(framed.getByRole('heading', { name: 'Inbox' })).toHaveCount(0);
    await expect(framed.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  });
});
