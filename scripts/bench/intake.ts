// Intake: workflows started → request visible in the inbox, against raw start →
// token stored. Countersign's side starts orderWorkflow as the product does
// (startOrderApproval) and polls the inbox's own read path, GET /api/v1/requests
// (the inbox's query for a reviewer's API key), until every request shows. The
// raw side is a worker in this process on its own task queue, whose one
// activity does the least an async-completion activity must: INSERT its task
// token into a scratch table and throw CompleteAsyncError. Same count, same
// concurrency, same services, same run.
import { randomBytes } from 'node:crypto';
import { Context, CompleteAsyncError } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createApiKey } from '../../lib/api/keys';
import { createUser } from '../../lib/auth/users';
import { orderWorkflowId } from '../../lib/contract/orders';
import type { BenchContext, Measure, Row } from './measures';
import { CPU_GROUPS, cpuPerDecision, cpuSnapshot } from './cpu';
import { phasesOf, sampleOf, type Moments } from './intake-phases';
import { inLanes, startBenchOrder } from './orders';
import type { RawIntakeActivities } from './raw-workflows';
import { latencyOf, msSince, type Latency } from './stats';

/** Workflows started at once, on both sides (orders.ts starts its pools 16 at a time too). */
const CONCURRENCY = 16;
/**
 * Pause between two polls of the inbox: the visible time is late by up to this much plus one poll. Not less: on two
 * cores the polling takes CPU from the very path it measures (at 50 ms, the web used about 30 ms of CPU per request).
 */
const POLL_PAUSE_MS = 250;
const VISIBLE_TIMEOUT_MS = 180_000;
const SCRATCH_TABLE = 'bench_intake_tokens';
/** Workflows per side whose history is read to say where the time went. */
const PHASE_SAMPLE = 20;

interface SideResult {
  perSecond: number;
  latency: Latency;
  seconds: number;
  /** Started but not seen within the time allowed, and starts that failed. */
  missing: number;
  failedStarts: number;
  /** When the last start call returned (s): how much of the time the starts themselves took. */
  startsSeconds: number;
  /** Where a sample's time went (intake-phases.ts). */
  phases?: string;
  /** CPU ms per request of each process group (cpu.ts's CPU_GROUPS), over the timed part. */
  cpuPerRequest?: number[];
}

/** From the first start to the last arrival: N over that time, and each workflow's start → arrival. */
function resultOf(
  count: number,
  started: Map<string, number>,
  arrived: Map<string, number>,
  failedStarts: number,
  startsSeconds: number,
): SideResult {
  const samples: number[] = [];
  let last = 0;
  for (const [id, at] of arrived) {
    const from = started.get(id);
    if (from === undefined) continue;
    samples.push(at - from);
    last = Math.max(last, at);
  }
  const seconds = last / 1000;
  return {
    perSecond: seconds > 0 ? samples.length / seconds : 0,
    latency: latencyOf(samples),
    seconds,
    missing: count - samples.length,
    failedStarts,
    startsSeconds,
  };
}

/** Starts `ids` in lanes; `start` is the side's own start call. Returns the start times (ms since `t0`) and the failures. */
async function startAll(
  ids: string[],
  t0: bigint,
  start: (id: string) => Promise<void>,
): Promise<{ started: Map<string, number>; failed: number; seconds: number }> {
  const started = new Map<string, number>();
  let failed = 0;
  await inLanes(ids, CONCURRENCY, async (id) => {
    const at = msSince(t0);
    try {
      await start(id);
      started.set(id, at);
    } catch {
      failed++;
    }
  });
  return { started, failed, seconds: msSince(t0) / 1000 };
}

// ---------------------------------------------------------------- raw side

