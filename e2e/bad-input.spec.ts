// Bad input gets a clear answer (a 4xx, or a message on the form) and changes
// nothing: the row stays PENDING with no decision, the audit trail is as it
// was, and Temporal is still waiting on the approval activity.
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIRequest, Page, Request } from '@playwright/test';
import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db';
import { formatTimestamp } from '../lib/format';
import { ADMIN, REVIEWER, expect, test, type PendingOrder } from './support';

test.use({ storageState: REVIEWER.storageState });

const DECISIONS = ['APPROVED', 'REJECTED'];

/** Everything a decision could touch: the whole row and its audit trail. */
async function snapshot(db: Db, approvalId: string) {
  const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } });
  const events = await db.auditEvent.findMany({ where: { approvalRequestId: approvalId }, orderBy: { at: 'asc' } });
  return { row, events };
}

/** The request is exactly as it was, still PENDING, and Temporal still waits on the approval activity. */
async function expectUntouched(db: Db, temporal: Client, order: PendingOrder, before: Awaited<ReturnType<typeof snapshot>>) {
  const after = await snapshot(db, order.approvalId);
  expect(after).toEqual(before);
  expect(after.row).toMatchObject({ status: 'PENDING', decidedBy: null, decidedAt: null, decisionPath: null, comment: null, reason: null });
  expect(after.events.filter((e) => DECISIONS.includes(e.action))).toEqual([]);
  const described = await temporal.workflow.getHandle(order.workflowId).describe();
  expect(described.status.name).toBe('RUNNING');
  expect((described.raw.pendingActivities ?? []).map((a) => a.activityId)).toEqual(['approval']);
}

/** A pending request, its detail page open, and a snapshot of it taken before anything is sent. */
async function openPending(page: Page, db: Db, pendingOrder: () => Promise<PendingOrder>) {
  const order = await pendingOrder();
  await page.goto(`/inbox/${order.approvalId}`);
  await expect(page.getByRole('button', { name: 'Approve' })).toBeEnabled();
  return { order, before: await snapshot(db, order.approvalId) };
}

/** The approve or reject form of the decision panel. */
function decisionForm(page: Page, button: 'Approve' | 'Reject') {
  return page.locator('form').filter({ has: page.getByRole('button', { name: button }) });
}

/** The outcome line of the decision panel (role=alert with text; the field errors are separate). */
function outcome(page: Page) {
  return page.getByRole('alert').filter({ hasText: /\w/ });
}

function isServerAction(request: Request, pathname: string): boolean {
  return request.method() === 'POST' && !!request.headers()['next-action'] && new URL(request.url()).pathname === pathname;
}

/** Headers to replay a captured request with, less those the HTTP client sets itself (cookies come from its own jar). */
async function replayHeaders(request: Request): Promise<Record<string, string>> {
  const skip = new Set(['cookie', 'host', 'content-length', 'connection', 'accept-encoding']);
  return Object.fromEntries(Object.entries(await request.allHeaders()).filter(([name]) => !skip.has(name) && !name.startsWith(':')));
}

/**
 * Captures the server-action POST a click sends to `pathname`, without letting it
 * reach the server (so the capture itself decides or starts nothing).
 */
async function captureActionWithoutSending(page: Page, pathname: string, click: () => Promise<void>) {
  let captured: { url: string; headers: Record<string, string>; body: Buffer } | undefined;
  await page.route(
    (url) => url.pathname === pathname,
    async (route) => {
      const request = route.request();
      if (!isServerAction(request, pathname)) return route.fallback();
      captured = { url: request.url(), headers: await replayHeaders(request), body: request.postDataBuffer() ?? Buffer.alloc(0) };
      return route.abort();
    },
  );
  await click();
  await expect.poll(() => captured, { message: `a server action POST to ${pathname}` }).toBeDefined();
  if (!captured) throw new Error('unreachable: polled until defined');
  expect(captured.headers['next-action']).toMatch(/^[0-9a-f]{20,}$/);
  return captured;
}

function signedOutRequest(request: APIRequest, baseURL: string | undefined) {
  return request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
}

/** Clicks Approve or Reject and waits for the server action's answer, so every try is seen to be answered. */
async function submit(page: Page, button: 'Approve' | 'Reject') {
  const pathname = new URL(page.url()).pathname;
  const answered = page.waitForResponse((r) => isServerAction(r.request(), pathname));
  await page.getByRole('button', { name: button }).click();
  const response = await answered;
  expect(response.status()).toBe(200);
  await expect(page.getByRole('button', { name: button })).toBeEnabled();
}

