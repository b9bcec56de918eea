// The worker's start and memory: bundling the workflow code with webpack at
// start (the baseline, as in development) against the bundle `npm run
// build:worker` prebuilt (WORKFLOW_BUNDLE, production). Each run is a fresh
// worker process on its own task queue: the time from spawn to its ready line,
// and its resident memory a moment later (VmRSS, and the peak VmHWM).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchContext, Measure, Row } from './measures';
import { runQuietly } from './app';
import { latencyOf, msSince } from './stats';

interface Sample {
  readyMs: number;
  rssMb: number;
  peakMb: number;
}

/** One worker process: spawned, awaited until ready, measured, stopped. */
async function sampleWorker(env: NodeJS.ProcessEnv): Promise<Sample> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: path.resolve(__dirname, '..', '..'),
    env: { ...env, TEMPORAL_TASK_QUEUE: `bench-worker-${randomBytes(4).toString('hex')}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker was not ready within 120 s:\n${output.slice(-2000)}`)), 120_000);
      child.stdout.on('data', () => {
        if (output.includes('[worker] ready')) {
          clearTimeout(timer);
          resolve(msSince(started));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the worker exited (${code}) before it was ready:\n${output.slice(-2000)}`));
      });
    });
    // Settled: polling, the reconciler's first sweep and the outbox loop have run.
    await new Promise((r) => setTimeout(r, 3_000));
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { readyMs, rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } finally {
    child.kill('SIGKILL');
  }
}

async function run(ctx: BenchContext): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-bundle-'));
  try {
    const codePath = path.join(dir, 'workflows.js');
    await runQuietly(process.execPath, ['--import', 'tsx', 'scripts/build-worker.ts', codePath], ctx.workerEnv);
    const runs = ctx.quick ? 2 : 5;
    const atStart: Sample[] = [];
    const prebuilt: Sample[] = [];
    // Taking turns, so load from elsewhere falls on both alike.
    for (let i = 0; i < runs; i++) {
      atStart.push(await sampleWorker({ ...ctx.workerEnv, WORKFLOW_BUNDLE: '' }));
      prebuilt.push(await sampleWorker({ ...ctx.workerEnv, WORKFLOW_BUNDLE: codePath }));
      ctx.log(
        `worker start ${i + 1}/${runs}: at start ${Math.round(atStart[i]?.readyMs ?? NaN)} ms, prebuilt ${Math.round(prebuilt[i]?.readyMs ?? NaN)} ms`,
      );
    }
    const median = (xs: number[]) => latencyOf(xs).p50;
    const note = `${runs} fresh worker processes each; baseline: bundled with webpack at start; Countersign: WORKFLOW_BUNDLE (npm run build:worker).`;
    return [
      {
        measure: 'worker start → ready (prebuilt bundle vs bundled at start)',
        figure: 'p50',
        unit: 'ms',
        baseline: median(atStart.map((s) => s.readyMs)),
        countersign: median(prebuilt.map((s) => s.readyMs)),
        note,
      },
      {
        measure: 'worker RSS, idle after start (prebuilt bundle vs bundled at start)',
        figure: 'p50 peak RSS',
        unit: 'MB',
        baseline: median(atStart.map((s) => s.peakMb)),
        countersign: median(prebuilt.map((s) => s.peakMb)),
        note: `Target worker ≤ 250 MB under load (absolute; under the decision load it is still to be measured). Idle RSS now: ${Math.round(median(prebuilt.map((s) => s.rssMb)))} MB prebuilt, ${Math.round(median(atStart.map((s) => s.rssMb)))} MB at start.`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const workerMeasures: Measure[] = [{ name: 'worker-start', run }];
