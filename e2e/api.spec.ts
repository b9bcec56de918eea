// The REST API (/api/v1) against the running production build: keys made with
// lib/api/keys.ts (and once through the admin page), every endpoint, every
// error code, paging, a race of two clients. Every response the spec gets
// (success or error, whatever its status) is checked against the served
// OpenAPI document itself with a JSON Schema 2020-12 validator (ajv), so a
// handler answering anything the document does not describe fails the spec.
import { randomBytes, randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { APIRequestContext } from '@playwright/test';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { startOrderApproval } from '../lib/approvals/commands/start-order';
import { createApiKey, type ApiScope } from '../lib/api/keys';
import { openApiDocument } from '../lib/api/openapi';
import { RESPONSE_SCHEMAS } from '../lib/api/schemas';
import type { Db } from '../lib/db';
import { ADMIN, expect, test } from './support';

const ADMIN_ACTOR = { email: ADMIN.email, role: 'ADMIN' as const };
const taskQueue = () => process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';

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

// --- the served document, as a validator ---------------------------------

interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, { schema?: { type?: string } }>;
}
interface OpenApiDocument {
  servers?: { url: string }[];
  paths: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>>;
}

/** Where the document is filed in ajv: its refs (`#/components/schemas/…`) resolve inside it. */
const DOCUMENT_ID = 'https://countersign.invalid/api/v1/openapi.json';
/** OpenAPI's own fields around the schemas: words ajv's strict mode should accept, not constraints. */
const OPENAPI_WORDS = ['openapi', 'info', 'servers', 'jsonSchemaDialect', 'components', 'paths', 'webhooks', 'security', 'tags'];
/** What OpenAPI 3.1 adds to JSON Schema in a Schema Object. */
const SCHEMA_OBJECT_WORDS = ['discriminator', 'xml', 'externalDocs', 'example'];

/** A JSON pointer into the document, as a URI fragment. */
const pointer = (...parts: string[]) => `#${parts.map((part) => `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;

function compileDocument(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addVocabulary([...OPENAPI_WORDS, ...SCHEMA_OBJECT_WORDS]);
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOCUMENT_ID });
  const compiled = new Map<string, ValidateFunction>();
  /** The schema at `fragment` of the document, compiled once. */
  const schemaAt = (fragment: string) => {
    let validate = compiled.get(fragment);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}${encodeURI(fragment)}` });
      compiled.set(fragment, validate);
    }
    return validate;
  };
  const base = doc.servers?.[0]?.url ?? '';
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));

  /**
   * Why an answer (`status`, `headers`, `text`) to `method` `pathname` is not what the
   * document says; none when it is: the path, method and status are documented, the body is
   * the documented media type and fits its schema, an error code is one listed for the status,
   * and documented headers fit theirs.
   */
  function violations(method: string, pathname: string, status: number, headers: Record<string, string>, text: string): string[] {
    if (!pathname.startsWith(base)) return [`${pathname} is outside the document's server ${base}`];
    const path = pathname.slice(base.length);
    const template = templates.find((t) => t.pattern.test(path))?.template;
    if (!template) return [`${path} is not a path of the document`];
    const operation = doc.paths[template]?.[method];
    if (!operation) return [`${method.toUpperCase()} ${template} is not in the document`];
    const statusKey = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => operation.responses?.[k]);
    const documented = statusKey ? operation.responses?.[statusKey] : undefined;
    if (!statusKey || !documented) return [`${method.toUpperCase()} ${template} does not document status ${status}`];
    const where = ['paths', template, method, 'responses', statusKey];
    if (!documented.content?.['application/json']) return [`${method.toUpperCase()} ${template} ${status} documents no JSON body`];
    if (!(headers['content-type'] ?? '').startsWith('application/json')) return [`content-type is ${headers['content-type']}, not JSON`];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`the body is not JSON: ${text.slice(0, 200)}`];
    }
    const problems: string[] = [];
    const validate = schemaAt(pointer(...where, 'content', 'application/json', 'schema'));
    if (!validate(body))
      problems.push(...(validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
    const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
    if (status >= 400 && typeof code === 'string' && !(documented.description ?? '').includes(`\`${code}\``)) {
      problems.push(`error code ${code} is not one the document lists for ${status}`);
    }
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = headers[name.toLowerCase()];
      if (value === undefined || !header.schema) continue;
      const numeric = header.schema.type === 'integer' || header.schema.type === 'number';
      const check = schemaAt(pointer(...where, 'headers', name, 'schema'));
      if (!check(numeric ? Number(value) : value)) problems.push(`header ${name}: ${value} does not fit ${JSON.stringify(header.schema)}`);
    }
    return problems;
  }

  /** Every JSON response schema the document declares, compiled (an error names the one that fails). */
  function compileAll(): number {
    let count = 0;
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          if (!response.content?.['application/json']) continue;
          schemaAt(pointer('paths', template, method, 'responses', status, 'content', 'application/json', 'schema'));
          count++;
        }
      }
    }
    return count;
  }

  return { violations, compileAll };
}

