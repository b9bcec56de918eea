// `npm run bench:inbox`: how the inbox's server render scales with the number
// of pending requests. A script, not a test: it prints figures (BENCHMARKS.md).
//
// It starts its own throwaway PostgreSQL, migrates it, builds the app into
// .next-bench and serves it with `next start`, signs in once (credentials),
// then for each size (1k, 10k, 100k pending rows, plus decided ones) times
// `GET /inbox?…` for a few views: warm-up, then sequential requests in rounds
// over the views, whole response body read. It also times listInbox alone
// (the page's query, same database), so the database's share is visible.
//
//   npm run bench:inbox [-- --sizes 1000,10000,100000 --requests 100 --warmup 10 --skip-build | --db-only] [--explain]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEV_DB } from '../lib/database-url';
import { createDb, type Db } from '../lib/db';
import { createUser } from '../lib/auth/users';
import { listInbox } from '../lib/approvals/reads/inbox/list';
import { totalText } from '../lib/approvals/reads/inbox/query';
import { parseInboxQuery } from '../lib/approvals/reads/inbox/params';
import { inboxStatements } from '../lib/approvals/reads/inbox/sql';
import type { Actor } from '../lib/approvals/policy/eligibility';
import { startPostgres, type RunningPostgres } from './postgres';
import { freePorts, killGroup, migrateDatabase } from './processes';
import { explainLines, growInboxTable, inboxGetter, inboxViews, type InboxView } from './bench/inbox-data';
import { signIn } from './bench/session';

const ROOT = path.resolve(__dirname, '..');
const DIST_DIR = '.next-bench';
const USER = { email: 'bench@example.com', password: 'countersign-bench-password', role: 'REVIEWER' as const };
/** The bench user as the inbox's "for me" sees them: in no group, nobody delegating (the bench rows are for any reviewer). */
const ACTOR: Actor = { email: USER.email, role: USER.role, active: true, groups: [], delegators: [] };

const log = (line: string) => console.log(`[bench] ${line}`);

function option(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
}
const SIZES = option('sizes', '1000,10000,100000').split(',').map(Number);
const REQUESTS = Number(option('requests', '100'));
const WARMUP = Number(option('warmup', '10'));
const SKIP_BUILD = process.argv.includes('--skip-build');
/** listInbox alone: no build, no server (a quick look at the queries). */
const DB_ONLY = process.argv.includes('--db-only');
/** Also prints EXPLAIN ANALYZE of each view's page read and count, at the largest size. */
const EXPLAIN = process.argv.includes('--explain');

/** Grows the table to `size` pending rows (and size/4 decided ones): ./bench/inbox-data.ts. */
async function growTo(db: Db, size: number, have: number): Promise<void> {
  const ms = await growInboxTable(db, { size, have, claimer: USER.email });
  log(
    `${size.toLocaleString('en-US')} pending + ${Math.floor(size / 4).toLocaleString('en-US')} decided rows (inserted and analysed in ${ms} ms)`,
  );
}

