// Real processes for tests that kill them: the worker (worker/main.ts, as
// `npm run worker` runs it) or any other script, spawned under tsx, awaited
// until ready, SIGKILLed; their output kept for the failure message.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';

const ROOT = path.resolve(__dirname, '..', '..');

export interface NodeProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): { stdout: string; stderr: string };
}

/** Runs `script` (a path from the repository's root) under tsx, with `env` over the test's own environment. */
export function spawnScript(script: string, args: string[], env: Record<string, string>): NodeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Starts a worker process; `untilReady` waits for it to poll. */
export const spawnWorker = (env: Record<string, string>): NodeProcess => spawnScript('worker/main.ts', [], env);

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the worker printed its ready line (it polls its task queue and runs the outbox loop). */
export async function untilReady(worker: NodeProcess, ms = 90_000): Promise<void> {
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (worker.output().stdout.includes('[worker] ready')) resolve();
      };
      worker.child.stdout.on('data', check);
      void worker.exited.then(({ code, signal }) =>
        reject(new Error(`the worker exited (${code ?? signal}) before it was ready:\n${worker.output().stderr}`)),
      );
      check();
    }),
    ms,
    'the worker becoming ready',
  );
}

/** SIGKILL: no shutdown hook, no finally, no last write. Resolves once the process is gone. */
export async function killProcess(running: NodeProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  return withTimeout(running.exited, 30_000, 'the killed process exiting');
}
