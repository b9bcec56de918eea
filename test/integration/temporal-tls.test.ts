// Temporal over TLS, mTLS and an API key, as on Temporal Cloud: the web's
// client and a real worker process reach the dev server only through a TLS
// proxy (test/support/tls-proxy.ts) that requires a client certificate from
// the test CA and the API key, and a decision completes the workflow. Without
// the certificate, with a wrong key, or with a server certificate that does
// not check out, the connection is refused; a bad setting stops the worker and
// the web server's start-up before anything connects.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ServiceError, type Client } from '@temporalio/client';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { startOrderApproval } from '../../lib/approvals/commands/start-order';
import { parseEnv } from '../../lib/env';
import { connectTemporalWith } from '../../lib/temporal';
import type { Db } from '../../lib/db';
import { issue, makeCa } from '../support/test-certificates';
import { startTlsProxy, type TlsProxy } from '../support/tls-proxy';
import { env, NAMESPACE, newOrder, newReviewer, openDb, ROOT, uniqueTaskQueue, waitFor, waitForPendingApproval } from './helpers';

const SERVER_NAME = 'temporal.test';
const API_KEY = `test-key-${randomUUID()}`;
/** gRPC's status code for a call without valid credentials. */
const UNAUTHENTICATED = 16;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-tls-'));
const ca = makeCa(dir, 'test-ca');
const serverPair = issue(dir, ca, 'server', { use: 'server', subject: SERVER_NAME });
const clientPair = issue(dir, ca, 'client', { use: 'client', subject: 'countersign-worker' });
// A CA the proxy does not trust, and the client does not either.
const otherCa = makeCa(dir, 'other-ca');
const stranger = issue(dir, otherCa, 'stranger', { use: 'client', subject: 'countersign-worker' });

