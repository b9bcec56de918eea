// The REST API (/api/v1) against the running production build: keys made with
// lib/api/keys.ts (and once through the admin page), every endpoint, every
// error code, a race of two clients, and the OpenAPI document checked against
// real responses.
import { randomBytes, randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { APIRequestContext, APIResponse } from '@playwright/test';
import { startOrderApproval } from '../lib/approvals/commands/start-order';
import { createApiKey, type ApiScope } from '../lib/api/keys';
import { openApiDocument } from '../lib/api/openapi';
import { RESPONSE_SCHEMAS } from '../lib/api/schemas';
import { ADMIN, expect, test } from './support';

const ADMIN_ACTOR = { email: ADMIN.email, role: 'ADMIN' as const };
const taskQueue = () => process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';

type Db = Parameters<typeof createApiKey>[0];

/** A fresh service user and a key for it. */
async function newKey(db: Db, scopes: ApiScope[] = ['read', 'decide'], expiresAt?: Date) {
  const email = `svc-${randomBytes(5).toString('hex')}@example.com`;
  const created = await createApiKey(db, ADMIN_ACTOR, {
    name: `e2e ${email}`,
    userEmail: email,
    userName: 'E2E service',
    scopes,
    ...(expiresAt ? { expiresAt } : {}),
  });
  return { ...created, email, auth: { authorization: `Bearer ${created.key}` } };
}

let served: Record<string, unknown> | undefined;

/** The response schema the served document names for `path` `method` `status`, as the zod schema it was made from. */
async function documented(request: APIRequestContext, path: string, method: string, status: number) {
  served ??= (await (await request.get('/api/v1/openapi.json')).json()) as Record<string, unknown>;
  const paths = served.paths as Record<
    string,
    Record<string, { responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> }>
  >;
  const ref = paths[path]?.[method]?.responses[String(status)]?.content['application/json']?.schema.$ref ?? '';
  const name = ref.replace('#/components/schemas/', '');
  expect(Object.keys(RESPONSE_SCHEMAS), `${method} ${path} ${status} names a response schema`).toContain(name);
  return RESPONSE_SCHEMAS[name as keyof typeof RESPONSE_SCHEMAS];
}

/** The response, checked against the document's schema for it; its body. */
async function checked(request: APIRequestContext, response: APIResponse, path: string, method: string, status: number) {
  expect(response.status(), await response.text()).toBe(status);
  const body: unknown = await response.json();
  const schema = await documented(request, path, method, status);
  const parsed = schema.safeParse(body);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return body as Record<string, unknown>;
}

async function expectError(response: APIResponse, status: number, code: string) {
  expect(response.status(), await response.text()).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toBeTruthy();
  expect(RESPONSE_SCHEMAS.Error.safeParse(body).success).toBe(true);
  return body;
}

test.describe('REST API', () => {
  test('the OpenAPI document is valid 3.1, generated from the handlers’ schemas', async ({ request }) => {
    const response = await request.get('/api/v1/openapi.json');
    expect(response.status()).toBe(200);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    await SwaggerParser.validate(structuredClone(doc) as never);
    const components = doc.components as { securitySchemes: Record<string, { scheme: string }>; schemas: Record<string, unknown> };
    expect(components.securitySchemes.bearer?.scheme).toBe('bearer');
    for (const name of [...Object.keys(RESPONSE_SCHEMAS), 'ApproveBody', 'RejectBody']) expect(components.schemas).toHaveProperty(name);
  });

  test('lists requests with the inbox filters, as the key’s user sees them', async ({ request, db, pendingOrder }) => {
    const order = await pendingOrder();
    const key = await newKey(db, ['read']);
    const list = await checked(
      request,
      await request.get(`/api/v1/requests?scope=all&status=pending&customer=${encodeURIComponent(order.customer)}&sort=age&dir=asc`, {
        headers: key.auth,
      }),
      '/requests',
      'get',
      200,
    );
    expect(list.total).toBe(1);
    expect((list.requests as { id: string }[]).map((r) => r.id)).toEqual([order.approvalId]);
    expect(list.nextCursor).toBeNull();

    const none = await checked(
      request,
      await request.get(`/api/v1/requests?status=approved&customer=${encodeURIComponent(order.customer)}`, { headers: key.auth }),
      '/requests',
      'get',
      200,
    );
    expect(none.total).toBe(0);

    const bad = await expectError(await request.get('/api/v1/requests?sort=size', { headers: key.auth }), 400, 'invalid_request');
    expect(JSON.stringify(bad)).toContain('sort');
    await expectError(await request.get('/api/v1/requests?after=not-a-cursor', { headers: key.auth }), 400, 'invalid_request');
  });

  test('reads one request with its routing, progress and timeline, never the task token', async ({ request, db, pendingOrder }) => {
    const order = await pendingOrder();
    const key = await newKey(db, ['read']);
    const response = await request.get(`/api/v1/requests/${order.approvalId}`, { headers: key.auth });
    const detail = await checked(request, response, '/requests/{id}', 'get', 200);
    expect(detail).toMatchObject({
      id: order.approvalId,
      status: 'PENDING',
      customer: order.customer,
      progress: { approvals: 0, quorum: 1 },
    });
    expect((detail.timeline as { action: string }[]).map((e) => e.action)).toContain('REQUESTED');
    expect(detail.routing).toMatchObject({ quorum: 1, fourEyes: true });
    expect(await response.text()).not.toMatch(/task_?token/i);
    await expectError(await request.get(`/api/v1/requests/${randomUUID()}`, { headers: key.auth }), 404, 'not_found');
    await expectError(await request.get('/api/v1/requests/not-a-uuid', { headers: key.auth }), 400, 'invalid_request');
  });

  test('approves through the decision path, audited with the key', async ({ request, db, pendingOrder }) => {
    const order = await pendingOrder();
    const key = await newKey(db);
    const decided = await checked(
      request,
      await request.post(`/api/v1/requests/${order.approvalId}/approve`, { headers: key.auth, data: { comment: 'Looks right' } }),
      '/requests/{id}/approve',
      'post',
      200,
    );
    expect(decided).toMatchObject({ id: order.approvalId, status: 'APPROVED', decidedBy: key.email, recorded: true });
    expect(await order.result()).toMatchObject({ status: 'FULFILLED', decidedBy: key.email });
    const event = await db.auditEvent.findFirst({ where: { approvalRequestId: order.approvalId, action: 'APPROVED' } });
    expect(event).toMatchObject({ actor: key.email, path: 'API', details: { apiKeyId: key.id } });
    const detail = await checked(
      request,
      await request.get(`/api/v1/requests/${order.approvalId}`, { headers: key.auth }),
      '/requests/{id}',
      'get',
      200,
    );
    expect(detail).toMatchObject({ status: 'APPROVED', decisionPath: 'API', comment: 'Looks right' });

    // Deciding again: already decided.
    await expectError(
      await request.post(`/api/v1/requests/${order.approvalId}/reject`, { headers: key.auth, data: { reason: 'late' } }),
      409,
      'already_decided',
    );
  });

  test('rejects only with a reason', async ({ request, db, pendingOrder }) => {
    const order = await pendingOrder();
    const key = await newKey(db);
    const url = `/api/v1/requests/${order.approvalId}/reject`;
    await expectError(await request.post(url, { headers: key.auth, data: {} }), 400, 'invalid_request');
    await expectError(await request.post(url, { headers: key.auth, data: { reason: '   ' } }), 400, 'invalid_request');
    await expectError(
      await request.post(url, { headers: { ...key.auth, 'content-type': 'application/json' }, data: Buffer.from('{"reason": ') }),
      400,
      'malformed_json',
    );
    const decided = await checked(
      request,
      await request.post(url, { headers: key.auth, data: { reason: 'Wrong customer' } }),
      '/requests/{id}/reject',
      'post',
      200,
    );
    expect(decided).toMatchObject({ status: 'REJECTED', decidedBy: key.email });
    expect(await order.result()).toMatchObject({ status: 'REJECTED' });
  });

  test('claims and releases; a claim held by someone else refuses others', async ({ request, db, pendingOrder }) => {
    const order = await pendingOrder();
    const holder = await newKey(db);
    const other = await newKey(db);
    const claimed = await checked(
      request,
      await request.post(`/api/v1/requests/${order.approvalId}/claim`, { headers: holder.auth }),
      '/requests/{id}/claim',
      'post',
      200,
    );
    expect(claimed).toMatchObject({ claimedBy: holder.email, changed: true });
    await expectError(await request.post(`/api/v1/requests/${order.approvalId}/claim`, { headers: other.auth }), 409, 'claimed');
    await expectError(
      await request.post(`/api/v1/requests/${order.approvalId}/approve`, { headers: other.auth, data: {} }),
      409,
      'claimed',
    );
    const released = await checked(
      request,
      await request.post(`/api/v1/requests/${order.approvalId}/release`, { headers: holder.auth }),
      '/requests/{id}/release',
      'post',
      200,
    );
    expect(released).toMatchObject({ claimedBy: null, previous: holder.email, changed: true });
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { claimedBy: true } });
    expect(row.claimedBy).toBeNull();
  });

  test('refuses a missing, bad, revoked or expired key, and a deactivated user', async ({ request, db, pendingOrder }) => {
    const order = await pendingOrder();
    const url = `/api/v1/requests/${order.approvalId}`;
    const missing = await request.get(url, { maxRedirects: 0 });
    await expectError(missing, 401, 'missing_key');
    expect(missing.headers()['www-authenticate']).toContain('Bearer');
    await expectError(await request.get(url, { headers: { authorization: 'Bearer nonsense' } }), 401, 'invalid_key');
    const key = await newKey(db);
    const wrongSecret = key.key.slice(0, -4) + (key.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expectError(await request.get(url, { headers: { authorization: `Bearer ${wrongSecret}` } }), 401, 'invalid_key');

    const revoked = await newKey(db);
    await db.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    await expectError(await request.get(url, { headers: revoked.auth }), 401, 'revoked_key');

    const expiring = await newKey(db, ['read'], new Date(Date.now() + 60_000));
    expect((await request.get(url, { headers: expiring.auth })).status()).toBe(200);
    await db.apiKey.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectError(await request.get(url, { headers: expiring.auth }), 401, 'expired_key');

    const deactivated = await newKey(db);
    await db.user.update({ where: { email: deactivated.email }, data: { active: false } });
    await expectError(await request.get(url, { headers: deactivated.auth }), 401, 'inactive_user');
  });

  test('refuses a read-only key deciding (scope), and a decision the policy forbids (four eyes)', async ({ request, db, temporal }) => {
    const key = await newKey(db);
    // The key's own user asked for it: four eyes keeps them from approving it.
    const { workflowId } = await startOrderApproval(temporal, taskQueue(), {
      id: `api-${randomBytes(5).toString('hex')}`,
      customer: 'Four eyes',
      amount: 10,
      currency: 'USD',
      requestedBy: key.email,
    });
    let id: string | undefined;
    await expect
      .poll(async () => (id = (await db.approvalRequest.findFirst({ where: { workflowId }, select: { id: true } }))?.id))
      .toBeDefined();
    try {
      const readOnly = await newKey(db, ['read']);
      await expectError(await request.post(`/api/v1/requests/${id}/approve`, { headers: readOnly.auth, data: {} }), 403, 'scope');
      await expectError(await request.post(`/api/v1/requests/${id}/claim`, { headers: readOnly.auth }), 403, 'scope');
      const decideOnly = await newKey(db, ['decide']);
      await expectError(await request.get(`/api/v1/requests/${id}`, { headers: decideOnly.auth }), 403, 'scope');
      await expectError(await request.post(`/api/v1/requests/${id}/approve`, { headers: key.auth, data: {} }), 403, 'not_eligible');
    } finally {
      await temporal.workflow.getHandle(workflowId).terminate('e2e cleanup');
    }
  });

  test('a terminated request is gone (410)', async ({ request, db, temporal, pendingOrder }) => {
    const order = await pendingOrder();
    const key = await newKey(db);
    await temporal.workflow.getHandle(order.workflowId).terminate('e2e: gone');
    await expect
      .poll(async () => (await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { status: true } })).status)
      .toBe('TERMINATED');
    await expectError(
      await request.post(`/api/v1/requests/${order.approvalId}/approve`, { headers: key.auth, data: {} }),
      410,
      'terminated',
    );
  });

  test('refuses a body over 64 KB, by Content-Length and by the bytes sent', async ({ request, db, pendingOrder, baseURL }) => {
    const order = await pendingOrder();
    const key = await newKey(db);
    const url = `/api/v1/requests/${order.approvalId}/approve`;
    await expectError(await request.post(url, { headers: key.auth, data: { comment: 'x'.repeat(70 * 1024) } }), 413, 'too_large');
    // No Content-Length (chunked): the bytes read are counted.
    const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const chunked = await fetch(new URL(url, baseURL), {
      method: 'POST',
      headers: { ...key.auth, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe('too_large');
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { status: true } });
    expect(row.status).toBe('PENDING');
  });

  test('typed values: 422 with per-field details, then approved with values', async ({ request, db, temporal }) => {
    const key = await newKey(db);
    const workflowId = `api-agent-${randomBytes(5).toString('hex')}`;
    await temporal.workflow.start('agentToolWorkflow', {
      taskQueue: taskQueue(),
      workflowId,
      args: [{ tool: 'send_email', args: { to: 'someone@example.com', subject: 'Hello', body: 'Hi there' } }],
    });
    let id: string | undefined;
    await expect
      .poll(async () => (id = (await db.approvalRequest.findFirst({ where: { workflowId }, select: { id: true } }))?.id))
      .toBeDefined();
    const url = `/api/v1/requests/${id}/approve`;
    const refused = await expectError(
      await request.post(url, { headers: key.auth, data: { values: { subject: 42 } } }),
      422,
      'invalid_values',
    );
    expect(await documented(request, '/requests/{id}/approve', 'post', 422)).toBe(RESPONSE_SCHEMAS.Error);
    expect(JSON.stringify(refused)).toContain('values.subject');
    const decided = await checked(
      request,
      await request.post(url, {
        headers: key.auth,
        data: { values: { to: 'someone@example.com', subject: 'Hello (edited)', body: 'Hi' } },
      }),
      '/requests/{id}/approve',
      'post',
      200,
    );
    expect(decided.status).toBe('APPROVED');
    expect(await temporal.workflow.getHandle(workflowId).result()).toMatchObject({
      status: 'EXECUTED',
      args: { subject: 'Hello (edited)' },
    });
  });

  test('rate-limits each key, with Retry-After', async ({ request, db }) => {
    const key = await newKey(db, ['read']);
    const url = `/api/v1/requests/${randomUUID()}`;
    const statuses: number[] = [];
    let limited: APIResponse | undefined;
    // API_RATE_LIMIT is 40 per minute in the e2e server (playwright.config.ts).
    for (let batch = 0; batch < 5 && !limited; batch++) {
      const responses = await Promise.all(Array.from({ length: 10 }, () => request.get(url, { headers: key.auth })));
      statuses.push(...responses.map((r) => r.status()));
      limited = responses.find((r) => r.status() === 429);
    }
    expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
    if (!limited) return;
    await expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers()['retry-after'])).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 404)).toHaveLength(40);
    // Another key is not affected.
    const fresh = await newKey(db, ['read']);
    expect((await request.get(url, { headers: fresh.auth })).status()).toBe(404);
  });

  test('two clients race to approve: one wins, the other hears 409, Temporal completes once', async ({
    request,
    db,
    temporal,
    pendingOrder,
  }) => {
    const order = await pendingOrder();
    const [a, b] = await Promise.all([newKey(db), newKey(db)]);
    const url = `/api/v1/requests/${order.approvalId}/approve`;
    const responses = await Promise.all([a, b].map((key) => request.post(url, { headers: key.auth, data: { comment: key.email } })));
    expect(responses.map((r) => r.status()).sort()).toEqual([200, 409]);
    const loser = responses.find((r) => r.status() === 409);
    if (loser) await expectError(loser, 409, 'already_decided');
    await order.result();
    const { events } = await temporal.workflow.getHandle(order.workflowId).fetchHistory();
    const scheduled = new Map<string, string>();
    for (const event of events ?? []) {
      const attrs = event.activityTaskScheduledEventAttributes;
      if (attrs?.activityId && event.eventId) scheduled.set(String(event.eventId), attrs.activityId);
    }
    const completed = (events ?? []).filter(
      (event) =>
        event.activityTaskCompletedEventAttributes &&
        scheduled.get(String(event.activityTaskCompletedEventAttributes.scheduledEventId)) === 'approval',
    );
    expect(completed).toHaveLength(1);
  });

  test.describe('admin page', () => {
    test.use({ storageState: ADMIN.storageState });

    test('an admin creates a key for a new service user, sees it once, and revokes it', async ({ page, request, pendingOrder }) => {
      const order = await pendingOrder();
      const email = `svc-ui-${randomBytes(5).toString('hex')}@example.com`;
      const name = `ui key ${randomBytes(3).toString('hex')}`;
      await page.goto('/admin/api-keys');
      await page.getByLabel('Name', { exact: false }).first().fill(name);
      await page.getByLabel("User's email").fill(email);
      await page.getByLabel("New service user's name").fill('UI service');
      await page.getByLabel('decide').uncheck();
      await page.getByRole('button', { name: 'Create key' }).click();
      const box = page.getByTestId('password-link');
      await expect(box).toHaveValue(/^cs_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/);
      const key = await box.inputValue();
      const auth = { authorization: `Bearer ${key}` };
      expect((await request.get(`/api/v1/requests/${order.approvalId}`, { headers: auth })).status()).toBe(200);
      await expectError(await request.post(`/api/v1/requests/${order.approvalId}/claim`, { headers: auth }), 403, 'scope');

      await page.reload();
      await expect(page.getByTestId('password-link')).toHaveCount(0);
      await expect(page.locator('body')).not.toContainText(key);
      const row = page.getByTestId('api-key-row').filter({ hasText: name });
      await expect(row).toContainText(email);
      await expect(row).toContainText('read');
      await row.getByRole('button', { name: `Revoke ${name}` }).click();
      await expect(row).toContainText('Revoked');
      await expectError(await request.get(`/api/v1/requests/${order.approvalId}`, { headers: auth }), 401, 'revoked_key');
    });
  });
});
