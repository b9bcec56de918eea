// Decision latency and throughput: Countersign's decision through the REST
// API and through the request page's approve server action, against a raw
// `client.activity.complete(taskToken)` on identical pending orders, in the
// same run.
import { randomBytes } from 'node:crypto';
import type { ApprovalResult } from '../../lib/contract/approval';
import { createUser } from '../../lib/auth/users';
import { createApiKey } from '../../lib/api/keys';
import { IDLE } from '../../lib/web/action-state';
import type { BenchContext, Measure, Row } from './measures';
import { createPendingOrders, waitUntilRecorded, type PendingOrder } from './orders';
import { actionBody, serverActionId, signIn } from './session';
import { latencyOf, msSince, type Latency } from './stats';
import { phaseTable, readDecisionClocks } from './phases';
import { CPU_GROUPS, cpuPerDecision, cpuSnapshot } from './cpu';

/** Concurrency levels of the sustained measure (the issue's 8 and 32). */
export const CONCURRENCY = [8, 32] as const;

/** What the raw baseline sends: an approval as the contract reads it, from outside Countersign. */
const RAW_RESULT: ApprovalResult = { approved: true, reviewer: 'bench-raw@example.com', via: 'bench-raw' };

/** Decides one order; throws on anything but a decision taken. `lane` picks the person (one per lane). */
type Decide = (order: PendingOrder, lane: number) => Promise<void>;

type SideName = 'raw' | 'api' | 'action';
interface Side {
  name: SideName;
  /** The table's words for it. */
  path: string;
  /** Its label in the web's metrics (lib/metrics/phases.ts); none for raw. */
  metricsPath?: string;
  decide: Decide;
}

class DecisionRefused extends Error {}

/**
 * One person per lane, each with an API key and a signed-in session:
 * Countersign allows a person only a few decisions in flight at once, and the
 * sustained measure is many reviewers deciding, not one reviewer refused.
 */
interface Lanes {
  keys: string[];
  cookies: string[];
}

async function makeLanes(ctx: BenchContext, count: number): Promise<Lanes> {
  const tag = randomBytes(3).toString('hex');
  const password = randomBytes(18).toString('base64url');
  const admin = { email: `bench-admin-${tag}@example.com`, role: 'ADMIN' as const };
  await createUser(ctx.db, { ...admin, password });
  const lanes: Lanes = { keys: [], cookies: [] };
  for (let i = 0; i < count; i++) {
    const email = `bench-reviewer-${i}-${tag}@example.com`;
    await createUser(ctx.db, { email, password, role: 'REVIEWER' });
    const created = await createApiKey(ctx.db, admin, { name: `bench lane ${i}`, userEmail: email, scopes: ['decide'] });
    lanes.keys.push(created.key);
    lanes.cookies.push(await signIn(ctx.base, email, password));
  }
  return lanes;
}

function sidesOf(ctx: BenchContext, lanes: Lanes): Side[] {
  const pick = (list: string[], lane: number) => list[lane % list.length] ?? '';
  const actionId = serverActionId(ctx.distDir, 'app/(signed-in)/inbox/actions.ts', 'approveAction');
  return [
    {
      name: 'raw',
      path: 'raw SDK',
      decide: async (order) => {
        await ctx.temporal.activity.complete(order.taskToken, RAW_RESULT);
      },
    },
    {
      name: 'api',
      path: 'REST API',
      metricsPath: 'API',
      decide: async (order, lane) => {
        const res = await fetch(`${ctx.base}/api/v1/requests/${order.requestId}/approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${pick(lanes.keys, lane)}`, 'content-type': 'application/json' },
          body: '{}',
        });
        const body = await res.text();
        if (res.status !== 200) throw new DecisionRefused(`HTTP ${res.status}: ${body.slice(0, 200)}`);
      },
    },
    {
      // The request page's Approve button: POST to the page with the action id, as React's client does; the answer
      // (the action's state and the re-rendered page) is read whole.
      name: 'action',
      path: 'server action',
      metricsPath: 'DASHBOARD',
      decide: async (order, lane) => {
        const res = await fetch(`${ctx.base}/inbox/${order.requestId}`, {
          method: 'POST',
          headers: { 'next-action': actionId, accept: 'text/x-component', cookie: pick(lanes.cookies, lane), origin: ctx.base },
          body: actionBody(IDLE, { id: order.requestId, comment: '' }),
        });
        const body = await res.text();
        if (res.status !== 200) throw new DecisionRefused(`HTTP ${res.status}: ${body.slice(0, 200)}`);
        if (!body.includes('"status":"ok"')) {
          const message = /"status":"error","message":"([^"]*)"/.exec(body)?.[1];
          throw new DecisionRefused(message ?? `no "ok" state in the answer: ${body.slice(0, 200)}`);
        }
      },
    },
  ];
}

