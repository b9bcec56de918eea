// `npm run dev` as a user runs it: everything comes up on its own ports and
// data dir, Ctrl-C stops all of it, a second run keeps what the first left, and
// the worker comes back after a crash or a change to its code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { freePorts, portAnswers } from '../../scripts/processes';
import { env, ROOT, waitFor } from './helpers';

describe('npm run dev', { timeout: 300_000 }, () => {
  const dataDirs: string[] = [];
  after(() => {
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Ports and a data dir of its own; the runs it starts share them, as a user's runs do. */
  const devSetup = async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-dev-test-'));
    dataDirs.push(dataDir);
    // As root, PostgreSQL runs as the postgres user, who must get through this folder.
    fs.chmodSync(dataDir, 0o755);
    const [pgPort = 0, temporalPort = 0, uiPort = 0, webPort = 0, smtpPort = 0, mailUiPort = 0] = await freePorts(6);
    const devEnv: NodeJS.ProcessEnv = {
      ...process.env,
      COUNTERSIGN_PG_PORT: String(pgPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      PORT: String(webPort),
      MAILDEV_SMTP_PORT: String(smtpPort),
      MAILDEV_WEB_PORT: String(mailUiPort),
      COUNTERSIGN_DATA_DIR: dataDir,
      TEMPORAL_CLI: env.temporalCli,
    };
    // Set, these would make dev use the test services instead of starting its own.
    for (const name of [
      'DATABASE_URL',
      'TEMPORAL_ADDRESS',
      'TEMPORAL_TASK_QUEUE',
      'NEXTAUTH_SECRET',
      'NEXTAUTH_URL',
      'NODE_OPTIONS',
      'SMTP_URL',
    ])
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
    return { pgPort, temporalPort, webPort, smtpPort, mailUiPort, dataDir, startDev };
  };
  type Dev = ReturnType<Awaited<ReturnType<typeof devSetup>>['startDev']>;

  const untilRunning = (dev: Dev) =>
    waitFor(
      'the dev banner',
      async () => {
        if (dev.child.exitCode !== null) throw new Error(`npm run dev exited (${dev.child.exitCode}) before it was up:\n${dev.output()}`);
        return dev.output().includes('Countersign is running');
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
  /** Waits until dev's output, from offset `from` on, holds `lines` in this order; returns that stretch of it. */
  const untilLoggedInOrder = (dev: Dev, what: string, from: number, lines: string[]) =>
    waitFor(
      what,
      async () => {
        if (dev.child.exitCode !== null)
          throw new Error(`npm run dev exited (${dev.child.exitCode}) while waiting for ${what}:\n${dev.output()}`);
        const output = dev.output();
        let at = from;
        for (const line of lines) {
          const found = output.indexOf(line, at);
          if (found < 0) return undefined;
          at = found + line.length;
        }
        return output.slice(from, at);
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    );
  /** The pid of the worker dev started last in `output`. */
  const lastWorkerPid = (output: string) => {
    const pid = Number([...output.matchAll(/\[dev\] worker started \(pid (\d+)\)/g)].at(-1)?.[1]);
    assert.ok(pid > 0, `dev names the worker's pid:\n${output}`);
    return pid;
  };
  const ctrlC = async (dev: Dev) => {
    if (dev.child.pid) process.kill(-dev.child.pid, 'SIGINT');
    assert.equal(await dev.exited, 0, dev.output());
  };
  const assertStoppedAll = async (dev: Dev, ports: number[]) => {
    assert.match(dev.output(), /\[dev\] stopped\n/);
    for (const port of ports) assert.equal(await portAnswers(port), false, `port ${port} is free again`);
  };

  test('brings everything up, stops it all on Ctrl-C, and a second run keeps the pending requests', async () => {
    const { pgPort, temporalPort, webPort, smtpPort, mailUiPort, dataDir, startDev } = await devSetup();
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
      assert.match(first.output(), /created the demo groups \(finance, ops\) and policy large-payments/);
      // The development mailbox: the worker's mail goes to it, and its web UI shows it.
      assert.match(first.output(), new RegExp(`maildev: SMTP on smtp://127\\.0\\.0\\.1:${smtpPort}`));
      await waitFor(
        'maildev’s web UI',
        async () =>
          (await fetch(`http://127.0.0.1:${mailUiPort}/`, { headers: { accept: 'text/html' } }).catch(() => null))?.status === 200,
        {
          timeoutMs: 30_000,
          intervalMs: 250,
        },
      );
      const seeded = await waitFor(
        'the worker to write the seven demo requests',
        async () => {
          const rows = await pendingRows();
          return rows.length === 7 ? rows : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      assert.deepEqual(
        seeded.map((r) => r.workflow_id),
        [
          'demo-agent-3001',
          'demo-payment-2001',
          'order-demo-1001',
          'order-demo-1002',
          'order-demo-1003',
          'order-demo-1004',
          'order-demo-1005',
        ],
      );
      seededIds = seeded.map((r) => r.id);
      // The demo requests' mails reach the development mailbox (its REST API lists what it holds).
      const mails = await waitFor(
        'the demo mails in maildev',
        async () => {
          const listed = (await (await fetch(`http://127.0.0.1:${mailUiPort}/api/email`)).json()) as {
            subject?: string;
            to?: { address: string }[];
          }[];
          // Mail to the other demo people may arrive first: wait for the demo reviewer's.
          return listed.some((mail) => mail.to?.some((to) => to.address === 'reviewer@example.com')) ? listed : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      assert.ok(
        mails.some((mail) => /^Approval requested: /.test(mail.subject ?? '')),
        'the demo requests’ mail has a subject naming what to decide',
      );
      const signin = await fetch(`http://127.0.0.1:${webPort}/signin`);
      assert.equal(signin.status, 200);
      assert.ok(fs.existsSync(path.join(dataDir, 'temporal.db')), 'Temporal keeps its state in the data dir');
    } finally {
      await ctrlC(first);
    }
    await assertStoppedAll(first, [pgPort, temporalPort, webPort, smtpPort, mailUiPort]);

    const second = startDev();
    try {
      await untilRunning(second);
      assert.match(second.output(), /No pending migrations to apply/);
      assert.match(second.output(), /users exist already/);
      assert.match(second.output(), /left alone: (?:[\w-]+, )*order-demo-1001\b/);
      assert.deepEqual(
        (await pendingRows()).map((r) => r.id),
        seededIds,
        'the same requests are still pending: nothing was lost or re-created',
      );
    } finally {
      await ctrlC(second);
    }
  });

  test('restarts the worker after a crash and when its code changes, keeps the rest running, and Ctrl-C ends a restart wait', async () => {
    const { pgPort, temporalPort, webPort, smtpPort, mailUiPort, startDev } = await devSetup();
    const webAnswers = async () => (await fetch(`http://127.0.0.1:${webPort}/signin`)).status === 200;
    const dev = startDev();
    try {
      await untilRunning(dev);
      const firstPid = lastWorkerPid(await untilLoggedInOrder(dev, 'the first worker', 0, ['[dev] worker started', '[worker] ready']));

      // A crash: the worker dies without a word, as on an out-of-memory kill.
      let from = dev.output().length;
      process.kill(firstPid, 'SIGKILL');
      const afterCrash = await untilLoggedInOrder(dev, 'a new worker after the crash', from, [
        '[worker] exited (signal SIGKILL)',
        '[dev] worker exited unexpectedly; restarting it in 1s',
        '[dev] worker started',
        '[worker] ready',
      ]);
      const secondPid = lastWorkerPid(afterCrash);
      assert.notEqual(secondPid, firstPid);
      assert.ok(await webAnswers(), 'the web app kept running');

      // A change: a file appears in worker/ and goes again, so no tracked file is touched.
      from = dev.output().length;
      const probe = `worker/__dev_watch_${randomUUID().slice(0, 8)}.ts`;
      fs.writeFileSync(path.join(ROOT, probe), 'export {};\n');
      fs.rmSync(path.join(ROOT, probe));
      const afterChange = await untilLoggedInOrder(dev, 'a new worker after the code change', from, [
        `[dev] worker code changed (${probe}`,
        '[dev] worker started',
        '[worker] ready',
      ]);
      const thirdPid = lastWorkerPid(afterChange);
      assert.notEqual(thirdPid, secondPid);
      assert.ok(await webAnswers(), 'the web app kept running');
      assert.doesNotMatch(dev.output(), /stopping everything/);

      // Another crash, and Ctrl-C while dev waits to restart the worker: it stays down.
      from = dev.output().length;
      process.kill(thirdPid, 'SIGKILL');
      await untilLoggedInOrder(dev, 'the wait before a restart', from, ['[dev] worker exited unexpectedly; restarting it in 1s']);
      await ctrlC(dev);
      assert.doesNotMatch(dev.output().slice(from), /worker started/);
    } finally {
      if (dev.child.exitCode === null && dev.child.signalCode === null) await ctrlC(dev);
    }
    await assertStoppedAll(dev, [pgPort, temporalPort, webPort, smtpPort, mailUiPort]);
  });
});
