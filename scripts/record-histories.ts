// `npm run histories:record`: records real histories of every workflow type into
// test/fixtures/histories/, for the replay check (test/workflow/replay.test.ts).
// The workflows run on real workers (the real activities, PostgreSQL and a
// Temporal dev server, which the npm script brings up with
// scripts/with-services.ts) and are decided through the domain, as the inbox
// decides them. Each history is saved as Temporal's JSON (what `temporal
// workflow show --output json` prints), which the SDK's replayer reads.
//
// Run it after each release, so the fixtures hold what the released code
// writes. A run that goes wrong anywhere writes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { format, resolveConfig } from 'prettier';
import { startOrderApproval } from '../lib/approvals/commands/start-order';
import { approveInputSchema, decideApproval, rejectInputSchema } from '../lib/approvals/commands/decide';
import { AGENT_TOOL_WORKFLOW_TYPE, type AgentToolCall } from '../lib/contract/agent';
import { APPROVAL_ACTIVITY_ID, type ApprovalRequest } from '../lib/contract/approval';
import type { Order } from '../lib/contract/orders';
import { createDb, type Db } from '../lib/db';
import { connectTemporal } from '../lib/temporal';
import { createActivities } from '../worker/activities';
import { createWorkerLogger } from '../worker/logger';
import { HISTORIES_DIR, historyToJson, workflowTaskFailures } from '../test/support/histories';

const ROOT = path.resolve(__dirname, '..');

/** Long enough that nothing expires while the script decides. */
const LONG_WINDOW_MS = 60_000;
/** Short, for the histories that expire or escalate; still time to decide within one. */
const SHORT_WINDOW_MS = 4_000;
const WINDOWS = 2;

// Fixed identities, so a refreshed fixture differs from the last only where the code did.
const ANA = 'ana@example.com';
const BEN = 'ben@example.com';
const ERIN = 'erin@example.com';
const FINANCE = 'finance';

const log = (line: string) => console.log(`[histories] ${line}`);

interface Context {
  db: Db;
  client: Client;
}

type Queue = 'current' | 'short' | 'legacy';

interface Recording {
  /** The fixture's file name, without .json; also the workflow id's stem. */
  name: string;
  queue: Queue;
  /** Starts the workflow, decides it, checks its result; returns its handle. */
  run(ctx: Context, taskQueue: string): Promise<WorkflowHandle>;
}

/** Waits for the approval row of `workflowId` to be pending in `attempt` (or later), with its task token stored. */
async function pendingRow(db: Db, workflowId: string, attempt = 1): Promise<{ id: string }> {
  const until = Date.now() + 30_000;
  for (;;) {
    const row = await db.approvalRequest.findUnique({
      where: { workflowId_activityId: { workflowId, activityId: APPROVAL_ACTIVITY_ID } },
      select: { id: true, status: true, attempt: true },
    });
    if (row?.status === 'PENDING' && row.attempt >= attempt) return row;
    if (Date.now() > until) throw new Error(`${workflowId}: no pending request in attempt ${attempt} after 30 s`);
    await delay(50);
  }
}

const approve = (ctx: Context, id: string, email: string, extra: { comment?: string; values?: Record<string, unknown> } = {}) =>
  decideApproval(
    { db: ctx.db, temporal: ctx.client },
    { decision: 'APPROVED', ...approveInputSchema.parse({ id, comment: extra.comment }), values: extra.values },
    { email },
  );

const reject = (ctx: Context, id: string, email: string, reason: string) =>
  decideApproval({ db: ctx.db, temporal: ctx.client }, { decision: 'REJECTED', ...rejectInputSchema.parse({ id, reason }) }, { email });

function order(name: string): Order {
  return { id: `history-${name}`, customer: 'Replay Ltd', amount: 1250, currency: 'EUR', items: [{ sku: 'SKU-7', qty: 3 }] };
}

async function startOrder(ctx: Context, taskQueue: string, name: string): Promise<WorkflowHandle> {
  const { workflowId, runId } = await startOrderApproval(ctx.client, taskQueue, order(name));
  return ctx.client.workflow.getHandle(workflowId, runId);
}

