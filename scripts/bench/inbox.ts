// Inbox render at 1k, 100k and 1,000,000 pending: GET /inbox, signed in, for a
// few views (./inbox-data.ts, the same as `npm run bench:inbox`), p50/p95 at
// each size; the baseline is the same view at 1k pending rows.
//
// The rows are fake (no workflow behind them), so they live in a database of
// their own on the bench's PostgreSQL, served by a `next start` of their own
// (the same build) with no worker: the bench's reconciler never sees them, and
// the later measures find their database as the earlier ones left it. The
// database is dropped at the end.
//
// Sizes: 1k, 100k, 1M (--quick: 1k, 10k, 100k); BENCH_INBOX_SIZES=1000,100000 overrides.
// BENCH_INBOX_EXPLAIN=1 prints EXPLAIN ANALYZE of each statement the page runs, at the largest size.
// BENCH_INBOX_DIST_DIR serves another build (say one of your own while someone else's run uses the bench's).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Prisma } from '@prisma/client';
import { createUser } from '../../lib/auth/users';
import { listInbox } from '../../lib/approvals/reads/inbox/list';
import { parseInboxQuery } from '../../lib/approvals/reads/inbox/params';
import { inboxStatements } from '../../lib/approvals/reads/inbox/sql';
import { totalText } from '../../lib/approvals/reads/inbox/query';
import type { Actor } from '../../lib/approvals/policy/eligibility';
import { createDb, type Db } from '../../lib/db';
import { freePorts, killGroup, migrateDatabase } from '../processes';
import { explainLines, growInboxTable, inboxGetter, inboxViews, type InboxView } from './inbox-data';
import type { BenchContext, Measure, Row } from './measures';
import { signIn } from './session';
import { elapsed, latencyOf, type Latency } from './stats';

const ROOT = path.resolve(__dirname, '..', '..');
/** The absolute target at the largest size. */
const TARGET_P95_MS = 150;
const TARGET_RATIO = 2;
/** Views timed at each size: the default, a sort, a filter, free text (narrow and broad), a deep page, every status. */
const VIEW_KEYS = ['default', 'amount', 'customer', 'one', 'broad', 'deep', 'all'];

function sizesOf(ctx: BenchContext): number[] {
  const given = process.env.BENCH_INBOX_SIZES?.trim();
  if (given) {
    const sizes = given.split(',').map(Number);
    if (sizes.some((n) => !Number.isInteger(n) || n < 100))
      throw new Error(`BENCH_INBOX_SIZES: "${given}" is not sizes such as 1000,100000`);
    return sizes;
  }
  return ctx.quick ? [1_000, 10_000, 100_000] : [1_000, 100_000, 1_000_000];
}

const sizeText = (n: number) =>
  n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
const ms = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

