// Shared setup for the integration tests. They run against a real Temporal dev
// server and a real PostgreSQL, named by DATABASE_URL, TEMPORAL_ADDRESS and
// TEMPORAL_CLI (scripts/with-services.ts provides all three).
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { APPROVAL_ACTIVITY_ID, DEFAULT_APPROVAL_WINDOWS, type ApprovalRequest } from '../../lib/contract/approval';
import { startOrderApproval } from '../../lib/approvals/commands/start-order';
import { createDb, type Db } from '../../lib/db';
import type { Role } from '../../lib/auth/access';
import type { Order } from '../../lib/contract/orders';
import { connectTemporal } from '../../lib/temporal';
import { createActivities, type Activities } from '../../worker/activities';
import { createWorkerLogger } from '../../worker/logger';
import type { orderWorkflow } from '../../worker/workflows';
import type { bareApprovalWorkflow, BareApprovalOptions } from './workflows';

export const ROOT = path.resolve(__dirname, '..', '..');
export const NAMESPACE = process.env.TEMPORAL_NAMESPACE || 'default';

export interface IntegrationEnv {
  databaseUrl: string;
  temporalAddress: string;
  temporalCli: string;
}

function readIntegrationEnv(): IntegrationEnv {
  const { DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_CLI } = process.env;
  if (!DATABASE_URL || !TEMPORAL_ADDRESS || !TEMPORAL_CLI) {
    const missing = Object.entries({ DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_CLI })
      .filter(([, value]) => !value)
      .map(([name]) => name);
    throw new Error(
      `The integration tests need a real PostgreSQL and Temporal server; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set.\n` +
        'Run them with `npm run test:services` (scripts/with-services.ts starts both and sets the variables), or set\n' +
        '  DATABASE_URL=postgresql://user:password@host:port/db  TEMPORAL_ADDRESS=host:port  TEMPORAL_CLI=/path/to/temporal',
    );
  }
  try {
    fs.accessSync(TEMPORAL_CLI, fs.constants.X_OK);
  } catch {
    throw new Error(`TEMPORAL_CLI=${TEMPORAL_CLI} is not an executable file (the \`temporal\` CLI binary).`);
  }
  return { databaseUrl: DATABASE_URL, temporalAddress: TEMPORAL_ADDRESS, temporalCli: TEMPORAL_CLI };
}

/** Read when a test file loads it: a missing variable fails the file at once, with the reason. */
export const env = readIntegrationEnv();

// Warnings and errors only: the SDK's info lines would bury the test report.
Runtime.install({ logger: createWorkerLogger('WARN') });

/** A database client, checked to be reachable before any test uses it. */
export async function openDb(): Promise<Db> {
  const db = createDb(env.databaseUrl);
  try {
    await db.$queryRaw`SELECT 1`;
  } catch (error) {
    await db.$disconnect();
    throw new Error(`Cannot reach PostgreSQL at DATABASE_URL (${error instanceof Error ? error.message : String(error)})`);
  }
  return db;
}

export interface Services {
  db: Db;
  client: Client;
  /** The worker side's connection, shared by the per-test workers of one file. */
  connection: NativeConnection;
  /** Workflows the tests started; close() terminates any still running. */
  started: string[];
  close(): Promise<void>;
}

export async function openServices(): Promise<Services> {
  const db = await openDb();
  const client = await connectTemporal(env.temporalAddress, NAMESPACE);
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const started: string[] = [];
  return {
    db,
    client,
    connection,
    started,
    async close() {
      // A failed test may leave its workflow waiting for a decision nobody will make.
      await Promise.all(started.map((workflowId) => terminateIfRunning(client, workflowId)));
      await connection.close();
      await client.connection.close();
      await db.$disconnect();
    },
  };
}

/**
 * The services for the tests of the enclosing describe(): opened before them,
 * closed after (workflows the tests left running are terminated).
 */
export function useServices(): Services {
  const services = {} as Services;
  before(async () => {
    Object.assign(services, await openServices());
  });
  after(async () => {
    await services.close?.();
  });
  return services;
}

