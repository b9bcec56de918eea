// Health and metrics against the real services: /api/ready's checks
// (PostgreSQL, the migrations, Temporal), the gauges read from the database,
// the decision and Temporal-error instruments, GET /api/metrics's token, and
// the worker's own Temporal SDK metrics served at WORKER_METRICS_ADDRESS.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { ActivityGoneError, callActivity } from '../../lib/approvals/temporal/activity-call';
import { createDb, type Db } from '../../lib/db';
import { checkReadiness, expectedMigrations, MIGRATIONS_DIR } from '../../lib/health/readiness';
import { publishDatabaseMetrics, readDatabaseMetrics } from '../../lib/metrics/database';
import { metrics, servedRegistry } from '../../lib/metrics/registry';
import { connectTemporal } from '../../lib/temporal';
import { freePorts } from '../../scripts/processes';
import {
  env,
  freezableProxy,
  NAMESPACE,
  newReviewer,
  ROOT,
  startPendingOrder,
  uniqueTaskQueue,
  useServices,
  waitFor,
  withWorker,
} from './helpers';

// lib/metrics/endpoint.ts is marked `server-only`: outside Next's react-server build that
// package throws on import. Here it is a plain Node module, so the marker is stubbed.
const requireHere = createRequire(__filename);
const serverOnly = requireHere.resolve('server-only');
requireHere.cache[serverOnly] = { id: serverOnly, filename: serverOnly, loaded: true, exports: {} } as NodeJS.Module;
// Read once per process, at the first scrape below.
const METRICS_TOKEN = randomBytes(32).toString('hex');
process.env.METRICS_TOKEN = METRICS_TOKEN;
const { metricsResponse } = requireHere('../../lib/metrics/endpoint') as typeof import('../../lib/metrics/endpoint');

/** A database URL with the password swapped, so a test can check no answer ever carries it. */
function urlWith(password: string, port?: number, query = ''): string {
  const url = new URL(env.databaseUrl);
  url.password = password;
  if (port) url.port = String(port);
  url.search = query;
  return url.toString();
}

/** A sample of a metric: the value under exactly these labels (0 when there is none yet). */
async function sample(
  metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number; metricName?: string }[] }> },
  labels: Record<string, string>,
  name?: string,
): Promise<number> {
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      (name === undefined || v.metricName === name) &&
      Object.keys(v.labels).length === Object.keys(labels).length &&
      Object.keys(labels).every((key) => String(v.labels[key]) === labels[key]),
  );
  return found?.value ?? 0;
}

const decisionCount = (labels: { path: string; outcome: string }) =>
  sample(metrics().decisionSeconds, labels, 'countersign_decision_duration_seconds_count');

