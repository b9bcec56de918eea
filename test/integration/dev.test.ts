// `npm run dev` as a user runs it: everything comes up on its own ports and
// data dir, Ctrl-C stops all of it, and a second run keeps what the first left.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { freePorts, portAnswers } from '../../scripts/processes';
import { env, ROOT, waitFor } from './helpers';

describe('npm run dev', { timeout: 300_000 }, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-dev-test-'));
  // As root, PostgreSQL runs as the postgres user, who must get through this folder.
  fs.chmodSync(dataDir, 0o755);
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('brings everything up, stops it all on Ctrl-C, and a second run keeps the pending requests', async () => {
    const [pgPort = 0, temporalPort = 0, uiPort = 0, webPort = 0] = await freePorts(4);
    const devEnv: NodeJS.ProcessEnv = {
      ...process.env,
      COUNTERSIGN_PG_PORT: String(pgPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      PORT: String(webPort),
      COUNTERSIGN_DATA_DIR: dataDir,
      TEMPORAL_CLI: env.temporalCli,
    };
    // Set, these would make dev use the test services instead of starting its own.
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'NEXTAUTH_SECRET', 'NEXTAUTH_URL', 'NODE_OPTIONS'])
      delete devEnv[name];

    const startDev = () => {
      // Its own process group, so a Ctrl-C can go to the whole group as a terminal sends it.
      const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/dev.ts'], {
        cwd: ROOT,
        env: devEnv,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = once(child, 'exit').then(([code]) => code as number | null);
      return { child, exited, output: () => output };
    };
    const untilRunning = (dev: ReturnType<typeof startDev>) =>
      waitFor(
        'the dev banner',
        async () => {
          if (dev.child.exitCode !== null) throw new Error(`npm run dev exited (${dev.child.exitCode}) before it was up:\n${dev.output()}`);
          return dev.output().includes('Countersign is running');
        },
        { timeoutMs: 180_000, intervalMs: 250 },
      );
    const ctrlC = async (dev: ReturnType<typeof startDev>) => {
      if (dev.child.pid) process.kill(-dev.child.pid, 'SIGINT');
      assert.equal(await dev.exited, 0, dev.output());
    };
    const pendingRows = async () => {
      const client = new pg.Client({ connectionString: `postgresql://countersign:countersign@127.0.0.1:${pgPort}/countersign` });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: string; workflow_id: string }>(
          `SELECT id, workflow_id FROM approval_requests WHERE status = 'PENDING' ORDER BY workflow_id`,
        );
        return rows;
      } finally {
        await client.end();
      }
    };

    let seededIds: string[] = [];
    const first = startDev();
    try {
      await untilRunning(first);
      assert.match(first.output(), /All migrations have been successfully applied/);
      assert.match(first.output(), /created the demo users/);
      const seeded = await waitFor(
        'the worker to write the five demo requests',
        async () => {
          const rows = await pendingRows();
          return rows.length === 5 ? rows : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      assert.deepEqual(
        seeded.map((r) => r.workflow_id),
        ['order-demo-1001', 'order-demo-1002', 'order-demo-1003', 'order-demo-1004', 'order-demo-1005'],
      );
      seededIds = seeded.map((r) => r.id);
      const signin = await fetch(`http://127.0.0.1:${webPort}/signin`);
      assert.equal(signin.status, 200);
      assert.ok(fs.existsSync(path.join(dataDir, 'temporal.db')), 'Temporal keeps its state in the data dir');
    } finally {
      await ctrlC(first);
    }
    assert.match(first.output(), /\[dev\] stopped/);
    for (const port of [pgPort, temporalPort, webPort]) assert.equal(await portAnswers(port), false, `port ${port} is free again`);

    const second = startDev();
    try {
      await untilRunning(second);
      assert.match(second.output(), /No pending migrations to apply/);
      assert.match(second.output(), /users exist already/);
      assert.match(second.output(), /left alone: order-demo-1001/);
      assert.deepEqual(
        (await pendingRows()).map((r) => r.id),
        seededIds,
        'the same requests are still pending: nothing was lost or re-created',
      );
    } finally {
      await ctrlC(second);
    }
  });
});