/** Errors by message, for the note of a row (a decision that failed is not in the figures). */
class Failures {
  readonly #counts = new Map<string, number>();
  add(error: unknown): void {
    const message = error instanceof Error ? `${error.constructor.name}: ${error.message.split('\n')[0]?.slice(0, 120)}` : String(error);
    this.#counts.set(message, (this.#counts.get(message) ?? 0) + 1);
  }
  get total(): number {
    return [...this.#counts.values()].reduce((a, b) => a + b, 0);
  }
  toString(): string {
    return [...this.#counts].map(([m, n]) => `${n}× ${m}`).join('; ');
  }
}

async function timed(decide: Decide, order: PendingOrder, lane: number, samples: number[], failures: Failures): Promise<void> {
  const start = process.hrtime.bigint();
  try {
    await decide(order, lane);
    samples.push(msSince(start));
  } catch (error) {
    failures.add(error);
  }
}

const failed = (side: string, failures: Failures) => (failures.total ? `${side}: ${failures.total} failed (${failures}).` : undefined);
const joinNotes = (...notes: (string | undefined)[]) => notes.filter(Boolean).join(' ') || undefined;

/** Shared by the two measures: the lanes are made once per run. */
let lanesOnce: Promise<Lanes> | undefined;
const lanesFor = (ctx: BenchContext) => (lanesOnce ??= makeLanes(ctx, Math.max(...CONCURRENCY)));

async function measureLatency(ctx: BenchContext): Promise<Row[]> {
  const warmup = ctx.quick ? 3 : 10;
  const rounds = ctx.samples + warmup;
  const sides = sidesOf(ctx, await lanesFor(ctx));
  ctx.log(`latency: ${warmup} warm-up + ${ctx.samples} timed decisions per path, one at a time`);
  const orders = await createPendingOrders(ctx.db, ctx.temporal, ctx.taskQueue, sides.length * rounds);
  const samples = new Map(sides.map((s) => [s.name, [] as number[]]));
  const failures = new Map(sides.map((s) => [s.name, new Failures()]));
  let clocksBefore = await readDecisionClocks(ctx);
  for (let round = 0; round < rounds; round++) {
    // The web's clocks count the timed rounds only.
    if (round === warmup) clocksBefore = await readDecisionClocks(ctx);
    // The paths take turns going first: the aftermath of one (the workflow
    // recording its outcome) falls on all alike.
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(round + k) % sides.length] as Side;
      const kept = round < warmup ? [] : (samples.get(side.name) ?? []);
      await timed(side.decide, orders[round * sides.length + k] as PendingOrder, 0, kept, failures.get(side.name) ?? new Failures());
    }
  }
  const clocksAfter = await readDecisionClocks(ctx);
  await waitUntilRecorded(ctx.db, orders);
  const figures = new Map(sides.map((s) => [s.name, latencyOf(samples.get(s.name) ?? [])]));
  const raw = figures.get('raw') as Latency;
  ctx.details.push(
    ...phaseTable(
      'Where a decision’s time goes, one at a time',
      clocksBefore,
      clocksAfter,
      sides.flatMap((s) => (s.metricsPath ? [{ label: s.path, path: s.metricsPath, endToEndMs: figures.get(s.name)?.mean ?? NaN }] : [])),
      raw.mean,
    ),
    '',
  );
  ctx.log(
    `latency: ${sides.map((s) => `${s.path} p50 ${figures.get(s.name)?.p50.toFixed(1)} ms, p95 ${figures.get(s.name)?.p95.toFixed(1)} ms`).join('; ')}`,
  );
  return sides
    .filter((s) => s.name !== 'raw')
    .flatMap((side): Row[] => {
      const mine = figures.get(side.name) as Latency;
      const measure = `decision latency, one at a time (${side.path})`;
      return [
        {
          measure,
          figure: 'p50',
          unit: 'ms',
          baseline: raw.p50,
          countersign: mine.p50,
          target: { kind: 'max', ratio: 1.3 },
          note: joinNotes(
            `n = ${raw.n} raw, ${mine.n} ${side.path}.`,
            failed('raw', failures.get('raw') ?? new Failures()),
            failed(side.path, failures.get(side.name) ?? new Failures()),
          ),
        },
        { measure, figure: 'p95', unit: 'ms', baseline: raw.p95, countersign: mine.p95, target: { kind: 'max', ratio: 1.5 } },
      ];
    });
}

interface Sustained {
  perSecond: number;
  latency: Latency;
  seconds: number;
  failures: Failures;
  ranOut: boolean;
}

/**
 * `concurrency` lanes deciding back to back for the duration (or until the pool is used up). The rate counts
 * the decisions finished inside the window, over the window: the ones still in flight when it closes finish
 * (and are recorded) but are not counted, or a slow path would be charged for its last, long tail.
 */
async function sustain(
  decide: Decide,
  pool: PendingOrder[],
  concurrency: number,
  durationMs: number,
): Promise<{ result: Sustained; used: PendingOrder[] }> {
  const samples: number[] = [];
  const failures = new Failures();
  let next = 0;
  let inWindow = 0;
  let lastInWindow = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (msSince(start) < durationMs && next < pool.length) {
        const before = samples.length;
        await timed(decide, pool[next++] as PendingOrder, lane, samples, failures);
        const at = msSince(start);
        if (samples.length > before && at <= durationMs) {
          inWindow++;
          lastInWindow = Math.max(lastInWindow, at);
        }
      }
    }),
  );
  const ranOut = next >= pool.length;
  // A pool used up early: the window ends with its last decision.
  const seconds = (ranOut ? lastInWindow : durationMs) / 1000;
  return {
    result: { perSecond: seconds > 0 ? inWindow / seconds : 0, latency: latencyOf(samples), seconds, failures, ranOut },
    used: pool.slice(0, next),
  };
}