type Contract = ReturnType<typeof compileDocument>;
let contract: Promise<Contract> | undefined;

/** The document as the server serves it, compiled once per test worker. */
function servedContract(request: APIRequestContext): Promise<Contract> {
  contract ??= (async () => {
    const response = await request.get('/api/v1/openapi.json');
    expect(response.status()).toBe(200);
    return compileDocument((await response.json()) as OpenApiDocument);
  })();
  return contract;
}

/** An answer that the document describes. */
interface Received {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: Record<string, unknown>;
}

/** Checks an answer against the served document (failing the test if it does not fit), and returns it. */
async function conforming(
  request: APIRequestContext,
  method: 'get' | 'post',
  url: string,
  answer: { status: number; headers: Record<string, string>; text: string },
): Promise<Received> {
  const { violations } = await servedContract(request);
  const { pathname } = new URL(url);
  const problems = violations(method, pathname, answer.status, answer.headers, answer.text);
  expect(problems, `${method.toUpperCase()} ${pathname} answered ${answer.status}: ${answer.text.slice(0, 500)}`).toEqual([]);
  return { ...answer, body: JSON.parse(answer.text) as Record<string, unknown> };
}

type FetchOptions = Parameters<APIRequestContext['fetch']>[1];

/** The API through Playwright's request context: every answer checked against the served document. */
function apiClient(request: APIRequestContext) {
  const call =
    (method: 'get' | 'post') =>
    async (url: string, options: FetchOptions = {}) => {
      const response = await request.fetch(url, { ...options, method: method.toUpperCase() });
      return conforming(request, method, response.url(), {
        status: response.status(),
        headers: response.headers(),
        text: await response.text(),
      });
    };
  return { get: call('get'), post: call('post') };
}

/** The body of an answer with `status`. */
function expectStatus(received: Received, status: number): Record<string, unknown> {
  expect(received.status, received.text).toBe(status);
  return received.body;
}

function expectError(received: Received, status: number, code: string) {
  expect(received.status, received.text).toBe(status);
  const body = received.body as { error: { code: string; message: string; details?: { fields?: Record<string, string> } } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toBeTruthy();
  return body;
}

// --- paging ----------------------------------------------------------------

interface ListPage {
  requests: { id: string; deadline: string; amount: string | null }[];
  total: number;
  nextCursor: string | null;
  prevCursor: string | null;
}

/**
 * `count` approved requests of a customer of their own, straight into the table (a
 * reconciler leaves decided rows alone). Deadlines come in threes and amounts in fours,
 * so page boundaries fall inside ties and only the id can order them.
 */
async function insertApproved(db: Db, customer: string, count: number): Promise<string[]> {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    workflowId: `e2e-api-paging-${customer.replace(/\W+/g, '-')}-${i}`,
    runId: randomUUID(),
    activityId: 'approval',
    attempt: 1,
    request: { title: `${customer} #${i}` },
    title: `${customer} #${i}`,
    customer,
    amount: (100 + Math.floor(i / 4)).toFixed(2),
    currency: 'USD',
    status: 'APPROVED' as const,
    requestedAt: new Date(now - 2 * 3_600_000),
    deadline: new Date(now + 3_600_000 + Math.floor(i / 3) * 1000),
    decidedBy: 'someone@example.com',
    decidedAt: new Date(now),
  }));
  await db.approvalRequest.createMany({ data: rows });
  return rows.map((r) => r.id);
}