test.describe('unknown ids', () => {
  test('the detail page of an unknown uuid, or of a non-uuid, answers 404', async ({ page }) => {
    for (const id of [randomUUID(), 'not-a-uuid', '1%27%20OR%20%271%27%3D%271', '00000000-0000-0000-0000-00000000000g']) {
      const response = await page.goto(`/inbox/${id}`);
      expect(response?.status(), `/inbox/${id}`).toBe(404);
      await expect(page.getByText('This page could not be found.')).toBeVisible();
    }
  });

  test('approve and reject sent with an unknown uuid are told so, and nothing changes', async ({ page, db, temporal, pendingOrder }) => {
    const { order, before } = await openPending(page, db, pendingOrder);
    const unknown = randomUUID();
    await decisionForm(page, 'Approve')
      .locator('input[name="id"]')
      .evaluate((el, id) => ((el as HTMLInputElement).value = id), unknown);
    await submit(page, 'Approve');
    await expect(outcome(page)).toHaveText('No such approval request.');

    await decisionForm(page, 'Reject')
      .locator('input[name="id"]')
      .evaluate((el, id) => ((el as HTMLInputElement).value = id), unknown);
    await page.getByLabel('Reason').fill('Not for this one');
    await submit(page, 'Reject');
    await expect(outcome(page)).toHaveText('No such approval request.');

    expect(await db.approvalRequest.count({ where: { id: unknown } })).toBe(0);
    await expectUntouched(db, temporal, order, before);
  });

  test('approve and reject sent with a malformed id get a field error, and nothing changes', async ({
    page,
    db,
    temporal,
    pendingOrder,
  }) => {
    const { order, before } = await openPending(page, db, pendingOrder);
    for (const malformed of ['not-a-uuid', `${order.approvalId}' OR '1'='1`, '']) {
      await decisionForm(page, 'Approve')
        .locator('input[name="id"]')
        .evaluate((el, id) => ((el as HTMLInputElement).value = id), malformed);
      await submit(page, 'Approve');
      await expect(page.locator('#comment-error')).toHaveText('Unknown request');
      await expect(outcome(page)).toHaveText('Please correct the highlighted fields.');
    }
    await decisionForm(page, 'Reject')
      .locator('input[name="id"]')
      .evaluate((el) => ((el as HTMLInputElement).value = 'not-a-uuid'));
    await page.getByLabel('Reason').fill('Not for this one');
    await submit(page, 'Reject');
    await expect(page.locator('#reason-error')).toHaveText('Unknown request');
    await expectUntouched(db, temporal, order, before);
  });
});

test.describe('forged or missing form fields', () => {
  test('approve and reject with the id field removed get a clear error, and nothing changes', async ({
    page,
    db,
    temporal,
    pendingOrder,
  }) => {
    const { order, before } = await openPending(page, db, pendingOrder);
    await decisionForm(page, 'Approve')
      .locator('input[name="id"]')
      .evaluate((el) => el.remove());
    await submit(page, 'Approve');
    await expect(outcome(page)).toHaveText('Please correct the highlighted fields.');
    await expect(page.locator('#comment-error')).toHaveText('The form was sent without "id". Reload the page and try again.');

    await decisionForm(page, 'Reject')
      .locator('input[name="id"]')
      .evaluate((el) => el.remove());
    await page.getByLabel('Reason').fill('No id');
    await submit(page, 'Reject');
    await expect(page.locator('#reason-error')).toHaveText('The form was sent without "id". Reload the page and try again.');
    await expectUntouched(db, temporal, order, before);
  });

  test("forged decidedBy, reviewer, status and path fields have no effect: the decision is the signed-in reviewer's", async ({
    page,
    db,
    pendingOrder,
  }) => {
    const { order } = await openPending(page, db, pendingOrder);
    const forger = 'mallory@example.com';
    await decisionForm(page, 'Approve').evaluate((form, forger) => {
      const forged = {
        decidedBy: forger,
        reviewer: forger,
        actor: forger,
        status: 'REJECTED',
        decision: 'REJECTED',
        decisionPath: 'EXTERNAL',
        reason: 'forged',
        decidedAt: '2000-01-01T00:00:00Z',
      };
      for (const [name, value] of Object.entries(forged)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.append(input);
      }
    }, forger);
    await page.getByLabel('Comment').fill('Genuine comment');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByTestId('decision')).toContainText(`Approved by ${REVIEWER.email}`);

    expect(await order.result()).toEqual({ status: 'FULFILLED', decidedBy: REVIEWER.email, comment: 'Genuine comment' });
    const { row, events } = await snapshot(db, order.approvalId);
    expect(row).toMatchObject({
      status: 'APPROVED',
      decidedBy: REVIEWER.email,
      decisionPath: 'DASHBOARD',
      comment: 'Genuine comment',
      reason: null,
    });
    expect(row.decidedAt?.getFullYear()).toBeGreaterThan(2000);
    const decisions = events.filter((e) => DECISIONS.includes(e.action));
    expect(decisions.map((e) => [e.action, e.actor, e.path])).toEqual([['APPROVED', REVIEWER.email, 'DASHBOARD']]);
    expect(JSON.stringify(events)).not.toContain(forger);
  });
});