/**
 * Raw's decisions per second, guessed to size its pool (pending orders take a while to create). On 2 cores the raw
 * SDK did 17–55/s at 8 and 27–85/s at 32: at most about 20√concurrency at 8, here with a fifth on top. A pool that
 * runs out first still gives a rate, over the time it lasted.
 */
const rawGuessPerSecond = (concurrency: number) => 24 * Math.sqrt(concurrency);
const POOL_MAX = 5000;

async function measureThroughput(ctx: BenchContext): Promise<Row[]> {
  const sides = sidesOf(ctx, await lanesFor(ctx));
  const rows: Row[] = [];
  const seconds = ctx.durationMs / 1000;
  for (const concurrency of CONCURRENCY) {
    const results = new Map<SideName, Sustained>();
    const cpuRows: string[] = [];
    for (const side of sides) {
      // Enough pending orders for the run: raw's from a guess, the others' from raw's rate (they should not be faster).
      // When a pool runs out first, the rate is over the time it lasted (the note says so).
      const measuredRaw = results.get('raw')?.perSecond;
      const rate = measuredRaw ? measuredRaw * 1.25 : rawGuessPerSecond(concurrency);
      const poolSize = Math.min(POOL_MAX, Math.ceil(rate * seconds) + concurrency);
      ctx.log(`throughput: ${side.path}, ${concurrency} at a time for ${seconds} s (creating ${poolSize} pending orders)`);
      const pool = await createPendingOrders(ctx.db, ctx.temporal, ctx.taskQueue, poolSize);
      const clocksBefore = await readDecisionClocks(ctx);
      const cpuBefore = cpuSnapshot(ctx.pids);
      const { result, used } = await sustain(side.decide, pool, concurrency, ctx.durationMs);
      // Until every outcome is recorded: the worker's share of a decision comes after the answer.
      await waitUntilRecorded(ctx.db, used);
      const cpu = cpuPerDecision(cpuBefore, cpuSnapshot(ctx.pids), result.latency.n);
      cpuRows.push(`| ${side.path} | ${cpu.map((ms) => ms.toFixed(1)).join(' | ')} | ${result.perSecond.toFixed(1)} |`);
      results.set(side.name, result);
      if (side.metricsPath) {
        ctx.details.push(
          ...phaseTable(
            `Where a decision’s time goes, ${concurrency} at a time (${side.path})`,
            clocksBefore,
            await readDecisionClocks(ctx),
            [{ label: side.path, path: side.metricsPath, endToEndMs: result.latency.mean }],
            results.get('raw')?.latency.mean,
          ),
          '',
        );
      }
      ctx.log(
        `throughput: ${side.path} ${result.perSecond.toFixed(1)}/s, p50 ${result.latency.p50.toFixed(0)} ms over ${result.seconds.toFixed(1)} s` +
          (result.failures.total ? `, ${result.failures.total} failed` : ''),
      );
      // The next run starts on a quiet machine: the worker has recorded every outcome of this one (above).
      // Unused orders stay pending: they are decided by nobody and cost the next runs only a larger table.
    }
    ctx.details.push(
      `**CPU per decision, ${concurrency} at a time**: CPU ms per decision taken, by process of the bench's tree (/proc), from the run's start until the worker had recorded every outcome.`,
      '',
      `| path | ${CPU_GROUPS.join(' | ')} | all | decisions/s |`,
      `|---|${CPU_GROUPS.map(() => '---:').join('|')}|---:|---:|`,
      ...cpuRows,
      '',
    );
    const raw = results.get('raw') as Sustained;
    const cut = (path: string, s: Sustained) => (s.ranOut ? `${path}: the pool ran out after ${s.seconds.toFixed(1)} s.` : undefined);
    for (const side of sides.filter((s) => s.name !== 'raw')) {
      const mine = results.get(side.name) as Sustained;
      const measure = `decision throughput, ${concurrency} at a time (${side.path})`;
      rows.push(
        {
          measure,
          figure: 'decisions/s',
          unit: '/s',
          baseline: raw.perSecond,
          countersign: mine.perSecond,
          target: { kind: 'min', ratio: 0.9 },
          note: joinNotes(failed('raw', raw.failures), failed(side.path, mine.failures), cut('raw', raw), cut(side.path, mine)),
        },
        { measure, figure: 'p50', unit: 'ms', baseline: raw.latency.p50, countersign: mine.latency.p50 },
        { measure, figure: 'p95', unit: 'ms', baseline: raw.latency.p95, countersign: mine.latency.p95 },
      );
    }
  }
  return rows;
}

export const decisionMeasures: Measure[] = [
  { name: 'latency', run: measureLatency },
  { name: 'throughput', run: measureThroughput },
];
