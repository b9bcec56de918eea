// `npm run bench`: Countersign's decision path against the raw Temporal SDK,
// each figure beside its baseline from the same run (issue 12). A script, not
// a test: it prints a table and writes BENCHMARKS.md; nothing in `npm test`
// depends on timing.
//
// It starts its own throwaway PostgreSQL and Temporal dev server (as
// scripts/with-services.ts does), or uses DATABASE_URL and TEMPORAL_ADDRESS
// when both are set; builds the app (`next build` into .next-bench-decisions),
// serves it with `next start`, runs a real worker, then runs the measures in
// scripts/bench/.
//
//   npm run bench [-- --quick] [--only=latency,throughput] [--duration=30s] [--samples=100] [--skip-build] [--cpu-prof]
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { createDb } from '../lib/db';
import { temporalEnv } from '../lib/env';
import { connectTemporalWith } from '../lib/temporal';
import { withoutTemporalSecurity } from '../lib/temporal-connection';
import { buildApp, startApp } from './bench/app';
import { largestProfile, profileLines, summariseProfile } from './bench/cpu-profile';
import { Cleanups } from './bench/cleanups';
import { decisionMeasures } from './bench/decisions';
import { inboxMeasures } from './bench/inbox';
import { intakeMeasures } from './bench/intake';
import { liveUpdateMeasures } from './bench/live';
import { memoryMeasures } from './bench/memory';
import { reconcilerMeasures } from './bench/reconciler';
import { workerMeasures } from './bench/worker-start';
import { describeMachine, machineLines } from './bench/machine';
import type { BenchContext, Measure, Row } from './bench/measures';
import { tableLines, writeBenchmarks } from './bench/report';
import { startServices } from './bench/services';
import { freePorts } from './processes';

/** The bench's own build (BENCH_DIST_DIR: another, e.g. to build a change while a bench runs on the last one). */
const DIST_DIR = process.env.BENCH_DIST_DIR || '.next-bench-decisions';
const MEASURES: Measure[] = [
  ...decisionMeasures,
  ...intakeMeasures,
  ...liveUpdateMeasures,
  ...inboxMeasures,
  ...reconcilerMeasures,
  ...workerMeasures,
  // Last: the peak RSS of the processes after every load above.
  ...memoryMeasures,
];

const USAGE = `Usage: npm run bench -- [--quick] [--only=${MEASURES.map((m) => m.name).join(',')}]
                      [--duration=30s] [--samples=100] [--skip-build] [--cpu-prof]`;

const log = (line: string) => console.log(`[bench] ${line}`);

class UsageError extends Error {}

interface Options {
  quick: boolean;
  only: Measure[];
  durationMs: number;
  samples: number;
  skipBuild: boolean;
  /** The web server runs under `node --cpu-prof`; its profile is summarised under the table. */
  cpuProf: boolean;
}

function readOptions(argv: string[]): Options | undefined {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        duration: { type: 'string' },
        samples: { type: 'string' },
        'skip-build': { type: 'boolean', default: false },
        'cpu-prof': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return undefined;
  const names = values.only?.split(',').map((n) => n.trim()) ?? [];
  const unknown = names.filter((n) => !MEASURES.some((m) => m.name === n));
  if (unknown.length) throw new UsageError(`--only: no measure named ${unknown.join(', ')}`);
  const duration = values.duration ?? (values.quick ? '5s' : '30s');
  const seconds = /^(\d+(?:\.\d+)?)s?$/.exec(duration.trim())?.[1];
  if (!seconds || Number(seconds) <= 0) throw new UsageError(`--duration: "${duration}" is not a number of seconds such as 30s`);
  const samples = Number(values.samples ?? (values.quick ? 20 : 100));
  if (!Number.isInteger(samples) || samples < 1) throw new UsageError(`--samples: "${values.samples}" is not a whole number above 0`);
  return {
    quick: values.quick ?? false,
    only: names.length ? MEASURES.filter((m) => names.includes(m.name)) : MEASURES,
    durationMs: Number(seconds) * 1000,
    samples,
    skipBuild: values['skip-build'] ?? false,
    cpuProf: values['cpu-prof'] ?? false,
  };
}