test.describe('over-long or empty text', () => {
  test('a comment over 2000 characters is refused with a field error and changes nothing; 2000 is accepted', async ({
    page,
    db,
    temporal,
    pendingOrder,
  }) => {
    const { order, before } = await openPending(page, db, pendingOrder);
    const comment = page.getByLabel('Comment');
    await expect(comment).toHaveAttribute('maxlength', '2000');
    await comment.evaluate((el) => el.removeAttribute('maxlength'));
    await comment.fill('c'.repeat(2001));
    await submit(page, 'Approve');
    await expect(page.locator('#comment-error')).toHaveText('Comment must be at most 2000 characters');
    await expect(outcome(page)).toHaveText('Please correct the highlighted fields.');
    await expectUntouched(db, temporal, order, before);

    // The limit is the limit: the same form with 2000 characters goes through.
    await comment.fill('c'.repeat(2000));
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByTestId('decision')).toContainText(`Approved by ${REVIEWER.email}`);
    expect((await order.result()).status).toBe('FULFILLED');
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } })).comment).toHaveLength(2000);
  });

  test('a reason over 2000 characters is refused with a field error, and nothing changes', async ({ page, db, temporal, pendingOrder }) => {
    const { order, before } = await openPending(page, db, pendingOrder);
    const reason = page.getByLabel('Reason');
    await expect(reason).toHaveAttribute('maxlength', '2000');
    await reason.evaluate((el) => el.removeAttribute('maxlength'));
    await reason.fill('r'.repeat(2001));
    await submit(page, 'Reject');
    await expect(page.locator('#reason-error')).toHaveText('Reason must be at most 2000 characters');
    await expect(outcome(page)).toHaveText('Please correct the highlighted fields.');
    await expectUntouched(db, temporal, order, before);
  });

  test('rejecting with an empty or whitespace-only reason is refused with a field error, and nothing changes', async ({
    page,
    db,
    temporal,
    pendingOrder,
  }) => {
    const { order, before } = await openPending(page, db, pendingOrder);
    for (const blank of ['', '   ', ' \n\t \n ']) {
      await page.getByLabel('Reason').fill(blank);
      await submit(page, 'Reject');
      await expect(page.locator('#reason-error')).toHaveText('A reason is required to reject');
      await expect(outcome(page)).toHaveText('Please correct the highlighted fields.');
    }
    await expectUntouched(db, temporal, order, before);
  });
});

test('a replayed approve is told "already decided by X at T", and the audit trail holds one decision', async ({
  page,
  db,
  pendingOrder,
}) => {
  const order = await pendingOrder();
  await page.goto(`/inbox/${order.approvalId}`);
  const sent = page.waitForRequest((r) => isServerAction(r, `/inbox/${order.approvalId}`));
  await page.getByLabel('Comment').fill('First and only');
  await page.getByRole('button', { name: 'Approve' }).click();
  const original = await sent;
  await expect(page.getByTestId('decision')).toContainText(`Approved by ${REVIEWER.email}`);
  const decided = await snapshot(db, order.approvalId);
  expect(decided.row.decidedAt).not.toBeNull();

  // The identical request again, with the same session.
  const headers = await replayHeaders(original);
  for (let i = 0; i < 2; i++) {
    const replay = await page.request.post(original.url(), { headers, data: original.postDataBuffer() ?? Buffer.alloc(0) });
    expect(replay.status()).toBe(200);
    const body = await replay.text();
    expect(body).toContain(`Already decided by ${REVIEWER.email} at ${formatTimestamp(decided.row.decidedAt ?? new Date(0))}.`);
    expect(body).not.toContain('Approved. The workflow has resumed.');
  }

  expect(await order.result()).toEqual({ status: 'FULFILLED', decidedBy: REVIEWER.email, comment: 'First and only' });
  const after = await snapshot(db, order.approvalId);
  expect(after.row).toEqual(decided.row);
  expect(after.events.filter((e) => DECISIONS.includes(e.action)).map((e) => [e.action, e.actor])).toEqual([['APPROVED', REVIEWER.email]]);
});

