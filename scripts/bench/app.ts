// The product as it runs in production: `next build` + `next start`, and a worker process.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killGroup } from '../processes';
import type { Cleanups } from './cleanups';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs a command to its end; its output is shown only when it fails. */
export function runQuietly(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${output}`))));
  });
}

/**
 * `next build` into `env.NEXT_DIST_DIR`, unless `reuse` and a build is there.
 * next build adds its dist dir's route types to tsconfig.json and next-env.d.ts:
 * a benchmark leaves the checkout as it found it.
 */
export async function buildApp(env: NodeJS.ProcessEnv, reuse: boolean, log: (line: string) => void): Promise<void> {
  const distDir = env.NEXT_DIST_DIR ?? '.next';
  if (reuse && fs.existsSync(path.join(ROOT, distDir, 'BUILD_ID'))) {
    log(`using the existing build in ${distDir} (--skip-build)`);
    return;
  }
  log(`next build → ${distDir} (a few minutes on 2 cores)`);
  const started = Date.now();
  const touched = ['tsconfig.json', 'next-env.d.ts'].map((name) => path.join(ROOT, name)).filter((file) => fs.existsSync(file));
  const before = touched.map((file) => fs.readFileSync(file));
  try {
    await runQuietly(path.join(ROOT, 'node_modules', '.bin', 'prisma'), ['generate'], env);
    await runQuietly(path.join(ROOT, 'node_modules', '.bin', 'next'), ['build'], env);
  } finally {
    touched.forEach((file, i) => fs.writeFileSync(file, before[i] ?? ''));
  }
  log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** A child in its own process group, stopped (SIGTERM, then SIGKILL) by the cleanups. */
function spawnService(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, cleanups: Cleanups): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(name, () => stopChild(child));
  return child;
}

/** SIGTERM to the child's group, SIGKILL after 10 s; done at once when it has exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  killGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Keeps the last lines a child wrote, to explain why it stopped. */
function tail(child: ChildProcess): () => string {
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

export interface RunningApp {
  base: string;
  web: ChildProcess;
  worker: ChildProcess;
  /** Stops the web server now (as the cleanups would): its CPU profile, when asked for, is written as it exits. */
  stopWeb(): Promise<void>;
}

/** `next start` on `port` and `npm run worker`'s process, both ready. `cpuProfileDir`: the web runs under `node --cpu-prof`. */
export async function startApp(
  env: NodeJS.ProcessEnv,
  port: number,
  cleanups: Cleanups,
  log: (line: string) => void,
  cpuProfileDir?: string,
): Promise<RunningApp> {
  const base = `http://127.0.0.1:${port}`;
  // As production runs it: workflows from a bundle `npm run build:worker` wrote
  // (WORKFLOW_BUNDLE), not webpack in the worker at start, whose peak stays in
  // the worker's VmHWM. Set in `env`, which the measures read as the worker's.
  if (!env.WORKFLOW_BUNDLE) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-bundle-'));
    cleanups.push('workflow bundle', () => fs.rmSync(dir, { recursive: true, force: true }));
    env.WORKFLOW_BUNDLE = path.join(dir, 'workflows.js');
    await runQuietly(process.execPath, ['--import', 'tsx', 'scripts/build-worker.ts', env.WORKFLOW_BUNDLE], env);
    log(`workflow bundle built (npm run build:worker) → ${env.WORKFLOW_BUNDLE}`);
  }
  const worker = spawnService('worker', process.execPath, ['--import', 'tsx', 'worker/main.ts'], env, cleanups);
  const workerOutput = tail(worker);
  const next = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
  const start = ['start', '-H', '127.0.0.1', '-p', String(port)];
  // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line.
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const web = spawnService('web', process.execPath, [...profile, next, ...start], env, cleanups);
  const webOutput = tail(web);
  await Promise.all([
    waitFor('the worker', 120_000, worker, workerOutput, async () => workerOutput().includes('[worker] ready')),
    waitFor('next start', 60_000, web, webOutput, async () => {
      try {
        const res = await fetch(`${base}/signin`, { redirect: 'manual' });
        await res.arrayBuffer();
        return res.status === 200;
      } catch {
        return false; // not listening yet
      }
    }),
  ]);
  log(`web on ${base} (next start, pid ${web.pid}), worker pid ${worker.pid}`);
  return { base, web, worker, stopWeb: () => stopChild(web) };
}

async function waitFor(
  what: string,
  timeoutMs: number,
  child: ChildProcess,
  output: () => string,
  ready: () => Promise<boolean>,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${output()}`);
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${output()}`);
}