// ---------------------------------------------------------------------------
// The app.

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${output}`))));
  });
}

async function waitForHttp(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`next start exited (${server.exitCode})`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

// ---------------------------------------------------------------------------
// Measuring.

type View = InboxView;

const viewsFor = (db: Db, size: number): Promise<View[]> => inboxViews(db, size);

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

interface Figures {
  p50: number;
  p95: number;
}

function figures(ms: number[]): Figures {
  const sorted = [...ms].sort((x, y) => x - y);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

async function elapsed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const getter = inboxGetter;

/**
 * Times every view at one size. Rounds interleave the views (A B C … A B C …),
 * so a burst of load from elsewhere on the machine lands on all of them alike.
 */
async function measure(db: Db, http: { base: string; cookie: string } | undefined, size: number, views: View[]): Promise<Result[]> {
  const probes = await Promise.all(
    views.map(async (view) => {
      const { query } = parseInboxQuery(new URLSearchParams(view.search));
      const run = () => listInbox(db, query, ACTOR, new Date());
      return {
        view,
        // As the page shows it: counted up to INBOX_COUNT_CAP, "10,000+" past it.
        total: totalText(await run()),
        get: http && getter(http.base, http.cookie, view),
        query: async () => void (await run()),
        httpMs: [] as number[],
        dbMs: [] as number[],
      };
    }),
  );
  for (let round = 0; round < WARMUP + REQUESTS; round++) {
    for (const p of probes) {
      const httpMs = p.get ? await elapsed(p.get) : undefined;
      const dbMs = await elapsed(p.query);
      if (round < WARMUP) continue;
      if (httpMs !== undefined) p.httpMs.push(httpMs);
      p.dbMs.push(dbMs);
    }
  }
  return probes.map((p) => ({
    size,
    view: p.view.name,
    http: p.get ? figures(p.httpMs) : undefined,
    db: { ...figures(p.dbMs), total: p.total },
  }));
}

async function explain(db: Db, view: View): Promise<void> {
  const { query } = parseInboxQuery(new URLSearchParams(view.search));
  const sql = inboxStatements(query, ACTOR, new Date());
  for (const [what, statement] of [
    ['page', sql.page(query.before ?? query.after, query.before !== undefined)],
    ['count', sql.count],
  ] as const) {
    console.log(`\n--- ${view.name}: ${what}\n${(await explainLines(db, statement)).join('\n')}`);
  }
}

interface Result {
  size: number;
  view: string;
  http?: Figures;
  db: Figures & { total: string };
}

/** A Markdown table: p50/p95 per size and view, and each as a ratio of the same view at the first (smallest) size. */
function printTable(results: Result[]): void {
  const baseline = new Map(results.filter((r) => r.size === SIZES[0]).map((r) => [r.view, r]));
  const f = (n: number) => n.toFixed(1);
  const ratio = (n: number | undefined, b: number | undefined) => (n !== undefined && b ? `${(n / b).toFixed(2)}×` : '–');
  const main = (r: Result) => r.http ?? r.db;
  const withHttp = results.some((r) => r.http);
  const what = withHttp ? 'GET /inbox' : 'listInbox';
  // With HTTP figures, listInbox's own are added alongside: the database's share of each render.
  const extra = (r: Result) => (withHttp ? ` ${f(r.db.p50)} | ${f(r.db.p95)} |` : '');
  console.log('');
  const load = os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' / ');
  console.log(
    `Inbox, ${os.cpus().length} cores (load average ${load} at the end), ${new Date().toISOString().slice(0, 10)}; times in ms; ratios against the same view at ${SIZES[0]?.toLocaleString('en-US')} pending rows`,
  );
  console.log('');
  console.log(`| pending rows | view | matching | ${what} p50 | p95 | p50 ratio | p95 ratio |${withHttp ? ' listInbox p50 | p95 |' : ''}`);
  console.log(`|---:|---|---:|---:|---:|---:|---:|${withHttp ? '---:|---:|' : ''}`);
  for (const r of results) {
    const b = baseline.get(r.view);
    const m = main(r);
    const bm = b ? main(b) : undefined;
    console.log(
      `| ${r.size.toLocaleString('en-US')} | ${r.view} | ${r.db.total} | ${f(m.p50)} | ${f(m.p95)} | ${ratio(m.p50, bm?.p50)} | ${ratio(m.p95, bm?.p95)} |${extra(r)}`,
    );
  }
  const last = SIZES[SIZES.length - 1];
  const worst = Math.max(...results.filter((r) => r.size === last).map((r) => main(r).p95));
  console.log('');
  console.log(`Largest ${what} p95 at ${last?.toLocaleString('en-US')} pending rows: ${f(worst)} ms (target ≤ 150 ms).`);
}

// ---------------------------------------------------------------------------

const cleanups: (() => Promise<void> | void)[] = [];

async function startApp(databaseUrl: string, webPort: number): Promise<{ base: string; cookie: string }> {
  const base = `http://127.0.0.1:${webPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: databaseUrl,
    NEXTAUTH_URL: base,
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
  };
  const next = path.join(ROOT, 'node_modules', '.bin', 'next');
  if (SKIP_BUILD && fs.existsSync(path.join(ROOT, DIST_DIR, 'BUILD_ID'))) {
    log(`using the existing build in ${DIST_DIR} (--skip-build)`);
  } else {
    log(`next build → ${DIST_DIR} (a few minutes on 2 cores)`);
    const started = Date.now();
    // next build adds its dist dir's route types to these two files: a benchmark leaves the checkout as it was.
    const touched = ['tsconfig.json', 'next-env.d.ts'].map((name) => path.join(ROOT, name)).filter((file) => fs.existsSync(file));
    const before = touched.map((file) => fs.readFileSync(file));
    try {
      await run(next, ['build'], env);
    } finally {
      touched.forEach((file, i) => fs.writeFileSync(file, before[i] ?? ''));
    }
    log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const server = spawn(next, ['start', '-H', '127.0.0.1', '-p', String(webPort)], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push(async () => {
    if (server.exitCode !== null || server.pid === undefined) return;
    const exited = new Promise((r) => server.once('exit', r));
    killGroup(server.pid, 'SIGTERM');
    await exited;
  });
  await waitForHttp(`${base}/signin`, server, 60_000);
  const cookie = await signIn(base, USER.email, USER.password);
  log(`next start on ${base}, signed in as ${USER.email}; ${WARMUP} warm-up + ${REQUESTS} timed requests per view`);

  return { base, cookie };
}

async function cleanUp(): Promise<void> {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`[bench] cleanup: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function main(): Promise<void> {
  // next start and PostgreSQL run in their own process groups: a Ctrl-C reaches only us, and we stop them.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().then(() => process.exit(130)));
  try {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-'));
    fs.chmodSync(tmp, 0o755); // as root, the postgres user must get through it
    cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const [pgPort = 0, webPort = 0] = await freePorts(2);

    const postgres: RunningPostgres = await startPostgres({
      ...DEV_DB,
      dataDir: path.join(tmp, 'postgres'),
      port: pgPort,
      // The server's own start-up and shutdown chatter is not worth a line.
      log: (line) => {
        if (!line.startsWith('initialising') && !line.includes('terminating connection due to administrator command'))
          log(`postgres: ${line}`);
      },
    });
    cleanups.push(() => postgres.stop());
    if (!postgres.dataDir.startsWith(tmp + path.sep))
      cleanups.splice(cleanups.length - 1, 0, () => fs.rmSync(postgres.dataDir, { recursive: true, force: true }));
    await migrateDatabase({ ...process.env, DATABASE_URL: postgres.url }, () => undefined);
    // No statement timeout: a chunk of the inserts outlasts the app's.
    const db = createDb(postgres.url, { statementTimeoutMs: 0 });
    cleanups.push(() => db.$disconnect());
    await createUser(db, USER);
    log(`postgres ${postgres.url.replace(/:[^:@/]*@/, ':***@')} migrated`);

    let http: { base: string; cookie: string } | undefined;
    if (!DB_ONLY) http = await startApp(postgres.url, webPort);
    const results: Result[] = [];
    let have = 0;
    for (const size of SIZES) {
      await growTo(db, size, have);
      have = size;
      const views = await viewsFor(db, size);
      for (const r of await measure(db, http, size, views)) {
        results.push(r);
        log(
          `${size} ${r.view} (${r.db.total} matching): ${r.http ? `GET p50 ${r.http.p50.toFixed(1)} ms, p95 ${r.http.p95.toFixed(1)} ms; ` : ''}listInbox p50 ${r.db.p50.toFixed(1)} ms, p95 ${r.db.p95.toFixed(1)} ms`,
        );
      }
      if (EXPLAIN && size === SIZES[SIZES.length - 1]) for (const view of views) await explain(db, view);
    }
    printTable(results);
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[bench] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