test('a reviewer posting the admin-only create action is refused, and no workflow or request is created', async ({
  browser,
  page,
  db,
  temporal,
  baseURL,
}) => {
  const customer = `Forbidden Co ${randomBytes(4).toString('hex')}`;
  const startedAfter = new Date(Date.now() - 1000);

  // The admin's own form gives the action id and a valid body; the capture never reaches the server.
  const admin = await browser.newContext({ storageState: ADMIN.storageState, baseURL });
  try {
    const adminPage = await admin.newPage();
    await adminPage.goto('/admin');
    await adminPage.getByLabel('Customer').fill(customer);
    await adminPage.getByLabel('Amount').fill('500');
    const captured = await captureActionWithoutSending(adminPage, '/admin', () =>
      adminPage.getByRole('button', { name: 'Request approval' }).click(),
    );

    // The same request, as the signed-in reviewer.
    await page.goto('/inbox');
    const response = await page.request.post(captured.url, { headers: captured.headers, data: captured.body });
    const body = await response.text();
    expect(response.status(), body.slice(0, 500)).toBeLessThan(500);
    expect(body).toContain('{"status":"error","message":"You do not have permission to do that."}');
    expect(body).not.toContain('Started order-');
  } finally {
    await admin.close();
  }

  // Nothing started in Temporal (the action would have started it before answering) and no row.
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';
  const started: string[] = [];
  for await (const execution of temporal.workflow.list({
    query: `TaskQueue = '${taskQueue}' AND StartTime >= '${startedAfter.toISOString()}'`,
  })) {
    const history = await temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    started.push(input ? Buffer.from(input).toString() : '');
  }
  expect(started.filter((input) => input.includes(customer))).toEqual([]);
  expect(await db.approvalRequest.count({ where: { customer } })).toBe(0);
});

test.describe('signed out', () => {
  test('GET /inbox redirects to /signin', async ({ playwright, baseURL, browser }) => {
    const api = await signedOutRequest(playwright.request, baseURL);
    try {
      const response = await api.get('/inbox', { maxRedirects: 0 });
      expect(response.status()).toBe(307);
      expect(response.headers().location).toMatch(/\/signin\?callbackUrl=%2Finbox$/);
    } finally {
      await api.dispose();
    }
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, baseURL });
    try {
      const page = await context.newPage();
      await page.goto('/inbox');
      await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Finbox$/);
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    } finally {
      await context.close();
    }
  });

  test('an approve POSTed with no session cookie gets a 401, never a decision', async ({
    page,
    db,
    temporal,
    pendingOrder,
    playwright,
    baseURL,
  }) => {
    const { order, before } = await openPending(page, db, pendingOrder);
    await page.getByLabel('Comment').fill('Without a session');
    const captured = await captureActionWithoutSending(page, `/inbox/${order.approvalId}`, () =>
      page.getByRole('button', { name: 'Approve' }).click(),
    );

    const api = await signedOutRequest(playwright.request, baseURL);
    try {
      const response = await api.post(captured.url, { headers: captured.headers, data: captured.body, maxRedirects: 0 });
      expect(response.status()).toBe(401);
      expect(await response.text()).toBe('Your session has ended. Sign in again.');
      expect(response.headers()['x-action-redirect']).toBe(`/signin?callbackUrl=%2Finbox%2F${order.approvalId};replace`);
      // Sent where the proxy does not look (sign-in is public), the action itself still refuses.
      const direct = await api.post('/signin', { headers: captured.headers, data: captured.body, maxRedirects: 0 });
      const body = await direct.text();
      expect(direct.status(), body.slice(0, 300)).toBeLessThan(500);
      expect(body).not.toContain('Approved. The workflow has resumed.');
    } finally {
      await api.dispose();
    }
    await expectUntouched(db, temporal, order, before);
  });

  test('a reviewer whose session has gone clicks Approve: sent to sign-in, nothing decided', async ({
    page,
    db,
    temporal,
    pendingOrder,
  }) => {
    const { order, before } = await openPending(page, db, pendingOrder);
    await page.context().clearCookies();
    await page.getByLabel('Comment').fill('Session gone');
    const answered = page.waitForResponse((r) => isServerAction(r.request(), `/inbox/${order.approvalId}`));
    await page.getByRole('button', { name: 'Approve' }).click();
    expect((await answered).status()).toBe(401);
    await expect(page).toHaveURL(new RegExp(`/signin\\?callbackUrl=%2Finbox%2F${order.approvalId}$`));
    await expectUntouched(db, temporal, order, before);

    // Signing in again leads back to the request, still there to decide.
    await page.getByLabel('Email').fill(REVIEWER.email);
    await page.getByLabel('Password').fill(REVIEWER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`/inbox/${order.approvalId}`);
    await expect(page.getByRole('button', { name: 'Approve' })).toBeEnabled();
  });
});