describe('readiness', { timeout: 120_000 }, () => {
  const services = useServices();
  const temporal = () => Promise.resolve(services.client);

  test('is ready when PostgreSQL and Temporal answer and every migration of prisma/migrations is applied', async () => {
    const readiness = await checkReadiness({ db: services.db, temporal });
    assert.equal(readiness.ready, true, JSON.stringify(readiness));
    for (const check of Object.values(readiness.checks))
      assert.deepEqual({ ok: check.ok, error: check.error }, { ok: true, error: undefined });
  });

  test('expects the migration folders that hold a migration.sql, in order', async () => {
    const folders = (await fs.readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    const expected = await expectedMigrations();
    assert.ok(expected.length >= 7, `found ${expected.join(', ')}`);
    assert.deepEqual(expected, [...folders].sort());
  });

  test('is not ready, naming the migration, when the build ships one the database has not applied', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'countersign-migrations-'));
    try {
      for (const name of await expectedMigrations()) {
        await fs.mkdir(path.join(dir, name));
        await fs.writeFile(path.join(dir, name, 'migration.sql'), '-- applied\n');
      }
      const unapplied = `29991231000000_health_${randomBytes(3).toString('hex')}`;
      await fs.mkdir(path.join(dir, unapplied));
      await fs.writeFile(path.join(dir, unapplied, 'migration.sql'), 'SELECT 1;\n');
      // A folder without migration.sql is not a migration (prisma migrate deploy skips it too).
      await fs.mkdir(path.join(dir, '29991231000001_empty'));

      const readiness = await checkReadiness({ db: services.db, temporal, migrationsDir: dir });
      assert.equal(readiness.ready, false);
      assert.equal(readiness.checks.database.ok, true);
      assert.equal(readiness.checks.temporal.ok, true);
      assert.equal(readiness.checks.migrations.ok, false);
      assert.equal(readiness.checks.migrations.error, `not applied: ${unapplied} (run \`npm run db:migrate\`)`);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('is not ready when the migrations folder is missing, and says where it looked', async () => {
    const readiness = await checkReadiness({ db: services.db, temporal, migrationsDir: path.join(os.tmpdir(), `absent-${randomUUID()}`) });
    assert.equal(readiness.ready, false);
    assert.match(readiness.checks.migrations.error ?? '', /^the migrations folder is missing \(.*absent-/);
  });

  test('is not ready when the database was never migrated: every migration is missing', async () => {
    // The same server, with a search path where no _prisma_migrations table is.
    const db = createDb(
      urlWith(
        new URL(env.databaseUrl).password,
        undefined,
        `?options=${encodeURIComponent(`-c search_path=never_migrated_${randomBytes(4).toString('hex')}`)}`,
      ),
      { size: 2 },
    );
    try {
      const readiness = await checkReadiness({ db, temporal });
      assert.equal(readiness.checks.database.ok, true, JSON.stringify(readiness.checks.database));
      assert.equal(readiness.checks.migrations.ok, false);
      const count = (await expectedMigrations()).length;
      assert.match(readiness.checks.migrations.error ?? '', new RegExp(`^not applied: 20261128000000_init, .* and ${count - 3} more`));
    } finally {
      await db.$disconnect();
    }
  });

  test('is not ready when PostgreSQL does not answer, and the answer never carries the connection string', async () => {
    const [closed] = await freePorts(1);
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const db = createDb(urlWith(password, closed), { size: 2, connectTimeoutMs: 1_000 });
    try {
      const readiness = await checkReadiness({ db, temporal });
      assert.equal(readiness.ready, false);
      assert.equal(readiness.checks.database.ok, false);
      assert.equal(readiness.checks.migrations.ok, false);
      assert.equal(readiness.checks.temporal.ok, true);
      assert.match(readiness.checks.database.error ?? '', /^PostgreSQL /);
      const body = JSON.stringify(readiness);
      assert.ok(!body.includes(password), body);
      assert.ok(!body.includes(String(closed)), body);
    } finally {
      await db.$disconnect();
    }
  });

  test('is not ready within its deadline when Temporal stops answering', async () => {
    const proxy = await freezableProxy(env.temporalAddress);
    const client = await connectTemporal(proxy.address, NAMESPACE);
    try {
      proxy.freeze();
      const started = Date.now();
      const readiness = await checkReadiness({ db: services.db, temporal: () => Promise.resolve(client), deadlineMs: 500 });
      assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
      assert.equal(readiness.ready, false);
      assert.deepEqual(readiness.checks.temporal.error, 'Temporal did not answer within 0.5 s');
      assert.equal(readiness.checks.database.ok, true);
    } finally {
      proxy.close();
      await client.connection.close().catch(() => undefined);
    }
  });
});

describe('gauges read from the database', { timeout: 60_000 }, () => {
  let db: Db;
  const requestIds: string[] = [];
  const outboxIds: string[] = [];
  // Every row below is dated 1999, and read as of this instant: rows of other suites are all later, so they neither
  // count as overdue nor as older, and the ages come out exact.
  const NOW = new Date('2000-01-01T00:00:00Z');
  const at = (iso: string) => new Date(`${iso}Z`);

  before(async () => {
    db = createDb(env.databaseUrl, { size: 4 });
  });
  after(async () => {
    // Rows without audit events may go (the trail is append-only; these have none).
    await db.$executeRaw`DELETE FROM approval_requests WHERE id = ANY(${requestIds}::uuid[])`;
    await db.outboxMessage.deleteMany({ where: { id: { in: outboxIds } } });
    await db.$disconnect();
  });

  async function insertRequest(status: string, requestedAt: Date, deadline: Date): Promise<void> {
    const id = randomUUID();
    requestIds.push(id);
    await db.$executeRaw`
      INSERT INTO approval_requests (id, workflow_id, run_id, activity_id, attempt, request, title, status, requested_at, deadline, updated_at)
      VALUES (${id}::uuid, ${`metrics-${id}`}, 'run-metrics', 'approval', 1, '{}'::jsonb, 'Metrics test', ${status}::"ApprovalStatus",
        ${requestedAt}, ${deadline}, now())`;
  }

  async function insertOutbox(kind: string, status: string, nextAttemptAt: Date): Promise<void> {
    const id = randomUUID();
    outboxIds.push(id);
    await db.$executeRaw`
      INSERT INTO outbox_messages (id, kind, dedupe_key, payload, status, attempts, next_attempt_at, created_at)
      VALUES (${id}, ${kind}, ${`metrics-${id}`}, '{}'::jsonb, ${status}, 0, ${nextAttemptAt}, ${nextAttemptAt})`;
  }

  test('counts requests by status, every status present even at 0', async () => {
    const before = await readDatabaseMetrics(db, NOW);
    assert.deepEqual(Object.keys(before.requestsByStatus).sort(), [
      'APPROVED',
      'CANCELLED',
      'EXPIRED',
      'PENDING',
      'REJECTED',
      'TERMINATED',
    ]);
    await insertRequest('PENDING', at('1999-12-31T00:00:00'), at('2999-01-01T00:00:00'));
    await insertRequest('PENDING', at('1999-12-31T00:00:00'), at('2999-01-01T00:00:00'));
    await insertRequest('EXPIRED', at('1999-12-31T00:00:00'), at('1999-12-31T00:00:00'));
    const afterwards = await readDatabaseMetrics(db, NOW);
    const delta = Object.fromEntries(
      Object.entries(afterwards.requestsByStatus).map(([s, n]) => [s, n - (before.requestsByStatus[s] ?? 0)]),
    );
    assert.deepEqual(delta, { PENDING: 2, APPROVED: 0, REJECTED: 0, EXPIRED: 1, CANCELLED: 0, TERMINATED: 0 });
  });

  test('the oldest pending request is aged from when it was first asked for; a closed one does not count', async () => {
    await insertRequest('CANCELLED', at('1999-01-01T00:00:00'), at('1999-01-02T00:00:00'));
    await insertRequest('PENDING', at('1999-12-30T00:00:00'), at('2999-01-01T00:00:00'));
    const { oldestPendingSeconds } = await readDatabaseMetrics(db, NOW);
    assert.equal(oldestPendingSeconds, 2 * 86_400);
  });

  test('the reconciler lag is how long the most overdue pending request has been past its deadline', async () => {
    const before = await readDatabaseMetrics(db, NOW);
    assert.equal(before.reconcilerLagSeconds, 0, 'no pending row is past its deadline as of 2000 yet');
    await insertRequest('PENDING', at('1999-12-31T00:00:00'), at('1999-12-31T23:00:00'));
    await insertRequest('PENDING', at('1999-12-31T00:00:00'), at('1999-12-31T23:59:00'));
    // Closed rows past their deadline are no one's backlog.
    await insertRequest('EXPIRED', at('1999-12-01T00:00:00'), at('1999-12-02T00:00:00'));
    const { reconcilerLagSeconds } = await readDatabaseMetrics(db, NOW);
    assert.equal(reconcilerLagSeconds, 3_600);
  });

  test('the outbox backlog counts due messages by kind, ages the oldest, and counts the ones given up on', async () => {
    const before = await readDatabaseMetrics(db, NOW);
    assert.deepEqual(Object.keys(before.outbox).sort(), ['EMAIL', 'EVENT', 'WEBHOOK']);
    await insertOutbox('EMAIL', 'PENDING', at('1999-12-31T22:00:00'));
    await insertOutbox('EMAIL', 'PENDING', at('1999-12-31T23:30:00'));
    await insertOutbox('WEBHOOK', 'PENDING', at('1999-12-31T23:59:30'));
    // Not due yet (backing off), sent, and given up on.
    await insertOutbox('EMAIL', 'PENDING', at('2999-01-01T00:00:00'));
    await insertOutbox('EMAIL', 'SENT', at('1999-12-01T00:00:00'));
    await insertOutbox('WEBHOOK', 'FAILED', at('1999-12-01T00:00:00'));
    const { outbox } = await readDatabaseMetrics(db, NOW);
    assert.deepEqual(outbox.EMAIL, { due: 2, oldestDueSeconds: 7_200, failed: before.outbox.EMAIL?.failed });
    assert.deepEqual(outbox.WEBHOOK, { due: 1, oldestDueSeconds: 30, failed: (before.outbox.WEBHOOK?.failed ?? 0) + 1 });
    assert.deepEqual(outbox.EVENT, { due: 0, oldestDueSeconds: 0, failed: before.outbox.EVENT?.failed });
  });

  test('a published snapshot is what the registry serves, replacing the last one whole', async () => {
    const snapshot = await readDatabaseMetrics(db, NOW);
    publishDatabaseMetrics(snapshot);
    const text = await servedRegistry().metrics();
    assert.match(text, new RegExp(`^countersign_outbox_backlog\\{kind="EMAIL"\\} ${snapshot.outbox.EMAIL?.due}$`, 'm'));
    assert.match(text, new RegExp(`^countersign_reconciler_lag_seconds ${snapshot.reconcilerLagSeconds}$`, 'm'));
    assert.match(text, new RegExp(`^countersign_approval_requests\\{status="PENDING"\\} ${snapshot.requestsByStatus.PENDING}$`, 'm'));
    publishDatabaseMetrics({ ...snapshot, outbox: { EMAIL: { due: 7, oldestDueSeconds: 1, failed: 0 } } });
    const replaced = await servedRegistry().metrics();
    assert.match(replaced, /^countersign_outbox_backlog\{kind="EMAIL"\} 7$/m);
    assert.doesNotMatch(replaced, /^countersign_outbox_backlog\{kind="WEBHOOK"\}/m);
    // prom-client's process metrics are served beside ours.
    assert.match(replaced, /^process_cpu_seconds_total /m);
    assert.match(replaced, /^nodejs_eventloop_lag_seconds /m);
  });
});

describe('instruments', { timeout: 120_000 }, () => {
  const services = useServices();
  const deps = () => ({ db: services.db, temporal: services.client });

  test('a decision is timed under its path and outcome, and so is a refused one under its error code', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const reviewer = await newReviewer(services.db, 'metrics');
      const approved = { path: 'API', outcome: 'APPROVED' };
      const refused = { path: 'API', outcome: 'ALREADY_DECIDED' };
      const [approvedBefore, refusedBefore] = [await decisionCount(approved), await decisionCount(refused)];

      const input = { decision: 'APPROVED' as const, ...approveInputSchema.parse({ id: pending.id }) };
      await decideApproval(deps(), input, { email: reviewer, path: 'API' });
      assert.equal((await handle.result()).status, 'FULFILLED');
      await assert.rejects(decideApproval(deps(), input, { email: reviewer, path: 'API' }), { code: 'ALREADY_DECIDED' });

      assert.equal(await decisionCount(approved), approvedBefore + 1);
      assert.equal(await decisionCount(refused), refusedBefore + 1);
      const text = await servedRegistry().metrics();
      assert.match(text, /^countersign_decision_duration_seconds_bucket\{le="5",path="API",outcome="APPROVED"\} \d+$/m);
    });
  });

  test('a call Temporal does not answer in time counts as a Temporal error; an activity that is gone does not', async () => {
    const key = { workflow_id: `gone-${randomUUID()}`, run_id: randomUUID(), activity_id: 'approval', task_token: null };
    const total = () =>
      metrics()
        .temporalErrors.get()
        .then((m) => m.values.reduce((sum, v) => sum + v.value, 0));

    const beforeGone = await total();
    await assert.rejects(
      callActivity(services.client, key, (target) =>
        target instanceof Uint8Array ? services.client.activity.heartbeat(target) : services.client.activity.heartbeat(target),
      ),
      (error) => error instanceof ActivityGoneError,
    );
    assert.equal(await total(), beforeGone, 'NotFound is an answer, not an error');

    const proxy = await freezableProxy(env.temporalAddress);
    const connection = await Connection.connect({ address: proxy.address });
    const slow = new Client({ connection, namespace: NAMESPACE });
    // The SDK turns a heartbeat's failed gRPC call into ActivityCompletionError, keeping its status only in words.
    const labels = { operation: 'activity_call', code: 'COMPLETION_ERROR' };
    try {
      proxy.freeze();
      const before = await sample(metrics().temporalErrors, labels);
      await assert.rejects(
        callActivity(
          slow,
          key,
          (target) => (target instanceof Uint8Array ? slow.activity.heartbeat(target) : slow.activity.heartbeat(target)),
          Date.now() + 500,
        ),
      );
      assert.equal(
        await sample(metrics().temporalErrors, labels),
        before + 1,
        JSON.stringify((await metrics().temporalErrors.get()).values),
      );
      assert.equal(await total(), beforeGone + 1);
    } finally {
      proxy.close();
      await connection.close().catch(() => undefined);
    }
  });
});

