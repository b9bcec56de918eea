// More Countersign processes beside the ones playwright.config.ts starts: a
// second `next start` from the same production build and a second worker, each
// in its own process group so that a test can stop it, or SIGKILL it mid-run
// as a crash would.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { killGroup } from '../scripts/processes';
import { expect } from './support';

const ROOT = path.resolve(__dirname, '..');
const STOP_GRACE_MS = 10_000;

export interface Spawned {
  pid: number;
  /** Everything it printed so far, for failure messages. */
  output(): string;
  /** Settles with its exit code (null after a signal). */
  exited: Promise<number | null>;
  /** SIGKILL to the whole group: no shutdown, as when the machine under it dies. */
  kill(): void;
  /** SIGTERM to the group, then SIGKILL if it is still there after a grace period. */
  stop(): Promise<void>;
}

function spawnGroup(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name}`);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    // Keep the tail only: a long run must not hold every line.
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    pid,
    output: () => output,
    exited,
    kill: () => void killGroup(pid, 'SIGKILL'),
    async stop() {
      if (gone || !killGroup(pid, 'SIGTERM')) return;
      const until = Date.now() + STOP_GRACE_MS;
      while (killGroup(pid, 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      killGroup(pid, 'SIGKILL');
    },
  };
}

/** Fails with what the process printed if it exits before `ready` resolves. */
async function untilReady(name: string, child: Spawned, ready: Promise<void>): Promise<void> {
  const died = child.exited.then((code) => {
    throw new Error(`${name} exited (${code}) before it was ready:\n${child.output()}`);
  });
  try {
    await Promise.race([ready, died]);
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** `next start` of the e2e build (NEXT_DIST_DIR in `env`) on 127.0.0.1:`port`; resolves once it serves the sign-in page. */
export async function startWebServer(env: NodeJS.ProcessEnv, port: number): Promise<Spawned> {
  const web = spawnGroup('web', path.join(ROOT, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)], env);
  const serving = expect
    .poll(async () => (await fetch(`http://127.0.0.1:${port}/signin`).catch(() => undefined))?.status, {
      timeout: 90_000,
      message: `next start serves on ${port}`,
    })
    .toBe(200);
  await untilReady(`next start on ${port}`, web, serving);
  return web;
}

/** The worker (`npm run worker` without npm, so the pid is the worker's own); resolves once it says it is ready. */
export async function startWorker(env: NodeJS.ProcessEnv): Promise<Spawned & { identity: string }> {
  const worker = spawnGroup('worker', process.execPath, ['--import', 'tsx', 'worker/main.ts'], env);
  const ready = expect
    .poll(() => /\[worker\] ready/.test(worker.output()), { timeout: 120_000, message: 'the worker says it is ready' })
    .toBe(true);
  await untilReady('the worker', worker, ready);
  // The SDK's default identity: Temporal writes it into the history of every task this worker ran.
  return { ...worker, identity: `${worker.pid}@${os.hostname()}` };
}
