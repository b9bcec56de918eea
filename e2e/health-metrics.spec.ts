// The probes and the metrics of the production build, signed out: /api/health
// and /api/ready answer without a session, /api/metrics only to its token
// (METRICS_TOKEN, set in playwright.config.ts), and a decision made here
// shows in the decision latency histogram the same process serves.
import { randomBytes } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import { createApiKey } from '../lib/api/keys';
import { ADMIN, expect, test } from './support';

test.use({ storageState: { cookies: [], origins: [] } });

const token = () => {
  const value = process.env.METRICS_TOKEN;
  if (!value) throw new Error('METRICS_TOKEN is not set: playwright.config.ts sets it for the server and the tests');
  return value;
};

/** Every metric /api/metrics serves (README, "Health and metrics"), and one of prom-client's process metrics. */
const METRIC_NAMES = [
  'countersign_approval_requests',
  'countersign_oldest_pending_request_age_seconds',
  'countersign_reconciler_lag_seconds',
  'countersign_outbox_backlog',
  'countersign_outbox_oldest_due_seconds',
  'countersign_outbox_failed',
  'countersign_decision_duration_seconds',
  'countersign_temporal_call_errors_total',
  'process_cpu_seconds_total',
  'nodejs_eventloop_lag_seconds',
];

async function scrape(request: APIRequestContext): Promise<string> {
  const response = await request.get('/api/metrics', { headers: { authorization: `Bearer ${token()}` } });
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample line, `name{labels} value`; 0 when the series does not exist yet. */
function sampleOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('GET /api/health answers 200 without a session', async ({ request }) => {
  const response = await request.get('/api/health', { maxRedirects: 0 });
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('no-store');
  expect(await response.json()).toEqual({ status: 'ok' });
});

test('GET /api/ready answers 200 without a session when PostgreSQL, the migrations and Temporal all check out', async ({ request }) => {
  const response = await request.get('/api/ready', { maxRedirects: 0 });
  const body = (await response.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string; ms: number }> };
  expect(response.status(), JSON.stringify(body)).toBe(200);
  expect(body.status).toBe('ready');
  expect(Object.keys(body.checks).sort()).toEqual(['database', 'migrations', 'temporal']);
  for (const check of Object.values(body.checks)) expect(check).toEqual({ ok: true, ms: expect.any(Number) });
  const text = JSON.stringify(body);
  for (const secret of [process.env.DATABASE_URL, process.env.NEXTAUTH_SECRET, token()]) expect(text).not.toContain(secret);
});

test('GET /api/metrics refuses a request without the token, and one with a wrong token', async ({ request }) => {
  const refused: Record<string, string>[] = [
    {},
    { authorization: `Bearer ${randomBytes(32).toString('hex')}` },
    { authorization: `Basic ${token()}` },
  ];
  for (const headers of refused) {
    const response = await request.get('/api/metrics', { headers, maxRedirects: 0 });
    expect(response.status(), headers.authorization?.split(' ')[0] ?? 'no authorization').toBe(401);
    expect(response.headers()['www-authenticate']).toBe('Bearer realm="countersign-metrics"');
    const body = await response.text();
    expect(body).not.toContain('countersign_');
    expect(body).not.toContain(token());
  }
});

test('GET /api/metrics serves every metric to its token, and a decision made now counts in the latency histogram', async ({
  request,
  db,
  pendingOrder,
}) => {
  const before = await scrape(request);
  for (const name of METRIC_NAMES) expect(before, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
  expect(before).toMatch(/^countersign_approval_requests\{status="PENDING"\} \d+$/m);

  const series = 'countersign_decision_duration_seconds_count{path="API",outcome="APPROVED"}';
  const countBefore = sampleOf(before, series);
  const order = await pendingOrder();
  const email = `svc-metrics-${randomBytes(5).toString('hex')}@example.com`;
  const { key } = await createApiKey(
    db,
    { email: ADMIN.email, role: 'ADMIN' },
    { name: `e2e metrics ${email}`, userEmail: email, userName: 'E2E metrics', scopes: ['decide'] },
  );
  const decided = await request.post(`/api/v1/requests/${order.approvalId}/approve`, {
    headers: { authorization: `Bearer ${key}` },
    data: {},
  });
  expect(decided.status(), await decided.text()).toBe(200);

  // Other specs decide through the API at the same time: the count grows by this decision at least.
  const after = await scrape(request);
  expect(sampleOf(after, series)).toBeGreaterThanOrEqual(countBefore + 1);
  expect(sampleOf(after, 'countersign_decision_duration_seconds_bucket{le="+Inf",path="API",outcome="APPROVED"}')).toBe(
    sampleOf(after, series),
  );
  expect(await order.result()).toMatchObject({ status: 'FULFILLED', decidedBy: email });
});
