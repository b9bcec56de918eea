// The reconciler: pending rows decided from outside by id, and the Temporal
// calls it makes per sweep. Half the pending rows are orders (orderWorkflow on
// the bench's task queue, created as ./orders.ts creates them); the other half
// are workflows on another task queue (a Worker in this process runs them)
// that ask for approval on the bench's queue and never record the outcome.
// 100 of those are decided from outside by id (`client.activity.complete`),
// their workflows end, and the bench's worker's reconciler must bring each
// row in line: the time from the completion to the row leaving PENDING.
//
// Size: 10,000 pending (the issue's), 1,000 with --quick;
// BENCH_RECONCILER_PENDING=N sets it.
import { randomBytes } from 'node:crypto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { APPROVAL_ACTIVITY_ID, type ApprovalResult } from '../../lib/contract/approval';
import { orderWorkflowId } from '../../lib/contract/orders';
import { createSweeper, type ReconcileReport } from '../../worker/reconciler/sweep';
import { createWorkerLogger } from '../../worker/logger';
import type { otherQueueApprovalWorkflow } from '../../test/integration/workflows/other-queue';
import type { BenchContext, Measure, Row } from './measures';
import { inLanes, startBenchOrder } from './orders';
import { latencyOf } from './stats';

const DECIDED = 100;
/** The completions are spread over this, so they fall at every point of the worker's sweep interval. */
const DECIDE_OVER_MS = 30_000;
/** How long a decided row may take to show before it counts as never shown. */
const VISIBLE_TIMEOUT_MS = 300_000;
/** Creating the pending rows may take this long (10,000 real workflows on 2 cores: minutes). */
const CREATE_TIMEOUT_MS = 60 * 60_000;
/** No new row for this long: the missing ones are not coming. */
const STALL_MS = 60_000;

const RESULT: ApprovalResult = { approved: true, reviewer: 'bench-outside@example.com', via: 'bench-outside' };

function sizeOf(ctx: BenchContext): number {
  const set = process.env.BENCH_RECONCILER_PENDING;
  const size = set ? Number(set) : ctx.quick ? 1_000 : 10_000;
  if (!Number.isInteger(size) || size < 4 * DECIDED || size % 2)
    throw new Error(`BENCH_RECONCILER_PENDING=${set}: an even whole number of at least ${4 * DECIDED}`);
  return size;
}

interface PendingRun {
  workflowId: string;
  runId: string;
}

/**
 * Waits until each workflow's approval is pending in the database. On a
 * loaded machine an activity may lose its write (its retries run out): after
 * STALL_MS with no new row, the rows there are are taken, and the rest counted.
 */