async function terminateIfRunning(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') await handle.terminate('integration test cleanup');
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

const bundles = new Map<string, Promise<WorkflowBundle>>();

/** The workflows bundled once per test file (each file is its own process): worker/workflows.ts unless told. */
function workflowBundle(workflowsPath = require.resolve('../../worker/workflows')): Promise<WorkflowBundle> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: createWorkerLogger('WARN') });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

export interface WorkerOptions {
  /** The approval window; 60 s unless told. */
  approvalWindowMs?: number;
  /** Windows before a request expires; 2 unless told. */
  approvalWindows?: number;
  /** Workflows to run instead of worker/workflows.ts (a test's own). */
  workflowsPath?: string;
  /** Runs on this task queue instead of a fresh one. */
  taskQueue?: string;
  /** Changes the real activities (say, to slow one down). */
  activities?: (real: Activities) => Activities;
}

export const uniqueTaskQueue = () => `test-${randomUUID()}`;

/**
 * Runs `fn` while a worker (real activities, a 60 s approval window unless told) polls a task
 * queue of its own, then shuts the worker down.
 */
export async function withWorker<R>(
  services: Services,
  fn: (taskQueue: string) => Promise<R>,
  {
    approvalWindowMs = 60_000,
    approvalWindows = DEFAULT_APPROVAL_WINDOWS,
    workflowsPath,
    taskQueue = uniqueTaskQueue(),
    activities = (real) => real,
  }: WorkerOptions = {},
): Promise<R> {
  const worker = await Worker.create({
    connection: services.connection,
    namespace: NAMESPACE,
    taskQueue,
    workflowBundle: await workflowBundle(workflowsPath),
    activities: activities(createActivities({ db: services.db, approvalWindowMs, approvalWindows })),
  });
  return worker.runUntil(() => fn(taskQueue));
}

/** A valid order with a fresh id, so no two tests (or runs) share data. */
export function newOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: `t-${randomUUID()}`,
    customer: 'Integration Test Ltd',
    amount: 420.5,
    currency: 'USD',
    items: [{ sku: 'SKU-1', qty: 2 }],
    ...overrides,
  };
}

/** A fresh email for a made-up person: `label-<hex>@example.com`, lower-case, so no two tests (or runs) share it. */
export const newEmail = (label = 'reviewer') => `${label}-${randomBytes(6).toString('hex')}@example.com`;

/**
 * Creates an active user (no password: as one invited, who never signs in
 * here) who may decide and claim requests, and returns their email. Deciders
 * must be real, active users. `groups`: names of groups they belong to,
 * created when missing. Users are never deleted: tests use fresh identities.
 */
export async function newReviewer(
  db: Db,
  label = 'reviewer',
  { role = 'REVIEWER', groups = [] }: { role?: Role; groups?: string[] } = {},
): Promise<string> {
  const email = newEmail(label);
  const user = await db.user.create({ data: { email, role, passwordHash: null }, select: { id: true } });
  for (const name of groups) {
    const group = await db.group.upsert({ where: { name }, create: { name }, update: {}, select: { id: true } });
    await db.groupMember.create({ data: { groupId: group.id, userId: user.id } });
  }
  return email;
}

/** A group with a fresh name (`label-<hex>`), and no members. */
export async function newGroup(db: Db, label = 'group'): Promise<string> {
  const name = `${label}-${randomBytes(4).toString('hex')}`;
  await db.group.create({ data: { name } });
  return name;
}

/** Starts orderWorkflow through the domain function the app uses, and remembers it for cleanup. */
export async function startOrder(services: Services, taskQueue: string, order: Order): Promise<WorkflowHandle<typeof orderWorkflow>> {
  const { workflowId, runId } = await startOrderApproval(services.client, taskQueue, order);
  services.started.push(workflowId);
  return services.client.workflow.getHandle<typeof orderWorkflow>(workflowId, runId);
}