describe('GET /api/metrics', { timeout: 60_000 }, () => {
  let db: Db;
  before(() => {
    db = createDb(env.databaseUrl, { size: 2 });
  });
  after(async () => {
    await db.$disconnect();
  });
  const scrape = (authorization?: string, using: Db = db) =>
    metricsResponse(new Request('http://localhost/api/metrics', { headers: authorization ? { authorization } : {} }), using);

  test('refuses a request without the token, with a wrong one, and with the token sent another way', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`, METRICS_TOKEN]) {
      const response = await scrape(authorization);
      assert.equal(response.status, 401, String(authorization));
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="countersign-metrics"');
      const body = await response.text();
      assert.doesNotMatch(body, /countersign_/);
      assert.ok(!body.includes(METRICS_TOKEN));
    }
  });

  test('serves Prometheus text with every metric to the token', async () => {
    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const text = await response.text();
    for (const name of [
      'countersign_approval_requests',
      'countersign_oldest_pending_request_age_seconds',
      'countersign_reconciler_lag_seconds',
      'countersign_outbox_backlog',
      'countersign_outbox_oldest_due_seconds',
      'countersign_outbox_failed',
      'countersign_decision_duration_seconds',
      'countersign_temporal_call_errors_total',
      'process_resident_memory_bytes',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  test('answers 503, and no stale values, when the database does not answer', async () => {
    const [closed] = await freePorts(1);
    const down = createDb(urlWith('unused', closed), { size: 2, connectTimeoutMs: 500 });
    try {
      const response = await scrape(`Bearer ${METRICS_TOKEN}`, down);
      assert.equal(response.status, 503);
      assert.equal(await response.text(), 'The database did not answer, so there are no metrics this time.\n');
    } finally {
      await down.$disconnect();
    }
  });
});

describe("the worker's Temporal SDK metrics", { timeout: 120_000 }, () => {
  function startWorker(extraEnv: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: env.databaseUrl,
        TEMPORAL_ADDRESS: env.temporalAddress,
        TEMPORAL_TASK_QUEUE: uniqueTaskQueue(),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    return { child, exited, output: () => ({ stdout, stderr }) };
  }

  test('are served at WORKER_METRICS_ADDRESS once the worker polls', async () => {
    const [port] = await freePorts(1);
    const address = `127.0.0.1:${port}`;
    const worker = startWorker({ WORKER_METRICS_ADDRESS: address });
    try {
      await waitFor('the worker to be ready', async () => /\[worker\] ready/.test(worker.output().stdout) || undefined, {
        timeoutMs: 60_000,
      });
      assert.match(worker.output().stdout, new RegExp(`Temporal SDK metrics at http://${address.replace(/\./g, '\\.')}/metrics`));
      // Core publishes its pollers' and slots' gauges as the worker starts polling.
      const text = await waitFor(
        'the worker pollers in the SDK metrics',
        async () => {
          const response = await fetch(`http://${address}/metrics`);
          const body = await response.text();
          return response.ok && /^temporal_worker_task_slots_available\{/m.test(body) ? body : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      assert.match(text, /^temporal_num_pollers\{/m);
      assert.match(text, /task_queue="test-/);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });

  test('a WORKER_METRICS_ADDRESS that is not an IP address and port stops the worker, naming it', async () => {
    const worker = startWorker({ WORKER_METRICS_ADDRESS: 'metrics.internal:9464' });
    try {
      assert.notEqual(await worker.exited, 0);
      assert.match(worker.output().stderr, /WORKER_METRICS_ADDRESS: must be an IP address and a port/);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});