async function pendingRowsOf(ctx: BenchContext, workflowIds: string[], what: string): Promise<PendingRun[]> {
  const until = Date.now() + CREATE_TIMEOUT_MS;
  let last = { count: -1, at: Date.now() };
  for (;;) {
    const rows = await ctx.db.$queryRaw<PendingRun[]>`
      SELECT workflow_id AS "workflowId", run_id AS "runId" FROM approval_requests
      WHERE workflow_id = ANY(${workflowIds}) AND status = 'PENDING'`;
    if (rows.length === workflowIds.length) return rows;
    if (rows.length !== last.count) last = { count: rows.length, at: Date.now() };
    if (Date.now() - last.at > STALL_MS || Date.now() > until) {
      ctx.log(
        `reconciler: ${workflowIds.length - rows.length} of ${workflowIds.length} ${what} never got their row; going on without them`,
      );
      return rows;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Starts `count` orders (orderWorkflow on the bench's queue, as the product starts them) and waits for their rows. */
async function createOrders(ctx: BenchContext, count: number): Promise<PendingRun[]> {
  const tag = randomBytes(3).toString('hex');
  const ids = Array.from({ length: count }, (_, i) => `bench-reconcile-${tag}-${i}`);
  await inLanes(ids, 16, (id) => startBenchOrder(ctx.temporal, ctx.taskQueue, id));
  return pendingRowsOf(ctx, ids.map(orderWorkflowId), 'orders');
}

/** Starts `count` other-queue workflows and waits until each one's approval is pending in the database. */
async function createOtherQueuePending(ctx: BenchContext, otherQueue: string, count: number): Promise<PendingRun[]> {
  const tag = randomBytes(3).toString('hex');
  const ids = Array.from({ length: count }, (_, i) => `bench-other-${tag}-${i}`);
  await inLanes(ids, 16, async (workflowId) => {
    await ctx.temporal.workflow.start<typeof otherQueueApprovalWorkflow>('otherQueueApprovalWorkflow', {
      workflowId,
      taskQueue: otherQueue,
      args: [
        { title: `Another team's purchase ${workflowId}`, amount: 80, currency: 'EUR', requester: 'other-team@example.com' },
        ctx.taskQueue,
      ],
    });
  });
  return pendingRowsOf(ctx, ids, 'other-queue workflows');
}

/** Pending rows in the whole table: what the reconciler sweeps (other measures' leftovers included). */
async function pendingCount(ctx: BenchContext): Promise<number> {
  const [row] = await ctx.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM approval_requests WHERE status = 'PENDING'`;
  return Number(row?.n ?? 0);
}
const count = (n: number) => n.toLocaleString('en-US');

const callsOf = (report: ReconcileReport) => report.calls.lists + report.calls.describes + report.calls.histories;
const callsText = (report: ReconcileReport) =>
  `${report.calls.lists} list pages, ${report.calls.describes} describes, ${report.calls.histories} history reads`;

/**
 * The Temporal calls of a sweep like the worker's at this many pending rows:
 * a fresh sweeper's first sweep (its look-back) and the one after (steady).
 */
async function sweepCalls(ctx: BenchContext): Promise<{ first: ReconcileReport; steady: ReconcileReport }> {
  const sweeper = createSweeper({ db: ctx.db, temporal: ctx.temporal }, { taskQueue: ctx.taskQueue });
  const first = await sweeper.sweep();
  const steady = await sweeper.sweep();
  return { first, steady };
}

/** Completes each run's approval from outside by id, spread over DECIDE_OVER_MS, and returns when each was completed. */
async function decideFromOutside(ctx: BenchContext, runs: PendingRun[]): Promise<Map<string, number>> {
  const completed = new Map<string, number>();
  const gapMs = DECIDE_OVER_MS / runs.length;
  for (const run of runs) {
    const started = Date.now();
    await ctx.temporal.activity.complete({ workflowId: run.workflowId, runId: run.runId, activityId: APPROVAL_ACTIVITY_ID }, RESULT);
    completed.set(run.workflowId, Date.now());
    await new Promise((r) => setTimeout(r, Math.max(0, gapMs - (Date.now() - started))));
  }
  return completed;
}

/** Polls the rows until each has left PENDING (or the time is up after the last completion); returns when each was first seen so. */
async function watchRows(ctx: BenchContext, runs: PendingRun[], lastCompletion: () => number | undefined): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const ids = runs.map((r) => r.workflowId);
  while (seen.size < ids.length) {
    const last = lastCompletion();
    if (last !== undefined && Date.now() > last + VISIBLE_TIMEOUT_MS) break;
    const rows = await ctx.db.$queryRaw<{ workflow_id: string }[]>`
      SELECT workflow_id FROM approval_requests WHERE workflow_id = ANY(${ids}) AND status <> 'PENDING'`;
    const now = Date.now();
    for (const { workflow_id } of rows) if (!seen.has(workflow_id)) seen.set(workflow_id, now);
    await new Promise((r) => setTimeout(r, 200));
  }
  return seen;
}

async function run(ctx: BenchContext): Promise<Row[]> {
  const size = sizeOf(ctx);
  const half = size / 2;
  const otherQueue = `bench-other-team-${randomBytes(4).toString('hex')}`;
  const connection = await NativeConnection.connect({ address: ctx.workerEnv.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: ctx.temporal.options.namespace,
      taskQueue: otherQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: require.resolve('../../test/integration/workflows/other-queue'),
        logger: createWorkerLogger('WARN'),
      }),
    });
    return await worker.runUntil(async () => {
      const started = Date.now();
      // A tenth first: the calls per sweep at a tenth of the rows are the baseline of those at all of them.
      const tenth = Math.round(size / 20);
      await createOrders(ctx, tenth);
      await createOtherQueuePending(ctx, otherQueue, tenth);
      const pendingAtTenth = await pendingCount(ctx);
      const atTenth = await sweepCalls(ctx);
      ctx.log(
        `reconciler: ${count(pendingAtTenth)} pending; a sweep's Temporal calls: ${callsText(atTenth.steady)} (first: ${callsText(atTenth.first)})`,
      );
      await createOrders(ctx, half - tenth);
      const others = await createOtherQueuePending(ctx, otherQueue, half - tenth);
      const createdS = Math.round((Date.now() - started) / 1000);
      const pending = await pendingCount(ctx);
      ctx.log(`reconciler: ${count(size)} workflows started in ${createdS} s; ${count(pending)} pending rows`);
      const atAll = await sweepCalls(ctx);
      ctx.log(
        `reconciler: ${count(pending)} pending; a sweep's Temporal calls: ${callsText(atAll.steady)} (first: ${callsText(atAll.first)})`,
      );

      const decided = others.slice(0, DECIDED);
      let lastCompletion: number | undefined;
      const watching = watchRows(ctx, decided, () => lastCompletion);
      const completed = await decideFromOutside(ctx, decided).finally(() => (lastCompletion = Date.now()));
      const seen = await watching;
      const visibleS = decided.flatMap(({ workflowId }) => {
        const at = seen.get(workflowId);
        const done = completed.get(workflowId);
        return at !== undefined && done !== undefined ? [Math.max(0, at - done) / 1000] : [];
      });
      const latency = latencyOf(visibleS);
      const missing = DECIDED - visibleS.length;
      ctx.log(`reconciler: ${visibleS.length}/${DECIDED} shown decided; p50 ${latency.p50.toFixed(1)} s, p95 ${latency.p95.toFixed(1)} s`);

      const measure = `reconciler: ${count(pending)} pending (half on another task queue, never recorded), ${DECIDED} decided from outside by id`;
      const how =
        `${DECIDED} completions by id spread over ${DECIDE_OVER_MS / 1000} s; time from each completion to its row leaving PENDING, by the bench worker's reconciler ` +
        `(RECONCILE_INTERVAL ${ctx.workerEnv.RECONCILE_INTERVAL ?? '15s'}). Starting the ${count(size)} workflows and waiting for their rows took ${createdS} s.` +
        (missing ? ` ${missing} not shown within ${VISIBLE_TIMEOUT_MS / 1000} s (left out of the figures).` : '');
      return [
        { measure, figure: 'p50 visible', unit: 's', countersign: latency.p50, note: how },
        {
          measure,
          figure: 'p95 visible',
          unit: 's',
          countersign: latency.p95,
          note: 'Target p95 ≤ 30 s (absolute, issue 12): no baseline.',
        },
        {
          measure: `reconciler: Temporal calls per sweep, ${count(pending)} pending (baseline: ${count(pendingAtTenth)} pending)`,
          figure: 'calls per sweep',
          unit: 'calls',
          baseline: callsOf(atTenth.steady),
          countersign: callsOf(atAll.steady),
          note:
            `Target: bounded, not one describe per row per sweep. At ${count(pending)}: ${callsText(atAll.steady)}; ` +
            `at ${count(pendingAtTenth)}: ${callsText(atTenth.steady)}. A worker's first sweep (its look-back): ${callsText(atAll.first)}. ` +
            'List pages grow with the running workflows on the queue / 1,000; reads are at most the rotating batch (50 describes) plus what closed.',
        },
      ];
    });
  } finally {
    await connection.close();
  }
}

export const reconcilerMeasures: Measure[] = [{ name: 'reconciler', run }];