function startRequest(ctx: Context, taskQueue: string, name: string, request: ApprovalRequest): Promise<WorkflowHandle> {
  return ctx.client.workflow.start('approvalWorkflow', { taskQueue, workflowId: `history-${name}`, args: [request] });
}

function startAgent(ctx: Context, taskQueue: string, name: string, call: AgentToolCall): Promise<WorkflowHandle> {
  return ctx.client.workflow.start(AGENT_TOOL_WORKFLOW_TYPE, { taskQueue, workflowId: `history-${name}`, args: [call] });
}

const AGENT_CALL: AgentToolCall = {
  tool: 'send_email',
  args: { to: 'customer@example.com', subject: 'Your refund', body: 'Hello,\nyour refund is on its way.' },
  requestedBy: 'agent@example.com',
};

const RECORDINGS: Recording[] = [
  {
    name: 'order-approved',
    queue: 'current',
    async run(ctx, taskQueue) {
      const handle = await startOrder(ctx, taskQueue, this.name);
      const { id } = await pendingRow(ctx.db, handle.workflowId);
      await approve(ctx, id, ANA, { comment: 'Within budget' });
      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: ANA, comment: 'Within budget' });
      return handle;
    },
  },
  {
    name: 'order-rejected',
    queue: 'current',
    async run(ctx, taskQueue) {
      const handle = await startOrder(ctx, taskQueue, this.name);
      const { id } = await pendingRow(ctx.db, handle.workflowId);
      await reject(ctx, id, ANA, 'Over budget');
      assert.deepEqual(await handle.result(), { status: 'REJECTED', decidedBy: ANA, reason: 'Over budget' });
      return handle;
    },
  },
  {
    name: 'order-expired',
    queue: 'short',
    async run(ctx, taskQueue) {
      const handle = await startOrder(ctx, taskQueue, this.name);
      assert.deepEqual(await handle.result(), { status: 'EXPIRED' });
      return handle;
    },
  },
  {
    name: 'order-cancelled',
    queue: 'current',
    async run(ctx, taskQueue) {
      const handle = await startOrder(ctx, taskQueue, this.name);
      await pendingRow(ctx.db, handle.workflowId);
      await handle.cancel();
      const error = await handle.result().then(
        () => assert.fail('the cancelled order should not complete'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure, String(error));
      return handle;
    },
  },
  {
    name: 'approval-quorum',
    queue: 'current',
    async run(ctx, taskQueue) {
      const handle = await startRequest(ctx, taskQueue, this.name, {
        version: 2,
        title: 'New supplier: Replay Ltd',
        amount: 48_000,
        currency: 'EUR',
        requester: 'ops@example.com',
        approvers: { groups: [FINANCE] },
        quorum: 2,
      });
      const { id } = await pendingRow(ctx.db, handle.workflowId);
      assert.equal((await approve(ctx, id, ANA, { comment: 'Checked the contract' })).status, 'PENDING');
      assert.equal((await approve(ctx, id, BEN)).status, 'APPROVED');
      const outcome = (await handle.result()) as { status: string; approvers?: { reviewer: string }[] };
      assert.equal(outcome.status, 'APPROVED');
      assert.deepEqual(
        outcome.approvers?.map((a) => a.reviewer),
        [ANA, BEN],
      );
      return handle;
    },
  },
  {
    name: 'approval-escalated',
    queue: 'short',
    async run(ctx, taskQueue) {
      const handle = await startRequest(ctx, taskQueue, this.name, {
        version: 2,
        title: 'Budget increase for Q3',
        amount: 9_000,
        currency: 'EUR',
        requester: 'ops@example.com',
        approvers: { groups: [FINANCE] },
        escalateTo: { users: [ERIN] },
        quorum: 2,
      });
      const { id } = await pendingRow(ctx.db, handle.workflowId);
      // One approval in the first window; the second window escalates to Erin, and it carries over.
      assert.equal((await approve(ctx, id, ANA)).status, 'PENDING');
      await pendingRow(ctx.db, handle.workflowId, 2);
      assert.equal((await approve(ctx, id, ERIN)).status, 'APPROVED');
      const outcome = (await handle.result()) as { status: string; approvers?: { reviewer: string }[] };
      assert.deepEqual(
        outcome.approvers?.map((a) => a.reviewer),
        [ANA, ERIN],
      );
      return handle;
    },
  },
  {
    name: 'agent-executed',
    queue: 'current',
    async run(ctx, taskQueue) {
      const handle = await startAgent(ctx, taskQueue, this.name, AGENT_CALL);
      const { id } = await pendingRow(ctx.db, handle.workflowId);
      // A typed decision: the reviewer edits the subject.
      const values = { ...AGENT_CALL.args, subject: 'Your refund of EUR 40' };
      await approve(ctx, id, ANA, { values });
      const result = (await handle.result()) as { status: string; args?: unknown };
      assert.equal(result.status, 'EXECUTED');
      assert.deepEqual(result.args, values);
      return handle;
    },
  },
  {
    name: 'agent-refused',
    queue: 'current',
    async run(ctx, taskQueue) {
      const handle = await startAgent(ctx, taskQueue, this.name, AGENT_CALL);
      const { id } = await pendingRow(ctx.db, handle.workflowId);
      await reject(ctx, id, ANA, 'Not to this customer');
      assert.deepEqual(await handle.result(), { status: 'REFUSED', decidedBy: ANA, reason: 'Not to this customer' });
      return handle;
    },
  },
  {
    // Written by the code before the window limit (test/fixtures/legacy-workflows.ts):
    // today's code must still replay what runs of it left.
    name: 'legacy-order-approved',
    queue: 'legacy',
    async run(ctx, taskQueue) {
      const handle = await startOrder(ctx, taskQueue, this.name);
      const { id } = await pendingRow(ctx.db, handle.workflowId);
      await approve(ctx, id, ANA);
      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: ANA });
      return handle;
    },
  },
];