async function rawIntake(ctx: BenchContext, count: number): Promise<SideResult> {
  try {
    // The worker's own logs at WARN, as the product's worker runs (WORKER_LOG_LEVEL); only possible before any worker.
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Another measure in this process installed it first: its logger stays.
  }
  await ctx.db.$executeRawUnsafe(
    `CREATE TABLE IF NOT EXISTS ${SCRATCH_TABLE} (workflow_id text PRIMARY KEY, task_token bytea NOT NULL, stored_at timestamptz NOT NULL DEFAULT now())`,
  );
  const connection = await NativeConnection.connect({ address: ctx.workerEnv.TEMPORAL_ADDRESS });
  const taskQueue = `bench-intake-raw-${randomBytes(4).toString('hex')}`;
  const namespace = ctx.workerEnv.TEMPORAL_NAMESPACE || 'default';
  let t0 = process.hrtime.bigint();
  let t0Wall = Date.now();
  const arrived = new Map<string, number>();
  const activities: RawIntakeActivities = {
    async storeToken() {
      const { workflowExecution, taskToken } = Context.current().info;
      const workflowId = workflowExecution?.workflowId;
      if (!workflowId) throw new Error('storeToken runs only inside rawIntakeWorkflow');
      await ctx.db.$executeRaw`INSERT INTO bench_intake_tokens (workflow_id, task_token) VALUES (${workflowId}, ${Buffer.from(taskToken)})`;
      arrived.set(workflowId, msSince(t0));
      throw new CompleteAsyncError();
    },
  };
  try {
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      workflowsPath: require.resolve('./raw-workflows'),
      activities,
    });
    return await worker.runUntil(async () => {
      const tag = randomBytes(3).toString('hex');
      const ids = Array.from({ length: count }, (_, i) => `bench-intake-raw-${tag}-${i}`);
      const all = new Set(ids);
      const cpuBefore = cpuSnapshot(ctx.pids);
      t0 = process.hrtime.bigint();
      t0Wall = Date.now();
      const { started, failed, seconds } = await startAll(ids, t0, async (workflowId) => {
        await ctx.temporal.workflow.start('rawIntakeWorkflow', { taskQueue, workflowId, args: [] });
      });
      const until = Date.now() + VISIBLE_TIMEOUT_MS;
      while ([...started.keys()].some((id) => !arrived.has(id)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const cpuPerRequest = cpuPerDecision(cpuBefore, cpuSnapshot(ctx.pids), count);
      for (const id of arrived.keys()) if (!all.has(id)) arrived.delete(id);
      const moments = [...arrived].flatMap(([workflowId, at]) => {
        const from = started.get(workflowId);
        return from === undefined ? [] : [{ workflowId, start: t0Wall + from, stored: t0Wall + at }];
      });
      moments.sort((a, b) => a.start - b.start);
      const phases = await phasesOf(ctx.temporal, sampleOf(moments, PHASE_SAMPLE));
      // Nobody completes these: they end here rather than wait out their hour on services the bench was given.
      let unterminated = 0;
      await inLanes([...started.keys()], CONCURRENCY, async (workflowId) => {
        await ctx.temporal.workflow
          .getHandle(workflowId)
          .terminate('bench intake: measured')
          .catch(() => unterminated++);
      });
      if (unterminated) ctx.log(`intake: ${unterminated} raw workflows could not be terminated (they end after their hour)`);
      return { ...resultOf(count, started, arrived, failed, seconds), phases, cpuPerRequest };
    });
  } finally {
    await connection.close();
    await ctx.db.$executeRawUnsafe(`DROP TABLE IF EXISTS ${SCRATCH_TABLE}`);
  }
}

// ---------------------------------------------------------------- Countersign side

const listSchema = z.object({
  requests: z.array(z.object({ id: z.string() })),
  total: z.number(),
  nextCursor: z.string().nullable(),
});

/** A reviewer's key with the read scope: GET /api/v1/requests answers with that reviewer's inbox. */
async function reviewerKey(ctx: BenchContext): Promise<string> {
  const tag = randomBytes(3).toString('hex');
  const password = randomBytes(18).toString('base64url');
  const admin = { email: `bench-intake-admin-${tag}@example.com`, role: 'ADMIN' as const };
  await createUser(ctx.db, { ...admin, password });
  const email = `bench-intake-reviewer-${tag}@example.com`;
  await createUser(ctx.db, { email, password, role: 'REVIEWER' });
  return (await createApiKey(ctx.db, admin, { name: 'bench intake', userEmail: email, scopes: ['read'] })).key;
}

/**
 * Polls the reviewer's inbox (pending, "for me", newest first) narrowed to this run's workflow ids by its free-text
 * search, one request at a time, until `done`; records when each row id was first seen. Newest first and
 * stopping once every matching row is seen keeps most polls to one page.
 */
