// The production start (`npm start` = scripts/start.ts, and `next start` on its
// own): it refuses to run without its settings, migrates, and creates no users.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import pg from 'pg';
import { createDb } from '../lib/db';
import { freePorts } from '../scripts/processes';
import { REVIEWER, expect, test } from './support';

const ROOT = path.resolve(__dirname, '..');

/** Runs a command against the e2e build, collecting its output; `exited` settles with its exit code. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', command), args, {
    cwd: ROOT,
    env: { ...env, NEXT_DIST_DIR: '.next-test' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  };
  return { exited, output: () => output, stop };
}

function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

for (const [name, command, args] of [
  ['npm start', 'tsx', ['scripts/start.ts']],
  ['next start', 'next', ['start']],
] as const) {
  test(`${name} without NEXTAUTH_SECRET refuses to start and says why`, async () => {
    const [port = 0] = await freePorts(1);
    const server = run(command, [...args, '-p', String(port)], {
      ...envWithout('NEXTAUTH_SECRET'),
      NODE_ENV: 'production',
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    });
    try {
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('NEXTAUTH_SECRET: is required in production');
    } finally {
      server.stop();
    }
  });
}

test('next start with an http NEXTAUTH_URL on a host other than loopback refuses to start and names it', async () => {
  const [port = 0] = await freePorts(1);
  const server = run('next', ['start', '-p', String(port)], {
    ...process.env,
    NODE_ENV: 'production',
    NEXTAUTH_URL: 'http://countersign.example.com',
  });
  try {
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('NEXTAUTH_URL: must be an https:// URL in production');
  } finally {
    server.stop();
  }
});

test('npm start migrates a fresh database, serves, and creates no known password', async ({ page }) => {
  test.setTimeout(120_000);
  const database = `countersign_prod_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(process.env.DATABASE_URL ?? '');
  url.pathname = `/${database}`;
  const [port = 0] = await freePorts(1);
  const server = run('tsx', ['scripts/start.ts', '-p', String(port), '-H', '127.0.0.1'], {
    ...process.env,
    DATABASE_URL: url.toString(),
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: randomBytes(32).toString('hex'),
  });
  const db = createDb(url.toString());
  try {
    await expect
      .poll(
        async () => {
          const answered = await fetch(`http://127.0.0.1:${port}/signin`).catch(() => undefined);
          return answered?.status;
        },
        { timeout: 90_000, message: `npm start serves on ${port}:\n${server.output()}` },
      )
      .toBe(200);
    expect(server.output()).toMatch(/All migrations have been successfully applied/);
    expect(await db.user.count()).toBe(0);

    await page.goto(`http://127.0.0.1:${port}/signin`);
    await page.getByLabel('Email').fill(REVIEWER.email);
    await page.getByLabel('Password').fill(REVIEWER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toHaveText('That email and password do not match an account.');
  } finally {
    server.stop();
    await server.exited;
    await db.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
});