/** `next start` of the bench's build against the inbox's own database, with no worker; stopped by the returned function. */
async function startWeb(ctx: BenchContext, databaseUrl: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const [port = 0] = await freePorts(1);
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...ctx.workerEnv,
    DATABASE_URL: databaseUrl,
    NEXTAUTH_URL: base,
    NEXT_DIST_DIR: process.env.BENCH_INBOX_DIST_DIR || ctx.distDir,
  };
  const web: ChildProcess = spawn(path.join(ROOT, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  web.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  // Interrupted (Ctrl-C reaches the bench only: the server runs in its own process group), it goes too.
  const onExit = () => web.pid !== undefined && killGroup(web.pid, 'SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (web.exitCode !== null || web.signalCode !== null || web.pid === undefined) return;
    const exited = new Promise((r) => web.once('exit', r));
    killGroup(web.pid, 'SIGTERM');
    const timer = setTimeout(() => web.pid !== undefined && killGroup(web.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const until = Date.now() + 60_000;
  for (;;) {
    if (web.exitCode !== null) throw new Error(`next start (inbox) exited (${web.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${base}/signin`, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`next start (inbox) did not answer within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, stop };
}

interface Result {
  size: number;
  view: InboxView & { key: string };
  http: Latency;
  /** listInbox alone in this process: the database's share of a render. */
  db: Latency;
  total: string;
}

/** Times every view at one size, in interleaved rounds (A B C … A B C …): a burst of load elsewhere lands on all alike. */
async function timeViews(ctx: BenchContext, db: Db, actor: Actor, http: { base: string; cookie: string }, size: number): Promise<Result[]> {
  const views = await inboxViews(db, size, VIEW_KEYS);
  const warmup = Math.max(3, Math.round(ctx.samples / 10));
  const probes = await Promise.all(
    views.map(async (view) => {
      const { query } = parseInboxQuery(new URLSearchParams(view.search));
      const list = () => listInbox(db, query, actor, new Date());
      return {
        view,
        total: totalText(await list()),
        get: inboxGetter(http.base, http.cookie, view),
        list,
        httpMs: [] as number[],
        dbMs: [] as number[],
      };
    }),
  );
  for (let round = 0; round < warmup + ctx.samples; round++) {
    for (const p of probes) {
      const httpMs = await elapsed(p.get);
      const dbMs = await elapsed(async () => void (await p.list()));
      if (round < warmup) continue;
      p.httpMs.push(httpMs);
      p.dbMs.push(dbMs);
    }
  }
  return probes.map((p) => ({ size, view: p.view, http: latencyOf(p.httpMs), db: latencyOf(p.dbMs), total: p.total }));
}

function rowsOf(results: Result[], sizes: number[]): Row[] {
  const first = sizes[0] as number;
  const last = sizes[sizes.length - 1] as number;
  return VIEW_KEYS.flatMap((key) => {
    const at = (size: number) => results.find((r) => r.view.key === key && r.size === size);
    const base = at(first);
    const top = at(last);
    if (!base || !top) return [];
    const absolute = top.http.p95 <= TARGET_P95_MS ? 'met' : `missed by ${ms(top.http.p95 - TARGET_P95_MS)} ms`;
    const each = (f: (r: Result) => number) => sizes.map((s) => ms(at(s) ? f(at(s) as Result) : NaN)).join(' / ');
    return [
      {
        measure: `inbox render ${sizeText(last)} vs ${sizeText(first)} pending: ${top.view.name}`,
        figure: 'p95',
        unit: 'ms',
        baseline: base.http.p95,
        countersign: top.http.p95,
        target: { kind: 'max', ratio: TARGET_RATIO },
        note:
          `p95 ≤ ${TARGET_P95_MS} ms at ${sizeText(last)}: ${absolute}. GET p50 ${each((r) => r.http.p50)}, p95 ${each((r) => r.http.p95)} ms ` +
          `at ${sizes.map(sizeText).join(' / ')}; ${top.total} matching at ${sizeText(last)}`,
      },
    ];
  });
}

interface PlanNode {
  'Node Type': string;
  'Actual Total Time'?: number;
  'Actual Loops'?: number;
  'Actual Rows'?: number;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** Where a statement's time goes: its execution time and the plan node that spent most of it itself (less its children). */
async function profileOf(db: Db, statement: Prisma.Sql): Promise<string> {
  const [out] = await db.$queryRaw<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }[]>(
    Prisma.sql`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement}`,
  );
  const top = out?.['QUERY PLAN'][0];
  if (!top) return 'no plan';
  const spent = (n: PlanNode) => (n['Actual Total Time'] ?? 0) * (n['Actual Loops'] ?? 1);
  let worst: { node: PlanNode; self: number } | undefined;
  const visit = (node: PlanNode) => {
    const self = spent(node) - (node.Plans ?? []).reduce((sum, child) => sum + spent(child), 0);
    if (!worst || self > worst.self) worst = { node, self };
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(top.Plan);
  const node = worst?.node;
  if (!node || !worst) return `${ms(top['Execution Time'])} ms`;
  const on = node['Index Name'] ? ` on ${node['Index Name']}` : node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  const blocks = (node['Shared Hit Blocks'] ?? 0) + (node['Shared Read Blocks'] ?? 0);
  return `${ms(top['Execution Time'])} ms, of which ${node['Node Type']}${on} ${ms(worst.self)} ms (${(node['Actual Rows'] ?? 0).toLocaleString('en-US')} rows, ${blocks.toLocaleString('en-US')} buffers)`;
}

/** For each view over the absolute target at the largest size: where its statements' time goes (EXPLAIN ANALYZE). */
async function profileLines(db: Db, actor: Actor, results: Result[], size: number): Promise<string[]> {
  const slow = results.filter((r) => r.size === size && r.http.p95 > TARGET_P95_MS);
  if (slow.length === 0) return [];
  const lines = [
    `Where the time goes at ${sizeText(size)} in the views over ${TARGET_P95_MS} ms (EXPLAIN ANALYZE of the page's two statements, run once each):`,
    '',
  ];
  for (const r of slow) {
    const { query } = parseInboxQuery(new URLSearchParams(r.view.search));
    const sql = inboxStatements(query, actor, new Date());
    const page = await profileOf(db, sql.page(query.before ?? query.after, query.before !== undefined));
    const count = await profileOf(db, sql.count);
    lines.push(`- ${r.view.name}: page read ${page}; count ${count}.`);
  }
  return [...lines, ''];
}

function detailLines(results: Result[], sizes: number[]): string[] {
  const first = sizes[0] as number;
  const lines = [
    `Inbox render (GET /inbox, signed in, whole page read; listInbox alone beside it: the database's share). ` +
      `Ratios against the same view at ${sizeText(first)} pending rows (plus a quarter as many decided). Times in ms.`,
    '',
    '| pending | view | matching | GET p50 | GET p95 | p95 ratio | listInbox p50 | listInbox p95 |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const base = results.find((b) => b.size === first && b.view.key === r.view.key);
    const ratio = base ? `${(r.http.p95 / base.http.p95).toFixed(2)}×` : '–';
    lines.push(
      `| ${r.size.toLocaleString('en-US')} | ${r.view.name} | ${r.total} | ${ms(r.http.p50)} | ${ms(r.http.p95)} | ${ratio} | ${ms(r.db.p50)} | ${ms(r.db.p95)} |`,
    );
  }
  return [...lines, ''];
}

async function run(ctx: BenchContext): Promise<Row[]> {
  const sizes = sizesOf(ctx);
  const mainUrl = ctx.workerEnv.DATABASE_URL;
  if (!mainUrl) throw new Error('the bench has no DATABASE_URL');
  const name = `countersign_inbox_${randomBytes(4).toString('hex')}`;
  const url = new URL(mainUrl);
  url.pathname = `/${name}`;
  const tag = randomBytes(3).toString('hex');
  const user = { email: `bench-inbox-${tag}@example.com`, password: randomBytes(18).toString('base64url'), role: 'REVIEWER' as const };
  // As "for me" sees the bench user: in no group, nobody delegating (the fake rows are routed to any reviewer).
  const actor: Actor = { email: user.email, role: user.role, active: true, groups: [], delegators: [] };

  try {
    await ctx.db.$executeRawUnsafe(`CREATE DATABASE "${name}"`);
  } catch (error) {
    // An outside DATABASE_URL whose role may not create databases: say so in the table, and let the other measures run.
    const why = error instanceof Error ? (error.message.split('\n').find((line) => line.trim()) ?? error.message) : String(error);
    return [
      {
        measure: 'inbox render: GET /inbox at 1k, 100k, 1,000,000 pending',
        figure: 'p95',
        unit: 'ms',
        target: { kind: 'max', ratio: TARGET_RATIO },
        note: `Not measured: the fake rows need a database of their own (CREATE DATABASE failed: ${why.slice(0, 160)}).`,
      },
    ];
  }
  const undo: (() => Promise<void>)[] = [
    () => ctx.db.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  ];
  try {
    await migrateDatabase({ ...process.env, DATABASE_URL: url.toString() }, () => undefined);
    // No statement timeout: an insert chunk or an EXPLAIN outlasts the app's.
    const db = createDb(url.toString(), { statementTimeoutMs: 0, size: 4 });
    undo.push(() => db.$disconnect());
    await createUser(db, user);
    const web = await startWeb(ctx, url.toString());
    undo.push(web.stop);
    const http = { base: web.base, cookie: await signIn(web.base, user.email, user.password) };
    ctx.log(
      `inbox: database ${name}, next start on ${web.base} (${process.env.BENCH_INBOX_DIST_DIR || ctx.distDir}, no worker), sizes ${sizes.map(sizeText).join(', ')}`,
    );

    const results: Result[] = [];
    let have = 0;
    for (const size of sizes) {
      const took = await growInboxTable(db, { size, have, claimer: user.email });
      have = size;
      ctx.log(
        `inbox: ${size.toLocaleString('en-US')} pending + ${Math.floor(size / 4).toLocaleString('en-US')} decided rows in ${Math.round(took / 1000)} s`,
      );
      for (const r of await timeViews(ctx, db, actor, http, size)) {
        results.push(r);
        ctx.log(
          `inbox: ${sizeText(size)} ${r.view.name} (${r.total} matching): GET p50 ${ms(r.http.p50)} ms, p95 ${ms(r.http.p95)} ms; listInbox p50 ${ms(r.db.p50)} ms, p95 ${ms(r.db.p95)} ms`,
        );
      }
    }
    ctx.details.push(...detailLines(results, sizes), ...(await profileLines(db, actor, results, have)));
    if (process.env.BENCH_INBOX_EXPLAIN) {
      // Every statement the page runs for each view, at the largest size.
      for (const view of await inboxViews(db, have, VIEW_KEYS)) {
        const { query } = parseInboxQuery(new URLSearchParams(view.search));
        const sql = inboxStatements(query, actor, new Date());
        for (const [what, statement] of [
          ['page', sql.page(query.before ?? query.after, query.before !== undefined)],
          ['count', sql.count],
        ] as const)
          console.log(`\n--- ${view.name}: ${what}\n${(await explainLines(db, statement)).join('\n')}`);
      }
    }
    return rowsOf(results, sizes);
  } finally {
    for (let step = undo.pop(); step; step = undo.pop()) {
      try {
        await step();
      } catch (error) {
        ctx.log(`inbox: could not clean up: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

export const inboxMeasures: Measure[] = [{ name: 'inbox', run }];
