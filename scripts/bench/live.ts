// Live update: a decision or a new request committed → its event in every open
// browser stream (GET /api/events, Server-Sent Events), with 10 and with 200
// streams open. Each stream is a signed-in session's, read here as the
// browser's EventSource reads it. The commit's moment is when this process's
// own LISTEN on the trigger's channel hears it: the same NOTIFY the web
// process's one LISTEN connection hears (lib/web/live-events.ts), so the figure
// is what the web server adds (fan-out, SSE, HTTP) on top of PostgreSQL's delivery.
import { randomBytes } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { createApiKey } from '../../lib/api/keys';
import { startOrderApproval } from '../../lib/approvals/commands/start-order';
import { createUser } from '../../lib/auth/users';
import { MAX_STREAMS_PER_USER } from '../../lib/web/stream-limits';
import type { BenchContext, Measure, Row } from './measures';
import { createPendingOrders, inLanes, type PendingOrder } from './orders';
import { signIn } from './session';
import { latencyOf, msSince, type Latency } from './stats';

const STREAM_COUNTS = [10, 200] as const;
/** The trigger's channel on approval_requests (lib/web/live-events.ts keeps its own copy private). */
const CHANNEL = 'approval_changes';
/** An event not in every stream by then is counted missing. */
const EVENT_TIMEOUT_MS = 10_000;
const TARGET_P95_MS = 1_000;

/** One change as the trigger announces it: which request, and what it became. */
const keyOf = (event: { id: string; op: string; status: string }) => `${event.id}:${event.op}:${event.status}`;

function changeKey(json: string): string | null {
  try {
    const event: unknown = JSON.parse(json);
    if (typeof event !== 'object' || event === null) return null;
    const { id, op, status } = event as Record<string, unknown>;
    return typeof id === 'string' && typeof op === 'string' && typeof status === 'string' ? keyOf({ id, op, status }) : null;
  } catch {
    return null;
  }
}

/** When each change was first heard (ms since the measure's start). */
type Heard = Map<string, number>;

interface Stream {
  heard: Heard;
  close: () => void;
}

/** Opens GET /api/events as a signed-in browser does, and reads it in the background. */
async function openStream(base: string, cookie: string, t0: bigint): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal });
  if (res.status !== 200 || !res.body) {
    abort.abort();
    throw new Error(`GET /api/events: HTTP ${res.status}: ${(await res.text().catch(() => '')).slice(0, 200)}`);
  }
  const heard: Heard = new Map();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const at = msSince(t0);
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of block.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const key = changeKey(line.slice(5).trim());
          if (key && !heard.has(key)) heard.set(key, at);
        }
      }
    }
  };
  // Ends when the stream is closed: by us (abort), or by the server.
  pump().catch(() => {});
  return { heard, close: () => abort.abort() };
}

/** This process's own LISTEN: when each change was committed (as PostgreSQL delivers it), and the inserts in order. */
async function listenToCommits(databaseUrl: string, t0: bigint) {
  const client = new PgClient({ connectionString: databaseUrl, application_name: 'countersign-bench-live' });
  await client.connect();
  const heard: Heard = new Map();
  const inserts: string[] = [];
  client.on('notification', (message) => {
    if (message.channel !== CHANNEL || !message.payload) return;
    const key = changeKey(message.payload);
    if (!key || heard.has(key)) return;
    heard.set(key, msSince(t0));
    if (key.includes(':insert:')) inserts.push(key);
  });
  await client.query(`LISTEN ${client.escapeIdentifier(CHANNEL)}`);
  return { heard, inserts, close: () => client.end() };
}
type Commits = Awaited<ReturnType<typeof listenToCommits>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

interface People {
  /** Session cookies, each for at most MAX_STREAMS_PER_USER streams. */
  cookies: string[];
  /** A reviewer's API key with the decide scope. */
  decideKey: string;
}