/** The node process as `npm run worker` / `npm run request` start it, with these settings over the test's own. */
function startNode(script: string, args: string[], settings: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: env.databaseUrl, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exitCode: number | null | undefined;
  const exited = once(child, 'exit').then(([code]) => (exitCode = code as number | null));
  /** The exit code; a process still running after `ms` is killed, and the test fails saying so. */
  const exitedWithin = async (ms: number): Promise<number | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${script} still ran after ${ms} ms:\n${stdout}\n${stderr}`));
      }, ms);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return { child, exited, exitedWithin, hasExited: () => exitCode !== undefined, output: () => ({ stdout, stderr }) };
}

describe('Temporal over TLS, with a client certificate and an API key', { timeout: 300_000 }, () => {
  let proxy: TlsProxy;
  let db: Db;
  before(async () => {
    proxy = await startTlsProxy({
      upstream: env.temporalAddress,
      cert: serverPair.cert,
      key: serverPair.key,
      clientCa: ca.cert,
      apiKey: API_KEY,
    });
    db = await openDb();
  });
  after(async () => {
    await proxy.close();
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Temporal Cloud's settings, pointed at the proxy: the CA and the certificate as paths, the key as PEM text. */
  const cloudSettings = (overrides: Record<string, string> = {}): Record<string, string> => ({
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TLS_CA: ca.certPath,
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    TEMPORAL_TLS_CERT: clientPair.certPath,
    TEMPORAL_TLS_KEY: clientPair.key,
    TEMPORAL_API_KEY: API_KEY,
    ...overrides,
  });
  /** The web's client, made from these settings as getTemporalClient makes it from the environment. */
  const webClient = (overrides: Record<string, string> = {}) => connectTemporalWith(parseEnv('temporal', cloudSettings(overrides)));

  /** Connecting with these settings fails, and nothing reaches the dev server. */
  async function assertRefused(overrides: Record<string, string>, check: (error: unknown) => void = () => undefined) {
    const forwarded = proxy.counts.forwarded;
    let client: Client | undefined;
    try {
      client = await webClient(overrides);
    } catch (error) {
      check(error);
    }
    await client?.connection.close();
    assert.equal(client, undefined, `connected with ${JSON.stringify(Object.keys(overrides))} changed`);
    assert.equal(proxy.counts.forwarded, forwarded, 'a call reached the dev server');
  }

  test('the web’s client and a worker process connect through the proxy, and a decision completes the workflow', async () => {
    const taskQueue = uniqueTaskQueue();
    const before = { ...proxy.counts };
    const worker = startNode('worker/main.ts', [], cloudSettings({ TEMPORAL_TASK_QUEUE: taskQueue }));
    let client: Client | undefined;
    let workflowId: string | undefined;
    try {
      client = await webClient();
      await waitFor(
        'the worker to be ready',
        async () => {
          if (worker.hasExited()) throw new Error(`the worker exited before it was ready:\n${worker.output().stderr}`);
          return worker.output().stdout.includes('[worker] ready');
        },
        { timeoutMs: 90_000 },
      );
      const { stdout, stderr } = worker.output();
      assert.match(
        stdout,
        new RegExp(
          `ready: task queue "${taskQueue}" on ${proxy.address} over TLS \\(client certificate, API key, own CA, server name temporal\\.test\\)`,
        ),
        stderr,
      );

      const started = await startOrderApproval(client, taskQueue, newOrder());
      workflowId = started.workflowId;
      // The worker's activity wrote the row: it polled its task through the proxy.
      const pending = await waitForPendingApproval(db, workflowId);
      const reviewer = await newReviewer(db, 'tls');
      const decided = await decideApproval(
        { db, temporal: client },
        { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id, comment: 'over TLS' }) },
        { email: reviewer },
      );
      assert.equal(decided.status, 'APPROVED');
      const result = await client.workflow.getHandle(workflowId, started.runId).result();
      assert.deepEqual(result, { status: 'FULFILLED', decidedBy: reviewer, comment: 'over TLS' });

      assert.ok(proxy.counts.forwarded > before.forwarded + 5, 'the calls went through the proxy');
      assert.equal(proxy.counts.unauthenticated, before.unauthenticated);
      assert.equal(proxy.counts.refusedHandshakes, before.refusedHandshakes);
      assert.ok(!(stdout + stderr).includes(API_KEY), 'the API key reached the worker’s logs');
    } finally {
      worker.child.kill('SIGTERM');
      await Promise.race([worker.exited, new Promise((r) => setTimeout(r, 30_000))]);
      worker.child.kill('SIGKILL');
      if (client && workflowId)
        await client.workflow
          .getHandle(workflowId)
          .terminate('test cleanup')
          .catch(() => undefined);
      await client?.connection.close();
    }
  });

  test('npm run request starts a workflow through the same settings', async () => {
    const taskQueue = uniqueTaskQueue();
    const request = startNode(
      'scripts/request.ts',
      ['--customer', 'TLS Ltd', '--amount', '12'],
      cloudSettings({ TEMPORAL_TASK_QUEUE: taskQueue }),
    );
    const code = await request.exitedWithin(60_000);
    const { stdout, stderr } = request.output();
    assert.equal(code, 0, stderr);
    const workflowId = stdout.trim();
    const client = await webClient();
    try {
      const description = await client.workflow.getHandle(workflowId).describe();
      assert.equal(description.taskQueue, taskQueue);
      assert.equal(description.status.name, 'RUNNING');
      await client.workflow.getHandle(workflowId).terminate('test cleanup');
    } finally {
      await client.connection.close();
    }
  });

  test('is refused without a client certificate, or with one the proxy’s CA did not sign', async () => {
    const refused = proxy.counts.refusedHandshakes;
    await assertRefused({ TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' });
    await assertRefused({ TEMPORAL_TLS_CERT: stranger.certPath, TEMPORAL_TLS_KEY: stranger.keyPath });
    assert.ok(proxy.counts.refusedHandshakes >= refused + 2, 'the proxy refused the handshakes');
  });

  test('is refused with a wrong API key, or none: UNAUTHENTICATED', async () => {
    for (const [key, reason] of [
      ['wrong-key', 'invalid API key'],
      ['', 'API key required'],
    ] as const) {
      const unauthenticated = proxy.counts.unauthenticated;
      await assertRefused({ TEMPORAL_API_KEY: key }, (error) => {
        assert.ok(error instanceof ServiceError, String(error));
        const cause = error.cause as { code?: number; details?: string } | undefined;
        assert.equal(cause?.code, UNAUTHENTICATED);
        assert.equal(cause?.details, reason);
      });
      assert.equal(proxy.counts.unauthenticated, unauthenticated + 1);
    }
  });

  test('is refused when the server’s certificate does not check out: another server name, or a CA that did not sign it', async () => {
    await assertRefused({ TEMPORAL_TLS_SERVER_NAME: 'other.test' });
    await assertRefused({ TEMPORAL_TLS_SERVER_NAME: '' }); // the address, 127.0.0.1, is not in the certificate
    await assertRefused({ TEMPORAL_TLS_CA: otherCa.certPath });
  });

  test('a worker refused by the server exits non-zero, saying why and which settings to check', async () => {
    const worker = startNode(
      'worker/main.ts',
      [],
      cloudSettings({ TEMPORAL_API_KEY: 'wrong-key', TEMPORAL_TASK_QUEUE: uniqueTaskQueue() }),
    );
    const code = await worker.exitedWithin(60_000);
    const { stderr } = worker.output();
    assert.notEqual(code, 0);
    assert.match(stderr, new RegExp(`Cannot reach the Temporal server at ${proxy.address} over TLS`));
    assert.match(
      stderr,
      /Check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_API_KEY/,
    );
    assert.ok(!stderr.includes('wrong-key'), 'the API key reached the worker’s logs');
  });

  test('a bad setting stops the worker and the web server’s start-up before they connect, naming the setting', async () => {
    const missing = path.join(dir, 'missing.pem');
    const forwarded = proxy.counts.forwarded;
    const cases = [
      { settings: cloudSettings({ TEMPORAL_TLS_KEY: '' }), named: /TEMPORAL_TLS_KEY: is required with TEMPORAL_TLS_CERT/ },
      {
        settings: cloudSettings({ TEMPORAL_TLS_CA: missing }),
        named: /TEMPORAL_TLS_CA: cannot read the file .*missing\.pem \(no such file\)/,
      },
    ];
    const runs = cases.flatMap(({ settings, named }) => [
      { what: 'worker', run: startNode('worker/main.ts', [], settings), named, prefix: /\[worker\] Invalid environment:/ },
      {
        what: 'web start-up',
        // What instrumentation.ts runs when `next start` boots.
        run: startNode('-e', ['require("./lib/startup-checks").checkEnvironmentOrExit(); console.log("started")'], settings),
        named,
        prefix: /\[countersign\] not starting: Invalid environment:/,
      },
    ]);
    for (const { what, run, named, prefix } of runs) {
      const code = await run.exitedWithin(60_000);
      const { stdout, stderr } = run.output();
      assert.equal(code, 1, `${what}: ${stderr}`);
      assert.match(stderr, prefix, what);
      assert.match(stderr, named, what);
      assert.doesNotMatch(stdout, /ready|started/, what);
    }
    assert.equal(proxy.counts.forwarded, forwarded, 'a process connected');
  });
});