/** Polls `probe` until it returns a value (not undefined, null or false); no fixed sleeps. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

/** The approval row of a workflow, task token included (the client omits it by default). */
export function findApproval(db: Db, workflowId: string) {
  return db.approvalRequest.findUnique({
    where: { workflowId_activityId: { workflowId, activityId: APPROVAL_ACTIVITY_ID } },
    omit: { taskToken: false },
  });
}

/** Starts orderWorkflow and waits until the inbox holds its pending request (task token included). */
export async function startPendingOrder(services: Services, taskQueue: string, order: Order = newOrder()) {
  const handle = await startOrder(services, taskQueue, order);
  const pending = await waitForPendingApproval(services.db, handle.workflowId);
  return { handle, pending };
}

/** Waits for the requestApproval activity to have stored its request. */
export async function waitForPendingApproval(db: Db, workflowId: string) {
  return waitFor(`the approval request of ${workflowId}`, async () => {
    const row = await findApproval(db, workflowId);
    return row?.status === 'PENDING' && row.taskToken ? { ...row, taskToken: row.taskToken } : undefined;
  });
}

async function approvalHistory(handle: WorkflowHandle) {
  const { events } = await handle.fetchHistory();
  const scheduled = new Set(
    (events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityId === APPROVAL_ACTIVITY_ID).map((e) => String(e.eventId)),
  );
  return { events, scheduled };
}

/** How the approval activity closed in history (completed, failed, timed out, cancelled): one entry per closing. */
export async function approvalClosings(handle: WorkflowHandle): Promise<string[]> {
  const { events, scheduled } = await approvalHistory(handle);
  return (events ?? []).flatMap((e) => {
    const closing = (
      [
        ['COMPLETED', e.activityTaskCompletedEventAttributes],
        ['FAILED', e.activityTaskFailedEventAttributes],
        ['TIMED_OUT', e.activityTaskTimedOutEventAttributes],
        ['CANCELLED', e.activityTaskCanceledEventAttributes],
      ] as const
    ).find(([, attributes]) => attributes && scheduled.has(String(attributes.scheduledEventId)));
    return closing ? [closing[0]] : [];
  });
}

/** Attempts of the approval activity that Temporal recorded as started, from the workflow history. */
export async function approvalAttemptsStarted(handle: WorkflowHandle): Promise<number[]> {
  const { events, scheduled } = await approvalHistory(handle);
  return (events ?? [])
    .map((e) => e.activityTaskStartedEventAttributes)
    .filter((started) => started && scheduled.has(String(started.scheduledEventId)))
    .map((started) => started?.attempt ?? 0);
}

/**
 * Starts the tests' bareApprovalWorkflow (test/integration/workflows: a
 * third-party workflow that never records its outcome) and waits for its row.
 */
export async function startBareApproval(
  services: Services,
  taskQueue: string,
  request: ApprovalRequest = { title: `Third-party approval ${randomUUID()}`, amount: 75, currency: 'EUR', requester: 'ops@example.com' },
  options: BareApprovalOptions = {},
) {
  const workflowId = `bare-${randomUUID()}`;
  const handle = await services.client.workflow.start<typeof bareApprovalWorkflow>('bareApprovalWorkflow', {
    workflowId,
    taskQueue,
    args: [request, options],
  });
  services.started.push(workflowId);
  return { handle, pending: await waitForPendingApproval(services.db, workflowId) };
}

/** A TCP proxy to `target` that can be frozen: bytes stop flowing both ways, connections stay open. */
export async function freezableProxy(target: string): Promise<{ address: string; freeze(): void; close(): void }> {
  const [host = '127.0.0.1', targetPort = '0'] = target.split(':');
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('error', () => undefined);
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
      });
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    freeze: () => void (frozen = true),
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/**
 * The suites share one database and nothing dispatches the outbox in them, so
 * the events other suites left would be sent by a suite that dispatches (and
 * fill its batches). A suite that dispatches starts from an outbox where
 * nothing is due: what others left is not its to send.
 */
export async function settleOutbox(db: Db): Promise<void> {
  await db.outboxMessage.updateMany({ where: { status: 'PENDING' }, data: { status: 'SENT', sentAt: new Date() } });
}