/** What the SDK names this process by: a worker's identity, and its sticky task queues' names. */
const PROCESS_NAME = `${process.pid}@${os.hostname()}`;

/** The machine and process that ran the tasks are not the fixture's business (and would change every run). */
function scrubProcessName(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll(PROCESS_NAME, 'countersign-histories');
  if (Array.isArray(value)) return value.map(scrubProcessName);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, scrubProcessName(inner)]));
  return value;
}

async function historyFile(handle: WorkflowHandle): Promise<string> {
  const history = await handle.fetchHistory();
  const failures = workflowTaskFailures(history);
  if (failures.length) throw new Error(`${handle.workflowId}: a workflow task failed: ${failures.join('; ')}`);
  const json = JSON.stringify(scrubProcessName(historyToJson(history)));
  const file = path.join(HISTORIES_DIR, 'x.json');
  return format(json, { ...(await resolveConfig(file)), filepath: file });
}

async function main(): Promise<void> {
  const { DATABASE_URL, TEMPORAL_ADDRESS } = process.env;
  if (!DATABASE_URL || !TEMPORAL_ADDRESS) {
    throw new Error(
      'Run it as `npm run histories:record`: it needs the throwaway services (DATABASE_URL and TEMPORAL_ADDRESS) that starts.',
    );
  }
  Runtime.install({ logger: createWorkerLogger('WARN') });
  const db = createDb(DATABASE_URL);
  const client = await connectTemporal(TEMPORAL_ADDRESS, process.env.TEMPORAL_NAMESPACE || 'default');
  const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
  const ctx: Context = { db, client };
  const workers: { worker: Worker; running: Promise<void> }[] = [];
  try {
    for (const email of [ANA, BEN, ERIN]) {
      await db.user.upsert({ where: { email }, create: { email, role: 'REVIEWER', passwordHash: null }, update: {} });
    }
    const finance = await db.group.upsert({ where: { name: FINANCE }, create: { name: FINANCE }, update: {}, select: { id: true } });
    const members = await db.user.findMany({ where: { email: { in: [ANA, BEN] } }, select: { id: true } });
    await db.groupMember.createMany({ data: members.map((m) => ({ groupId: finance.id, userId: m.id })), skipDuplicates: true });

    const bundle = (workflowsPath: string): Promise<WorkflowBundle> =>
      bundleWorkflowCode({ workflowsPath, logger: createWorkerLogger('WARN') });
    const [current, legacy] = await Promise.all([
      bundle(require.resolve('../worker/workflows')),
      bundle(require.resolve('../test/fixtures/legacy-workflows')),
    ]);
    const startWorker = async (taskQueue: string, workflowBundle: WorkflowBundle, approvalWindowMs: number) => {
      const worker = await Worker.create({
        connection,
        taskQueue,
        workflowBundle,
        activities: createActivities({ db, approvalWindowMs, approvalWindows: WINDOWS }),
      });
      const started = { worker, running: worker.run() };
      workers.push(started);
      return started;
    };
    const queues: Record<Queue, string> = { current: 'histories', short: 'histories-short', legacy: 'histories-legacy' };
    await Promise.all([
      startWorker(queues.current, current, LONG_WINDOW_MS),
      startWorker(queues.short, current, SHORT_WINDOW_MS),
      startWorker(queues.legacy, legacy, LONG_WINDOW_MS),
    ]);

    const files = new Map<string, string>();
    const record = async (name: string, handle: Promise<WorkflowHandle>) => {
      files.set(name, await historyFile(await handle));
      log(`${name}: recorded`);
    };
    // The quick ones one after another (a person has only a few decisions in
    // flight at once), alongside the ones that wait for windows to pass. Every
    // recording runs to its end before a failure is reported.
    const quick = RECORDINGS.filter((r) => r.queue !== 'short');
    const slow = RECORDINGS.filter((r) => r.queue === 'short');
    const settled = await Promise.allSettled([
      (async () => {
        for (const r of quick) await record(r.name, r.run(ctx, queues[r.queue]));
      })(),
      ...slow.map((r) => record(r.name, r.run(ctx, queues[r.queue]))),
      record('legacy-order-expired', recordLegacyExpiry(ctx, connection, current, legacy)),
    ]);
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    if (failed.length) throw new AggregateError(failed, `${failed.length} recording(s) failed; nothing was written`);

    fs.mkdirSync(HISTORIES_DIR, { recursive: true });
    for (const stale of fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json') && !files.has(f.slice(0, -'.json'.length)))) {
      fs.rmSync(path.join(HISTORIES_DIR, stale));
      log(`${stale}: removed (no longer recorded)`);
    }
    for (const [name, text] of files) fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), text);
    log(`${files.size} histories in ${path.relative(ROOT, HISTORIES_DIR)}`);
  } finally {
    // Stopped here also when something failed, so that the first error is the one reported.
    for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.allSettled(workers.map((w) => w.running));
    await connection.close();
    await client.connection.close();
    await db.$disconnect();
  }
}

/**
 * A run started before the window limit, across the deploy that gives it an
 * end: it starts on the legacy code, then today's worker takes over; after its
 * windows the approval activity ends it EXPIRED.
 */
async function recordLegacyExpiry(ctx: Context, connection: NativeConnection, current: WorkflowBundle, legacy: WorkflowBundle) {
  const taskQueue = 'histories-legacy-deploy';
  const activities = createActivities({ db: ctx.db, approvalWindowMs: SHORT_WINDOW_MS, approvalWindows: WINDOWS });
  const before = await Worker.create({ connection, taskQueue, workflowBundle: legacy, activities });
  const handle = await before.runUntil(async () => {
    const started = await startOrder(ctx, taskQueue, 'legacy-order-expired');
    await pendingRow(ctx.db, started.workflowId);
    return started;
  });
  const after = await Worker.create({ connection, taskQueue, workflowBundle: current, activities });
  await after.runUntil(async () => assert.deepEqual(await handle.result(), { status: 'EXPIRED' }));
  return handle;
}

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[histories] ${describe(error)}`);
    if (error instanceof AggregateError) for (const inner of error.errors) console.error(`[histories] ${describe(inner)}`);
    process.exit(1);
  },
);
