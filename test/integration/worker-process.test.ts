// The worker entry point (worker/main.ts) as a process: it fails loudly
// without a server, stops cleanly on SIGTERM, and runs a prebuilt bundle.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { freePorts } from '../../scripts/processes';
import { spawnWorker, untilReady, withTimeout } from '../support/processes';
import { env, openServices, ROOT, startPendingOrder, uniqueTaskQueue } from './helpers';

const run = promisify(execFile);

/** As `npm run worker` runs it, on the suite's database. */
const startWorker = (extraEnv: Record<string, string>) => spawnWorker({ DATABASE_URL: env.databaseUrl, ...extraEnv });

describe('worker/main.ts', { timeout: 120_000 }, () => {
  test('exits non-zero within 30 s, saying it cannot reach the Temporal server, when nothing listens at TEMPORAL_ADDRESS', async () => {
    const [closed] = await freePorts(1);
    const address = `127.0.0.1:${closed}`;
    const worker = startWorker({ TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: uniqueTaskQueue() });
    try {
      const { code } = await withTimeout(worker.exited, 30_000, 'the worker exiting');
      assert.notEqual(code, 0);
      assert.match(worker.output().stderr, new RegExp(`Cannot reach the Temporal server at ${address.replace(/[.]/g, '\\.')}`));
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`prints its ready line on its own task queue, and exits 0 on ${signal}`, async () => {
      const taskQueue = uniqueTaskQueue();
      const worker = startWorker({ TEMPORAL_ADDRESS: env.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue });
      try {
        await untilReady(worker);
        assert.match(
          worker.output().stdout,
          new RegExp(`\\[worker\\] ready: task queue "${taskQueue}" on ${env.temporalAddress.replace(/[.]/g, '\\.')}`),
        );

        worker.child.kill(signal);
        const { code, signal: killedBy } = await withTimeout(worker.exited, 30_000, 'the worker stopping');
        assert.deepEqual({ code, killedBy }, { code: 0, killedBy: null }, worker.output().stderr);
        assert.match(worker.output().stdout, /\[worker\] stopped/);
      } finally {
        worker.child.kill('SIGKILL');
      }
    });
  }

  test('runs the workflow bundle `npm run build:worker` prebuilt when WORKFLOW_BUNDLE names it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bundle-'));
    const taskQueue = uniqueTaskQueue();
    const services = await openServices();
    let worker: ReturnType<typeof startWorker> | undefined;
    try {
      const codePath = path.join(dir, 'workflows.js');
      const build = await run(process.execPath, ['--import', 'tsx', 'scripts/build-worker.ts', codePath], { cwd: ROOT, timeout: 120_000 });
      assert.match(build.stdout, /workflow bundle written to .*workflows\.js/);
      worker = startWorker({ TEMPORAL_ADDRESS: env.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE: codePath });
      await untilReady(worker);
      assert.match(worker.output().stdout, new RegExp(`prebuilt workflows ${codePath.replace(/[.]/g, '\\.')}`));
      // No webpack at start: the SDK's bundler never ran.
      assert.doesNotMatch(worker.output().stdout + worker.output().stderr, /Workflow bundle created|webpack/);
      const { handle, pending: row } = await startPendingOrder(services, taskQueue);
      await services.client.activity.complete(row.taskToken, { approved: true, reviewer: 'ops' });
      assert.equal((await handle.result()).status, 'FULFILLED');
    } finally {
      worker?.child.kill('SIGKILL');
      await services.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('WORKER_MAX_CACHED_WORKFLOWS bounds the workflows kept in memory; one evicted still completes', async () => {
    const taskQueue = uniqueTaskQueue();
    const [port] = await freePorts(1);
    const metricsAddress = `127.0.0.1:${port}`;
    const services = await openServices();
    const worker = startWorker({
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_MAX_CACHED_WORKFLOWS: '2',
      WORKER_METRICS_ADDRESS: metricsAddress,
    });
    /** The SDK's own gauge of the workflows in its cache. */
    const cached = async () => {
      const body = await (await fetch(`http://${metricsAddress}/metrics`)).text();
      const match = /^temporal_sticky_cache_size\{[^}]*\} (\d+)/m.exec(body);
      return match ? Number(match[1]) : undefined;
    };
    try {
      await untilReady(worker);
      const orders = [];
      for (let i = 0; i < 5; i++) orders.push(await startPendingOrder(services, taskQueue));
      const size = await cached();
      assert.ok(size !== undefined, 'the SDK reports its cache size');
      assert.ok(size >= 1 && size <= 2, `at most 2 workflows cached, not ${size}`);
      // The first started left the cache long ago: completing it replays it from its history.
      const [first] = orders;
      assert.ok(first);
      await services.client.activity.complete(first.pending.taskToken, { approved: true, reviewer: 'ops' });
      assert.equal((await first.handle.result()).status, 'FULFILLED');
      assert.ok(((await cached()) ?? 0) <= 2);
    } finally {
      worker.child.kill('SIGKILL');
      await services.close();
    }
  });

  test('a WORKFLOW_BUNDLE that names no file stops the worker, naming the setting', async () => {
    const missing = path.join(os.tmpdir(), `countersign-no-bundle-${uniqueTaskQueue()}.js`);
    const worker = startWorker({ TEMPORAL_ADDRESS: env.temporalAddress, TEMPORAL_TASK_QUEUE: uniqueTaskQueue(), WORKFLOW_BUNDLE: missing });
    try {
      const { code } = await withTimeout(worker.exited, 30_000, 'the worker exiting');
      assert.notEqual(code, 0);
      assert.match(worker.output().stderr, /WORKFLOW_BUNDLE: there is no file at .*npm run build:worker/);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  test('never writes a task token to its logs, even at DEBUG', async () => {
    const taskQueue = uniqueTaskQueue();
    const worker = startWorker({ TEMPORAL_ADDRESS: env.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, WORKER_LOG_LEVEL: 'DEBUG' });
    const services = await openServices();
    try {
      await untilReady(worker);
      const { handle, pending: row } = await startPendingOrder(services, taskQueue);
      await services.client.activity.complete(row.taskToken, { approved: true, reviewer: 'ops' });
      assert.equal((await handle.result()).status, 'FULFILLED');
      worker.child.kill('SIGTERM');
      await withTimeout(worker.exited, 30_000, 'the worker stopping');

      const { stdout, stderr } = worker.output();
      const logs = stdout + stderr;
      assert.match(logs, /Approval requested/, 'the activity logged its request');
      assert.match(logs, /\[redacted\]/, 'the SDK attached a token, which was redacted');
      const token = Buffer.from(row.taskToken);
      for (const form of [token.toString('base64'), token.toString('base64url'), token.toString('hex')]) {
        assert.ok(!logs.includes(form), 'a task token reached the worker logs');
      }
    } finally {
      worker.child.kill('SIGKILL');
      await services.close();
    }
  });
});