async function pollInbox(
  ctx: BenchContext,
  key: string,
  tag: string,
  t0: bigint,
  seen: Map<string, number>,
  done: () => boolean,
): Promise<void> {
  const until = Date.now() + VISIBLE_TIMEOUT_MS;
  while (!done() && Date.now() < until) {
    let after: string | null = null;
    for (;;) {
      const params = new URLSearchParams({ q: tag, status: 'pending', sort: 'age', dir: 'asc' });
      if (after) params.set('after', after);
      const res = await fetch(`${ctx.base}/api/v1/requests?${params}`, { headers: { authorization: `Bearer ${key}` } });
      if (res.status !== 200) throw new Error(`GET /api/v1/requests: HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      const page = listSchema.parse(await res.json());
      const at = msSince(t0);
      for (const row of page.requests) if (!seen.has(row.id)) seen.set(row.id, at);
      if (seen.size >= page.total || !page.nextCursor) break;
      after = page.nextCursor;
    }
    await new Promise((r) => setTimeout(r, POLL_PAUSE_MS));
  }
}

/** Where Countersign's time goes: start → the row written (its transaction's start, DB clock), and written → seen in the inbox. */
interface Split {
  toRow: Latency;
  toVisible: Latency;
}

async function countersignIntake(ctx: BenchContext, count: number): Promise<SideResult & { split: Split }> {
  const key = await reviewerKey(ctx);
  const tag = `bench-intake-${randomBytes(4).toString('hex')}`;
  const orderIds = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
  const cpuBefore = cpuSnapshot(ctx.pids);
  const t0 = process.hrtime.bigint();
  const t0Wall = Date.now();
  const seen = new Map<string, number>();
  let startsDone = false;
  let failedStarts = 0;
  // Held as a value until awaited: a failed poll must not crash the process while the starts are still running.
  const polling = pollInbox(ctx, key, tag, t0, seen, () => startsDone && seen.size >= count - failedStarts).then(
    () => undefined,
    (error: unknown) => error,
  );
  const { started, failed, seconds } = await startAll(orderIds, t0, (id) => startBenchOrder(ctx.temporal, ctx.taskQueue, id));
  failedStarts = failed;
  startsDone = true;
  const pollError = await polling;
  if (pollError) throw pollError;
  const cpuPerRequest = cpuPerDecision(cpuBefore, cpuSnapshot(ctx.pids), count);
  // What else the worker did meanwhile: the outbox work each new request brings (events fanned out to mail and webhooks).
  const outbox = await ctx.db.$queryRaw<{ kind: string; status: string; n: bigint }[]>`
    SELECT kind, status, count(*) AS n FROM outbox_messages WHERE created_at >= ${new Date(t0Wall)} GROUP BY kind, status ORDER BY kind, status`;
  ctx.log(
    `intake: outbox messages since Countersign's first start: ${outbox.map((r) => `${r.kind} ${r.status} ${r.n}`).join(', ') || 'none'}`,
  );
  // The inbox shows request ids; the starts are by workflow id.
  const rows = await ctx.db.$queryRaw<{ id: string; workflow_id: string; created_ms: number }[]>`
    SELECT id::text AS id, workflow_id, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
    FROM approval_requests WHERE id::text = ANY(${[...seen.keys()]})`;
  const arrived = new Map<string, number>();
  const startedByWorkflow = new Map([...started].map(([id, at]) => [orderWorkflowId(id), at]));
  const toRow: number[] = [];
  const toVisible: number[] = [];
  const moments: Moments[] = [];
  for (const row of rows) {
    const at = seen.get(row.id);
    const from = startedByWorkflow.get(row.workflow_id);
    if (at === undefined || from === undefined) continue;
    arrived.set(row.workflow_id, at);
    const written = row.created_ms - t0Wall;
    toRow.push(written - from);
    toVisible.push(at - written);
    moments.push({ workflowId: row.workflow_id, start: t0Wall + from, stored: row.created_ms });
  }
  moments.sort((a, b) => a.start - b.start);
  return {
    ...resultOf(count, startedByWorkflow, arrived, failedStarts, seconds),
    split: { toRow: latencyOf(toRow), toVisible: latencyOf(toVisible) },
    phases: await phasesOf(ctx.temporal, sampleOf(moments, PHASE_SAMPLE)),
    cpuPerRequest,
  };
}

// ---------------------------------------------------------------- the measure

/** CPU per request by process, both sides: on two cores the intake is CPU-bound, so this says who took the time. */
function cpuText(raw: SideResult, mine: SideResult): string | undefined {
  const line = (result: SideResult) =>
    CPU_GROUPS.map((group, i) => `${group} ${Math.round(result.cpuPerRequest?.[i] ?? NaN)}`).join(', ') +
    `; total ${Math.round(result.cpuPerRequest?.[CPU_GROUPS.length] ?? NaN)}`;
  if (!raw.cpuPerRequest || !mine.cpuPerRequest) return undefined;
  return `CPU ms per request, raw: ${line(raw)} (its worker is the bench process); Countersign: ${line(mine)}.`;
}

function problems(side: string, result: SideResult): string | undefined {
  const parts = [
    result.failedStarts ? `${result.failedStarts} starts failed` : '',
    result.missing - result.failedStarts > 0
      ? `${result.missing - result.failedStarts} not seen within ${VISIBLE_TIMEOUT_MS / 1000} s`
      : '',
  ].filter(Boolean);
  return parts.length ? `${side}: ${parts.join(', ')}.` : undefined;
}

async function run(ctx: BenchContext): Promise<Row[]> {
  const count = ctx.quick ? 60 : 200;
  ctx.log(`intake: ${count} workflows per side, ${CONCURRENCY} starts at a time`);
  // Raw first, with its worker bundled before the clock starts; then Countersign's, on the product's worker.
  const raw = await rawIntake(ctx, count);
  ctx.log(
    `intake: raw ${raw.perSecond.toFixed(1)}/s over ${raw.seconds.toFixed(1)} s (starts took ${raw.startsSeconds.toFixed(1)} s), p50 ${raw.latency.p50.toFixed(0)} ms`,
  );
  const mine = await countersignIntake(ctx, count);
  ctx.log(
    `intake: Countersign ${mine.perSecond.toFixed(1)}/s over ${mine.seconds.toFixed(1)} s (starts took ${mine.startsSeconds.toFixed(1)} s), p50 ${mine.latency.p50.toFixed(0)} ms`,
  );
  const measure = 'intake: workflows started → request visible in the inbox';
  const note = [
    `${count} workflows each side, ${CONCURRENCY} starts at a time; the rate is N over first start → last arrival.`,
    'Baseline: `client.workflow.start` of a one-activity workflow on a worker in the bench process whose activity INSERTs its token and throws CompleteAsyncError (until the INSERT returns).',
    `Countersign: \`startOrderApproval\` until the request shows in a reviewer's GET /api/v1/requests (pending, for me; polled one request at a time, ${POLL_PAUSE_MS} ms apart).`,
    `Of Countersign's start → visible, start → row written p50 ${mine.split.toRow.p50.toFixed(0)} ms (p95 ${mine.split.toRow.p95.toFixed(0)}), row written → seen in the inbox p50 ${mine.split.toVisible.p50.toFixed(0)} ms (p95 ${mine.split.toVisible.p95.toFixed(0)}).`,
    raw.phases ? `Raw, start → token stored: ${raw.phases}.` : undefined,
    mine.phases ? `Countersign, start → row written: ${mine.phases}.` : undefined,
    cpuText(raw, mine),
    problems('raw', raw),
    problems('Countersign', mine),
  ]
    .filter(Boolean)
    .join(' ');
  return [
    {
      measure,
      figure: 'requests/s',
      unit: '/s',
      baseline: raw.perSecond,
      countersign: mine.perSecond,
      target: { kind: 'min', ratio: 0.9 },
      note,
    },
    { measure, figure: 'p50 start → visible', unit: 'ms', baseline: raw.latency.p50, countersign: mine.latency.p50 },
    { measure, figure: 'p95 start → visible', unit: 'ms', baseline: raw.latency.p95, countersign: mine.latency.p95 },
  ];
}

export const intakeMeasures: Measure[] = [{ name: 'intake', run }];