async function makePeople(ctx: BenchContext, sessions: number): Promise<People> {
  const tag = randomBytes(3).toString('hex');
  const password = randomBytes(18).toString('base64url');
  const admin = { email: `bench-live-admin-${tag}@example.com`, role: 'ADMIN' as const };
  await createUser(ctx.db, { ...admin, password });
  const decider = `bench-live-decider-${tag}@example.com`;
  await createUser(ctx.db, { email: decider, password, role: 'REVIEWER' });
  const { key: decideKey } = await createApiKey(ctx.db, admin, { name: 'bench live', userEmail: decider, scopes: ['decide'] });
  const cookies: string[] = [];
  await inLanes(
    Array.from({ length: sessions }, (_, i) => i),
    4,
    async (i) => {
      const email = `bench-live-viewer-${i}-${tag}@example.com`;
      await createUser(ctx.db, { email, password, role: 'REVIEWER' });
      cookies.push(await signIn(ctx.base, email, password));
    },
  );
  return { cookies, decideKey };
}

let nextOrder = 0;
const RUN_TAG = randomBytes(3).toString('hex');

/** One change through the product; answers its key once this process's LISTEN heard it committed, or null. */
type Change = () => Promise<string | null>;

function newRequest(ctx: BenchContext, commits: Commits): Change {
  return async () => {
    const before = commits.inserts.length;
    await startOrderApproval(ctx.temporal, ctx.taskQueue, {
      id: `bench-live-${RUN_TAG}-${++nextOrder}`,
      customer: 'Bench Customer',
      amount: 120,
      currency: 'USD',
      requestedBy: 'bench-requester',
    });
    // The worker's activity writes the row: the next insert heard is this one (nothing else starts orders meanwhile).
    if (!(await until(() => commits.inserts.length > before, EVENT_TIMEOUT_MS))) return null;
    return commits.inserts[before] ?? null;
  };
}