test.describe('REST API', () => {
  test('the OpenAPI document is valid 3.1, generated from the handlers’ schemas, and every response schema compiles', async ({
    request,
  }) => {
    const response = await request.get('/api/v1/openapi.json');
    expect(response.status()).toBe(200);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    await SwaggerParser.validate(structuredClone(doc) as never);
    const components = doc.components as { securitySchemes: Record<string, { scheme: string }>; schemas: Record<string, unknown> };
    expect(components.securitySchemes.bearer?.scheme).toBe('bearer');
    for (const name of [...Object.keys(RESPONSE_SCHEMAS), 'ApproveBody', 'RejectBody']) expect(components.schemas).toHaveProperty(name);
    // Under ajv's strict mode: an unknown keyword or format in any of them is an error here.
    expect((await servedContract(request)).compileAll()).toBeGreaterThan(40);
  });

  test('the document check refuses what the document does not describe', async ({ request, db, pendingOrder }) => {
    const order = await pendingOrder();
    const key = await newKey(db, ['read']);
    const api = apiClient(request);
    const url = `/api/v1/requests?scope=all&customer=${encodeURIComponent(order.customer)}`;
    const real = await api.get(url, { headers: key.auth });
    expect(real.status).toBe(200);
    const { violations } = await servedContract(request);
    const json = { 'content-type': 'application/json' };
    const listWith = (change: (body: { requests: Record<string, unknown>[] } & Record<string, unknown>) => void) => {
      const body = structuredClone(real.body) as { requests: Record<string, unknown>[] } & Record<string, unknown>;
      change(body);
      return violations('get', '/api/v1/requests', 200, json, JSON.stringify(body));
    };
    expect(violations('get', '/api/v1/requests', 200, real.headers, real.text)).toEqual([]);
    expect(listWith((b) => (b.requests[0] = { ...b.requests[0], amount: 1234.5 }))).not.toEqual([]);
    expect(listWith((b) => (b.requests[0] = { ...b.requests[0], taskToken: 'x' }))).not.toEqual([]);
    expect(listWith((b) => delete b.nextCursor)).not.toEqual([]);
    expect(listWith((b) => (b.total = '1'))).not.toEqual([]);
    const error = (code: string) => JSON.stringify({ error: { code, message: 'No.' } });
    expect(violations('get', '/api/v1/requests', 401, json, error('missing_key'))).toEqual([]);
    expect(violations('get', '/api/v1/requests', 401, json, error('not_found'))).not.toEqual([]);
    expect(violations('get', '/api/v1/requests', 404, json, error('not_found'))).not.toEqual([]);
    expect(violations('get', '/api/v1/requests', 401, json, JSON.stringify({ error: { code: 'missing_key' } }))).not.toEqual([]);
    expect(violations('get', '/api/v1/requests', 200, { 'content-type': 'text/html' }, real.text)).not.toEqual([]);
    expect(violations('delete', '/api/v1/requests', 200, json, real.text)).not.toEqual([]);
    expect(violations('get', '/api/v1/approvals', 200, json, real.text)).not.toEqual([]);
    expect(violations('get', '/api/v1/requests', 429, { ...json, 'retry-after': 'soon' }, error('rate_limited'))).not.toEqual([]);
  });

  test('lists requests with the inbox filters, as the key’s user sees them', async ({ request, db, pendingOrder }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const key = await newKey(db, ['read']);
    const list = expectStatus(
      await api.get(`/api/v1/requests?scope=all&status=pending&customer=${encodeURIComponent(order.customer)}&sort=age&dir=asc`, {
        headers: key.auth,
      }),
      200,
    );
    expect(list.total).toBe(1);
    expect((list.requests as { id: string }[]).map((r) => r.id)).toEqual([order.approvalId]);
    expect(list.nextCursor).toBeNull();

    const none = expectStatus(
      await api.get(`/api/v1/requests?status=approved&customer=${encodeURIComponent(order.customer)}`, { headers: key.auth }),
      200,
    );
    expect(none.total).toBe(0);

    const bad = expectError(await api.get('/api/v1/requests?sort=size', { headers: key.auth }), 400, 'invalid_request');
    expect(JSON.stringify(bad)).toContain('sort');
  });

  test('pages past the first page with nextCursor: every request once, in order, and the last page has no next', async ({
    request,
    db,
  }) => {
    const api = apiClient(request);
    const customer = `Paging ${randomBytes(5).toString('hex')}`;
    const ids = await insertApproved(db, customer, 120);
    const key = await newKey(db, ['read']);
    const list = async (params: Record<string, string>) =>
      expectStatus(
        await api.get(`/api/v1/requests?${new URLSearchParams({ scope: 'all', status: 'approved', customer, ...params })}`, {
          headers: key.auth,
        }),
        200,
      ) as unknown as ListPage;

    const orders: { params: Record<string, string>; key: (r: ListPage['requests'][number]) => number; sign: 1 | -1 }[] = [
      { params: {}, key: (r: ListPage['requests'][number]) => Date.parse(r.deadline), sign: 1 },
      { params: { sort: 'amount', dir: 'desc' }, key: (r: ListPage['requests'][number]) => Number(r.amount), sign: -1 },
    ];
    for (const order of orders) {
      const pages: ListPage[] = [];
      let after: string | null = null;
      do {
        pages.push(await list({ ...order.params, ...(after ? { after } : {}) }));
        after = pages[pages.length - 1]?.nextCursor ?? null;
      } while (after && pages.length < 5);
      expect(pages.map((p) => p.requests.length)).toEqual([50, 50, 20]);
      expect(pages.map((p) => p.total)).toEqual([120, 120, 120]);
      expect(pages.map((p) => [p.prevCursor !== null, p.nextCursor !== null])).toEqual([
        [false, true],
        [true, true],
        [true, false],
      ]);
      const seen = pages.flatMap((p) => p.requests);
      expect(new Set(seen.map((r) => r.id)).size, 'no request twice').toBe(seen.length);
      expect(seen.map((r) => r.id).sort(), 'no request left out').toEqual([...ids].sort());
      const keys = seen.map(order.key);
      expect(
        keys.every((k, i) => i === 0 || order.sign * (k - (keys[i - 1] ?? k)) >= 0),
        `in order: ${keys.join(', ')}`,
      ).toBe(true);

      if (order.sign === 1) {
        // And back: each page's prevCursor leads to the page before it, the same rows.
        const [firstPage, secondPage, lastPage] = pages;
        const idsOf = (page: ListPage | undefined) => page?.requests.map((r) => r.id);
        const second = await list({ before: lastPage?.prevCursor ?? '' });
        expect(idsOf(second)).toEqual(idsOf(secondPage));
        const first = await list({ before: second.prevCursor ?? '' });
        expect(idsOf(first)).toEqual(idsOf(firstPage));
        expect(first.prevCursor).toBeNull();
      }
    }
  });

  test('a malformed, tampered or foreign page cursor is a 400 invalid_request naming it, never some other page', async ({
    request,
    db,
  }) => {
    const api = apiClient(request);
    const customer = `Cursor ${randomBytes(5).toString('hex')}`;
    await insertApproved(db, customer, 60);
    const key = await newKey(db, ['read']);
    const list = async (params: Record<string, string>) =>
      api.get(`/api/v1/requests?${new URLSearchParams({ scope: 'all', status: 'approved', customer, ...params })}`, { headers: key.auth });
    const cursor = (expectStatus(await list({}), 200) as unknown as ListPage).nextCursor ?? '';
    const amountCursor = (expectStatus(await list({ sort: 'amount' }), 200) as unknown as ListPage).nextCursor ?? '';
    expect(cursor).not.toBe('');
    expect(amountCursor).not.toBe('');
    const forged = Buffer.from(
      JSON.stringify({ s: 'deadline', k: '2030-01-01T00:00:00.000Z', i: randomUUID(), c: 'made-up' }),
      'utf8',
    ).toString('base64url');

    const cases: [string, Record<string, string>, string][] = [
      ['garbage', { after: 'not-a-cursor' }, 'after'],
      ['one character changed', { after: `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}` }, 'after'],
      ['cut short', { after: cursor.slice(0, -6) }, 'after'],
      ['a made-up position with a wrong checksum', { after: forged }, 'after'],
      ['another sort order’s', { after: amountCursor }, 'after'],
      ['garbage, going back', { before: '!!' }, 'before'],
      ['both ways at once', { after: cursor, before: cursor }, 'before'],
      ['too long', { after: 'A'.repeat(501) }, 'after'],
    ];
    for (const [what, params, field] of cases) {
      const refused = expectError(await list(params), 400, 'invalid_request');
      expect(refused.error.details?.fields, `${what}: ${JSON.stringify(refused)}`).toHaveProperty(field);
    }
  });

  test('reads one request with its routing, progress and timeline, never the task token', async ({ request, db, pendingOrder }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const key = await newKey(db, ['read']);
    const response = await api.get(`/api/v1/requests/${order.approvalId}`, { headers: key.auth });
    const detail = expectStatus(response, 200);
    expect(detail).toMatchObject({
      id: order.approvalId,
      status: 'PENDING',
      customer: order.customer,
      progress: { approvals: 0, quorum: 1 },
    });
    expect((detail.timeline as { action: string }[]).map((e) => e.action)).toContain('REQUESTED');
    expect(detail.routing).toMatchObject({ quorum: 1, fourEyes: true });
    expect(response.text).not.toMatch(/task_?token/i);
    expectError(await api.get(`/api/v1/requests/${randomUUID()}`, { headers: key.auth }), 404, 'not_found');
    expectError(await api.get('/api/v1/requests/not-a-uuid', { headers: key.auth }), 400, 'invalid_request');
  });

  test('approves through the decision path, audited with the key', async ({ request, db, pendingOrder }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const key = await newKey(db);
    const decided = expectStatus(
      await api.post(`/api/v1/requests/${order.approvalId}/approve`, { headers: key.auth, data: { comment: 'Looks right' } }),
      200,
    );
    expect(decided).toMatchObject({ id: order.approvalId, status: 'APPROVED', decidedBy: key.email, recorded: true });
    expect(await order.result()).toMatchObject({ status: 'FULFILLED', decidedBy: key.email });
    const event = await db.auditEvent.findFirst({ where: { approvalRequestId: order.approvalId, action: 'APPROVED' } });
    expect(event).toMatchObject({ actor: key.email, path: 'API', details: { apiKeyId: key.id } });
    const detail = expectStatus(await api.get(`/api/v1/requests/${order.approvalId}`, { headers: key.auth }), 200);
    expect(detail).toMatchObject({ status: 'APPROVED', decisionPath: 'API', comment: 'Looks right' });

    // Deciding again: already decided.
    expectError(
      await api.post(`/api/v1/requests/${order.approvalId}/reject`, { headers: key.auth, data: { reason: 'late' } }),
      409,
      'already_decided',
    );
  });

  test('rejects only with a reason', async ({ request, db, pendingOrder }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const key = await newKey(db);
    const url = `/api/v1/requests/${order.approvalId}/reject`;
    expectError(await api.post(url, { headers: key.auth, data: {} }), 400, 'invalid_request');
    expectError(await api.post(url, { headers: key.auth, data: { reason: '   ' } }), 400, 'invalid_request');
    expectError(
      await api.post(url, { headers: { ...key.auth, 'content-type': 'application/json' }, data: Buffer.from('{"reason": ') }),
      400,
      'malformed_json',
    );
    const decided = expectStatus(await api.post(url, { headers: key.auth, data: { reason: 'Wrong customer' } }), 200);
    expect(decided).toMatchObject({ status: 'REJECTED', decidedBy: key.email });
    expect(await order.result()).toMatchObject({ status: 'REJECTED' });
  });

  test('claims and releases; a claim held by someone else refuses others', async ({ request, db, pendingOrder }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const holder = await newKey(db);
    const other = await newKey(db);
    const claimed = expectStatus(await api.post(`/api/v1/requests/${order.approvalId}/claim`, { headers: holder.auth }), 200);
    expect(claimed).toMatchObject({ claimedBy: holder.email, changed: true });
    expectError(await api.post(`/api/v1/requests/${order.approvalId}/claim`, { headers: other.auth }), 409, 'claimed');
    expectError(await api.post(`/api/v1/requests/${order.approvalId}/approve`, { headers: other.auth, data: {} }), 409, 'claimed');
    const released = expectStatus(await api.post(`/api/v1/requests/${order.approvalId}/release`, { headers: holder.auth }), 200);
    expect(released).toMatchObject({ claimedBy: null, previous: holder.email, changed: true });
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { claimedBy: true } });
    expect(row.claimedBy).toBeNull();
  });

  test('refuses a missing, bad, revoked or expired key, and a deactivated user', async ({ request, db, pendingOrder }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const url = `/api/v1/requests/${order.approvalId}`;
    const missing = await api.get(url, { maxRedirects: 0 });
    expectError(missing, 401, 'missing_key');
    expect(missing.headers['www-authenticate']).toContain('Bearer');
    expectError(await api.get(url, { headers: { authorization: 'Bearer nonsense' } }), 401, 'invalid_key');
    const key = await newKey(db);
    const wrongSecret = key.key.slice(0, -4) + (key.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expectError(await api.get(url, { headers: { authorization: `Bearer ${wrongSecret}` } }), 401, 'invalid_key');

    const revoked = await newKey(db);
    await db.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    expectError(await api.get(url, { headers: revoked.auth }), 401, 'revoked_key');

    const expiring = await newKey(db, ['read'], new Date(Date.now() + 60_000));
    expectStatus(await api.get(url, { headers: expiring.auth }), 200);
    await db.apiKey.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectError(await api.get(url, { headers: expiring.auth }), 401, 'expired_key');

    const deactivated = await newKey(db);
    await db.user.update({ where: { email: deactivated.email }, data: { active: false } });
    expectError(await api.get(url, { headers: deactivated.auth }), 401, 'inactive_user');
  });

  test('refuses a read-only key deciding (scope), and a decision the policy forbids (four eyes)', async ({ request, db, temporal }) => {
    const api = apiClient(request);
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
      expectError(await api.post(`/api/v1/requests/${id}/approve`, { headers: readOnly.auth, data: {} }), 403, 'scope');
      expectError(await api.post(`/api/v1/requests/${id}/claim`, { headers: readOnly.auth }), 403, 'scope');
      const decideOnly = await newKey(db, ['decide']);
      expectError(await api.get(`/api/v1/requests/${id}`, { headers: decideOnly.auth }), 403, 'scope');
      expectError(await api.post(`/api/v1/requests/${id}/approve`, { headers: key.auth, data: {} }), 403, 'not_eligible');
    } finally {
      await temporal.workflow.getHandle(workflowId).terminate('e2e cleanup');
    }
  });

  test('a terminated request is gone (410)', async ({ request, db, temporal, pendingOrder }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const key = await newKey(db);
    await temporal.workflow.getHandle(order.workflowId).terminate('e2e: gone');
    await expect
      .poll(async () => (await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { status: true } })).status)
      .toBe('TERMINATED');
    expectError(await api.post(`/api/v1/requests/${order.approvalId}/approve`, { headers: key.auth, data: {} }), 410, 'terminated');
  });

  test('refuses a body over 64 KB, by Content-Length and by the bytes sent', async ({ request, db, pendingOrder, baseURL }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const key = await newKey(db);
    const url = `/api/v1/requests/${order.approvalId}/approve`;
    expectError(await api.post(url, { headers: key.auth, data: { comment: 'x'.repeat(70 * 1024) } }), 413, 'too_large');
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
    const answer = await conforming(request, 'post', chunked.url, {
      status: chunked.status,
      headers: Object.fromEntries(chunked.headers),
      text: await chunked.text(),
    });
    expectError(answer, 413, 'too_large');
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { status: true } });
    expect(row.status).toBe('PENDING');
  });

  test('typed values: 422 with per-field details, then approved with values', async ({ request, db, temporal }) => {
    const api = apiClient(request);
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
    const refused = expectError(await api.post(url, { headers: key.auth, data: { values: { subject: 42 } } }), 422, 'invalid_values');
    expect(refused.error.details?.fields).toHaveProperty(['values.subject']);
    const decided = expectStatus(
      await api.post(url, {
        headers: key.auth,
        data: { values: { to: 'someone@example.com', subject: 'Hello (edited)', body: 'Hi' } },
      }),
      200,
    );
    expect(decided.status).toBe('APPROVED');
    expect(await temporal.workflow.getHandle(workflowId).result()).toMatchObject({
      status: 'EXECUTED',
      args: { subject: 'Hello (edited)' },
    });
  });

  test('rate-limits each key, with Retry-After', async ({ request, db }) => {
    const api = apiClient(request);
    const key = await newKey(db, ['read']);
    const url = `/api/v1/requests/${randomUUID()}`;
    const statuses: number[] = [];
    let limited: Received | undefined;
    // API_RATE_LIMIT is 40 per minute in the e2e server (playwright.config.ts).
    for (let batch = 0; batch < 5 && !limited; batch++) {
      const responses = await Promise.all(Array.from({ length: 10 }, () => api.get(url, { headers: key.auth })));
      statuses.push(...responses.map((r) => r.status));
      limited = responses.find((r) => r.status === 429);
    }
    expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
    if (!limited) return;
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 404)).toHaveLength(40);
    // Another key is not affected.
    const fresh = await newKey(db, ['read']);
    expectError(await api.get(url, { headers: fresh.auth }), 404, 'not_found');
  });

  test('two clients race to approve: one wins, the other hears 409, Temporal completes once', async ({
    request,
    db,
    temporal,
    pendingOrder,
  }) => {
    const api = apiClient(request);
    const order = await pendingOrder();
    const [a, b] = await Promise.all([newKey(db), newKey(db)]);
    const url = `/api/v1/requests/${order.approvalId}/approve`;
    const responses = await Promise.all([a, b].map((key) => api.post(url, { headers: key.auth, data: { comment: key.email } })));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = responses.find((r) => r.status === 409);
    if (loser) expectError(loser, 409, 'already_decided');
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
      const api = apiClient(request);
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
      expectStatus(await api.get(`/api/v1/requests/${order.approvalId}`, { headers: auth }), 200);
      expectError(await api.post(`/api/v1/requests/${order.approvalId}/claim`, { headers: auth }), 403, 'scope');

      await page.reload();
      await expect(page.getByTestId('password-link')).toHaveCount(0);
      await expect(page.locator('body')).not.toContainText(key);
      const row = page.getByTestId('api-key-row').filter({ hasText: name });
      await expect(row).toContainText(email);
      await expect(row).toContainText('read');
      await row.getByRole('button', { name: `Revoke ${name}` }).click();
      await expect(row).toContainText('Revoked');
      expectError(await api.get(`/api/v1/requests/${order.approvalId}`, { headers: auth }), 401, 'revoked_key');
    });
  });
});