function methodLines(options: Options): string[] {
  return [
    'Each decision decides one pending `orderWorkflow` order, started as the product starts it (`startOrderApproval`) and',
    'pending in the database with its task token stored by the worker. Countersign runs as in production: `next build` +',
    '`next start`, and a real worker process. Three paths decide identical orders in the same run:',
    '',
    '- **raw SDK** (the baseline): `client.activity.complete(taskToken, result)` from a plain client in the benchmark process,',
    '  the token read from the database server-side (it never leaves the process);',
    '- **REST API**: `POST /api/v1/requests/:id/approve` with an API key;',
    "- **server action**: the request page's Approve, replayed over HTTP as React's client sends it (`Next-Action` header",
    "  with the action id from the build's server-reference manifest, the session cookie of a credentials sign-in, the",
    "  form encoded by `encodeReply`'s rules); the whole answer (state and re-rendered page) is read. It sends no",
    '  `Next-Router-State-Tree`, so the server may render more of the page than a browser would ask for.',
    '',
    'One at a time, the paths take turns going first. The sustained measure runs each path for',
    `${options.durationMs / 1000} s at 8 and at 32 concurrent, each lane its own reviewer with its own API key and session (Countersign`,
    'allows a person 4 decisions in flight), `API_RATE_LIMIT` raised so the limiter counts but never refuses. Pools of',
    'pending orders are created before each run; when one runs out first, the rate is over the time it lasted (the note',
    'says so). Between runs the worker finishes recording every outcome. Failed decisions are not in the figures; the notes count them.',
  ];
}

async function main(): Promise<number> {
  let options: Options | undefined;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const machine = describeMachine();
  const cleanups = new Cleanups(log);
  // Servers run in their own process groups: a Ctrl-C reaches only us, and we stop them.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanups.runAll().then(() => process.exit(130)));
  try {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-'));
    fs.chmodSync(tmp, 0o755); // as root, the postgres user must get through it
    cleanups.push('temp dir', () => fs.rmSync(tmp, { recursive: true, force: true }));
    const [pgPort = 0, temporalPort = 0, webPort = 0] = await freePorts(3);
    const services = await startServices(tmp, { postgres: pgPort, temporal: temporalPort }, cleanups, log);

    const taskQueue = `countersign-bench-${randomBytes(4).toString('hex')}`;
    const base = `http://127.0.0.1:${webPort}`;
    const external = Boolean(process.env.DATABASE_URL && process.env.TEMPORAL_ADDRESS);
    const env: NodeJS.ProcessEnv = {
      // Our own dev server is plain: a shell's Temporal Cloud settings must not reach it.
      ...(external ? process.env : withoutTemporalSecurity(process.env)),
      NODE_ENV: 'production',
      NEXT_DIST_DIR: DIST_DIR,
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: services.databaseUrl,
      TEMPORAL_ADDRESS: services.temporalAddress,
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE || 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      NEXTAUTH_URL: base,
      NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
      APPROVAL_WINDOW: '1h',
      WORKER_LOG_LEVEL: 'WARN',
      // Counted, never refusing: the measure is decisions, not the limiter's refusals.
      API_RATE_LIMIT: '1000000',
      METRICS_TOKEN: randomBytes(24).toString('base64url'),
    };
    await buildApp(env, options.skipBuild, log);
    const profileDir = options.cpuProf ? path.join(tmp, 'cpu-profile') : undefined;
    const app = await startApp(env, webPort, cleanups, log, profileDir);

    // This process's own client and database: the raw baseline, and the orders' set-up.
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    const temporal: Client = await connectTemporalWith(temporalEnv());
    cleanups.push('temporal client', () => temporal.connection.close());
    const db = createDb(services.databaseUrl);
    cleanups.push('database', () => db.$disconnect());
    const [pg] = await db.$queryRaw<{ server_version: string }[]>`SHOW server_version`;

    const ctx: BenchContext = {
      db,
      temporal,
      taskQueue,
      base: app.base,
      distDir: DIST_DIR,
      quick: options.quick,
      durationMs: options.durationMs,
      samples: options.samples,
      log,
      workerEnv: env,
      pids: { web: app.web.pid ?? 0, worker: app.worker.pid ?? 0 },
      metricsToken: env.METRICS_TOKEN ?? '',
      details: [],
    };
    const rows: Row[] = [];
    for (const measure of options.only) {
      if (measure.run) rows.push(...(await measure.run(ctx)));
      else rows.push(...(measure.todo ?? []));
    }

    if (profileDir) {
      await app.stopWeb();
      const file = largestProfile(profileDir);
      if (!file) log('--cpu-prof: the web server wrote no profile');
      else {
        // Kept for Chrome DevTools or speedscope: the run's temp dir is removed.
        const kept = path.join(os.tmpdir(), `countersign-web-${Date.now()}.cpuprofile`);
        fs.copyFileSync(file, kept);
        log(`the web's CPU profile: ${kept}`);
        ctx.details.push(...profileLines('The web process’s CPU profile, over the whole run (`--cpu-prof`)', summariseProfile(file)), '');
      }
    }

    const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
    const lines = machineLines(machine, `${services.description}; PostgreSQL ${pg?.server_version ?? '?'}`, os.loadavg());
    console.log('');
    for (const line of lines) console.log(line);
    console.log('');
    for (const line of tableLines(rows)) console.log(line);
    for (const line of ctx.details) console.log(line);
    const file = writeBenchmarks({
      command,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: lines,
      method: methodLines(options),
      rows,
      details: ctx.details,
    });
    console.log('');
    log(`written to ${path.relative(process.cwd(), file)}`);
    return 0;
  } finally {
    await cleanups.runAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[bench] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