function decision(ctx: BenchContext, commits: Commits, order: PendingOrder, key: string): Change {
  return async () => {
    const res = await fetch(`${ctx.base}/api/v1/requests/${order.requestId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`approve: HTTP ${res.status}: ${body.slice(0, 200)}`);
    const changed = keyOf({ id: order.requestId, op: 'update', status: 'APPROVED' });
    return (await until(() => commits.heard.has(changed), EVENT_TIMEOUT_MS)) ? changed : null;
  };
}

interface RunResult {
  latency: Latency;
  /** Per change, its first and its last stream: how far apart the fan-out spreads one event. */
  first: Latency;
  last: Latency;
  events: number;
  missing: number;
  /** Changes whose commit this process never heard (not measured). */
  unheard: number;
  /** Changes the product refused (not measured): their errors. */
  failed: string[];
}

/** Opens `count` streams, makes the changes one at a time, and times each change into each stream. */
async function measureStreams(
  ctx: BenchContext,
  count: number,
  cookies: string[],
  changes: Change[],
  commits: Commits,
  t0: bigint,
): Promise<RunResult> {
  const streams: Stream[] = [];
  try {
    await inLanes(
      Array.from({ length: count }, (_, i) => i),
      10,
      async (i) => {
        streams.push(await openStream(ctx.base, cookies[Math.floor(i / MAX_STREAMS_PER_USER)] ?? '', t0));
      },
    );
    const samples: number[] = [];
    const firsts: number[] = [];
    const lasts: number[] = [];
    let missing = 0;
    let unheard = 0;
    const failed: string[] = [];
    // The first change warms up (the web's LISTEN connection, the stream's first bytes): not counted.
    for (const [i, change] of changes.entries()) {
      let key: string | null;
      try {
        key = await change();
      } catch (error) {
        failed.push(error instanceof Error ? error.message.slice(0, 160) : String(error));
        continue;
      }
      if (!key) {
        unheard++;
        continue;
      }
      await until(() => streams.every((s) => s.heard.has(key)), EVENT_TIMEOUT_MS);
      const committed = commits.heard.get(key) ?? NaN;
      if (i > 0) {
        for (const stream of streams) {
          const at = stream.heard.get(key);
          if (at === undefined) missing++;
          else samples.push(at - committed);
        }
        const arrivals = streams.flatMap((stream) => stream.heard.get(key) ?? []);
        if (arrivals.length) {
          firsts.push(Math.min(...arrivals) - committed);
          lasts.push(Math.max(...arrivals) - committed);
        }
      }
      // Apart: each change is timed on a quiet server, not a burst.
      await sleep(100);
    }
    return {
      latency: latencyOf(samples),
      first: latencyOf(firsts),
      last: latencyOf(lasts),
      events: changes.length - 1,
      missing,
      unheard,
      failed,
    };
  } finally {
    for (const stream of streams) stream.close();
  }
}

async function run(ctx: BenchContext): Promise<Row[]> {
  const events = ctx.quick ? 6 : 20;
  const sessionsFor = (streams: number) => Math.ceil(streams / MAX_STREAMS_PER_USER);
  ctx.log(`live update: ${STREAM_COUNTS.join(' and ')} streams (${MAX_STREAMS_PER_USER} per person), ${events} changes each`);
  // Each stream count has its own people: the streams of the last run may still hold their slots a moment.
  const people = await makePeople(
    ctx,
    STREAM_COUNTS.reduce((sum, n) => sum + sessionsFor(n), 0),
  );
  // Half the changes decide a pending order, half start one; +1 each run for the warm-up.
  const decisions = Math.ceil(events / 2);
  const pending = await createPendingOrders(ctx.db, ctx.temporal, ctx.taskQueue, STREAM_COUNTS.length * decisions);
  const t0 = process.hrtime.bigint();
  const commits = await listenToCommits(ctx.workerEnv.DATABASE_URL ?? '', t0);
  const results = new Map<number, RunResult>();
  try {
    let firstSession = 0;
    for (const count of STREAM_COUNTS) {
      const cookies = people.cookies.slice(firstSession, firstSession + sessionsFor(count));
      firstSession += sessionsFor(count);
      const changes: Change[] = [newRequest(ctx, commits)];
      for (let i = 0; i < events; i++) {
        const order = i % 2 === 0 ? pending.pop() : undefined;
        changes.push(order ? decision(ctx, commits, order, people.decideKey) : newRequest(ctx, commits));
      }
      const result = await measureStreams(ctx, count, cookies, changes, commits, t0);
      results.set(count, result);
      ctx.log(
        `live update: ${count} streams p50 ${result.latency.p50.toFixed(1)} ms, p95 ${result.latency.p95.toFixed(1)} ms (n = ${result.latency.n}` +
          `${result.missing ? `, ${result.missing} missing` : ''}${result.unheard ? `, ${result.unheard} changes unheard` : ''})`,
      );
    }
  } finally {
    await commits.close();
  }
  const rows: Row[] = [];
  const small = results.get(STREAM_COUNTS[0]);
  for (const count of STREAM_COUNTS) {
    const result = results.get(count);
    if (!result) continue;
    const measure = `live update: committed → event in an open browser stream, ${count} streams`;
    // The 10-stream figures are the 200-stream run's baseline: the ratio is what 20× the streams cost.
    const baseline = count === STREAM_COUNTS[0] ? undefined : small;
    const verdict = result.latency.p95 <= TARGET_P95_MS ? 'met' : 'missed';
    const note = [
      `Target p95 ≤ 1 s (absolute): ${verdict}.`,
      count === STREAM_COUNTS[0]
        ? `${result.events} changes (decisions by API, new orders by startOrderApproval, alternating, one at a time) × ${count} streams = n ${result.latency.n}.`
        : `Baseline: the ${STREAM_COUNTS[0]}-stream run. ${result.events} changes × ${count} streams = n ${result.latency.n}.`,
      'From the NOTIFY heard by the bench’s own LISTEN (the commit as PostgreSQL delivers it) to the event read from each stream (all streams are read by the one bench process).',
      `Per change, its first stream p50 ${result.first.p50.toFixed(0)} ms, its last p50 ${result.last.p50.toFixed(0)} ms (p95 ${result.last.p95.toFixed(0)}).`,
      result.missing ? `${result.missing} events never arrived within ${EVENT_TIMEOUT_MS / 1000} s.` : '',
      result.unheard ? `${result.unheard} changes were not heard committed (not timed).` : '',
      result.failed.length ? `${result.failed.length} changes failed (not timed), first: ${result.failed[0]}.` : '',
    ]
      .filter(Boolean)
      .join(' ');
    rows.push(
      { measure, figure: 'p50', unit: 'ms', baseline: baseline?.latency.p50, countersign: result.latency.p50 },
      { measure, figure: 'p95', unit: 'ms', baseline: baseline?.latency.p95, countersign: result.latency.p95, note },
    );
  }
  return rows;
}

export const liveUpdateMeasures: Measure[] = [{ name: 'live-update', run }];
