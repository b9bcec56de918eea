// Faults: a worker killed (SIGKILL) before or after it wrote the row, a
// Temporal dev server restarted on its db file, a Temporal server that stops
// answering, and a database that fails after Temporal took the decision.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { NativeConnection, Worker } from '@temporalio/worker';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { approveInputSchema, decideApproval, rejectInputSchema } from '../../lib/approvals/commands/decide';
import { ApprovalError } from '../../lib/approvals/errors';
import { startOrderApproval } from '../../lib/approvals/commands/start-order';
import { connectTemporal } from '../../lib/temporal';
import { orderWorkflowId } from '../../lib/contract/orders';
import { freePorts, killGroup } from '../../scripts/processes';
import { startTemporalServer } from '../../scripts/temporal';
import { createActivities } from '../../worker/activities';
import type { orderWorkflow } from '../../worker/workflows';
import {
  env,
  findApproval,
  freezableProxy,
  newOrder,
  newReviewer,
  ROOT,
  type Services,
  uniqueTaskQueue,
  useServices,
  waitFor,
  waitForPendingApproval,
} from './helpers';

/** `npm run worker`'s entry point as a process of its own group, so SIGKILL takes all of it. */
function startWorkerProcess(extraEnv: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: env.databaseUrl, TEMPORAL_ADDRESS: env.temporalAddress, APPROVAL_WINDOW: '1h', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    output: () => output,
    ready: () =>
      waitFor(
        'the worker to be ready',
        async () => output.includes('[worker] ready') || (child.exitCode !== null && Promise.reject(new Error(output))),
        // It bundles the workflow code at start: seconds on a quiet machine, far more on a loaded one.
        { timeoutMs: 60_000 },
      ),
    async kill(signal: NodeJS.Signals) {
      if (child.pid) killGroup(child.pid, signal);
      await exited;
    },
  };
}

/** A TCP server that accepts connections and never answers: a database that hangs. */
async function blackHole(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const pendingActivityState = async (services: Services, workflowId: string) =>
  (await services.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities?.find(
    (a) => a.activityId === APPROVAL_ACTIVITY_ID,
  )?.state;

describe('faults', { timeout: 240_000 }, () => {
  const services = useServices();
  const approve = (id: string, email: string, temporal = services.client) =>
    decideApproval({ db: services.db, temporal }, { decision: 'APPROVED', ...approveInputSchema.parse({ id }) }, { email });

  test('worker killed (SIGKILL) after the activity started, before the row was written: the request appears within seconds, and is decided', async () => {
    const { db, client } = services;
    const taskQueue = uniqueTaskQueue();
    const hole = await blackHole();
    // Its database hangs: the activity starts, then waits forever on the write.
    const doomed = startWorkerProcess({
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: `postgresql://countersign:countersign@127.0.0.1:${hole.port}/countersign`,
    });
    let rescuer: ReturnType<typeof startWorkerProcess> | undefined;
    try {
      await doomed.ready();
      const order = newOrder();
      const { workflowId } = await startOrderApproval(client, taskQueue, order);
      services.started.push(workflowId);
      await waitFor('the approval activity to start', async () => (await pendingActivityState(services, workflowId)) === 2);
      await doomed.kill('SIGKILL');
      assert.equal(await findApproval(db, workflowId), null, 'the row was never written');

      // The window is an hour: only the reconciler can bring it back in time.
      rescuer = startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue, RECONCILE_INTERVAL: '1s', RECONCILE_GRACE: '2s' });
      await rescuer.ready();
      const row = await waitFor('the reconciler to write the request', () => findApproval(db, workflowId), {
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      assert.equal(row.status, 'PENDING');
      assert.equal(row.attempt, 1, 'no window was spent');
      assert.equal(row.taskToken, null);
      assert.match(rescuer.output(), /\[reconciler\] checked \d+: 1 written from history/);

      const reviewer = await newReviewer(db, 'rescued');
      await approve(row.id, reviewer);
      assert.deepEqual(await client.workflow.getHandle<typeof orderWorkflow>(workflowId).result(), {
        status: 'FULFILLED',
        decidedBy: reviewer,
      });
    } finally {
      await doomed.kill('SIGKILL');
      await rescuer?.kill('SIGTERM');
      hole.close();
    }
  });

  test('worker killed (SIGKILL) after the row was written: the request is still decidable, and the workflow finishes when a worker returns', async () => {
    const { db, client } = services;
    const taskQueue = uniqueTaskQueue();
    const first = startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue });
    let second: ReturnType<typeof startWorkerProcess> | undefined;
    try {
      await first.ready();
      const { workflowId } = await startOrderApproval(client, taskQueue, newOrder());
      services.started.push(workflowId);
      const pending = await waitForPendingApproval(db, workflowId);
      await first.kill('SIGKILL');

      const reviewer = await newReviewer(db, 'after-kill');
      const decided = await approve(pending.id, reviewer);
      assert.equal(decided.recorded, true);
      assert.equal((await findApproval(db, workflowId))?.status, 'APPROVED');

      second = startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue });
      await second.ready();
      assert.deepEqual(await client.workflow.getHandle<typeof orderWorkflow>(workflowId).result(), {
        status: 'FULFILLED',
        decidedBy: reviewer,
      });
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
    }
  });

  test('Temporal dev server restarted on its db file: a pending request is still decidable', async () => {
    const { db } = services;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-restart-'));
    const [port = 0] = await freePorts(1);
    const serverOptions = { bin: env.temporalCli, port, dbFile: path.join(dir, 'temporal.db'), log: () => undefined };
    const taskQueue = uniqueTaskQueue();
    const runWorker = async (address: string, fn: () => Promise<unknown>) => {
      const connection = await NativeConnection.connect({ address });
      try {
        const worker = await Worker.create({
          connection,
          taskQueue,
          workflowsPath: require.resolve('../../worker/workflows'),
          activities: createActivities({ db, approvalWindowMs: 3_600_000, approvalWindows: 2 }),
        });
        await worker.runUntil(fn);
      } finally {
        await connection.close();
      }
    };

    let server = await startTemporalServer(serverOptions);
    try {
      const before = await connectTemporal(server.address, 'default');
      const order = newOrder();
      const pending = await (async () => {
        try {
          let row: Awaited<ReturnType<typeof waitForPendingApproval>> | undefined;
          await runWorker(server.address, async () => {
            await startOrderApproval(before, taskQueue, order);
            row = await waitForPendingApproval(db, orderWorkflowId(order.id));
          });
          assert.ok(row);
          return row;
        } finally {
          await before.connection.close();
        }
      })();

      await server.stop();
      server = await startTemporalServer(serverOptions);

      const after = await connectTemporal(server.address, 'default');
      try {
        const reviewer = await newReviewer(db, 'restart');
        await approve(pending.id, reviewer, after);
        await runWorker(server.address, async () => {
          assert.deepEqual(await after.workflow.getHandle(orderWorkflowId(order.id)).result(), {
            status: 'FULFILLED',
            decidedBy: reviewer,
          });
        });
      } finally {
        await after.connection.close();
      }
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a Temporal server that stops answering: the decision fails within the 5 s deadline, with a clear message, and nothing changes', async () => {
    const { db, client } = services;
    const taskQueue = uniqueTaskQueue();
    const worker = startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue });
    const proxy = await freezableProxy(env.temporalAddress);
    const throughProxy = await connectTemporal(proxy.address, 'default');
    try {
      await worker.ready();
      const { workflowId } = await startOrderApproval(client, taskQueue, newOrder());
      services.started.push(workflowId);
      const pending = await waitForPendingApproval(db, workflowId);

      const reviewer = await newReviewer(db, 'frozen');
      proxy.freeze();
      const started = Date.now();
      await assert.rejects(
        decideApproval(
          { db, temporal: throughProxy },
          { decision: 'REJECTED', ...rejectInputSchema.parse({ id: pending.id, reason: 'frozen' }) },
          { email: reviewer },
        ),
        (error) => error instanceof ApprovalError && error.code === 'TEMPORAL_UNAVAILABLE' && /did not confirm in time/.test(error.message),
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 7_000, `answered after ${elapsed} ms`);
      const row = await findApproval(db, workflowId);
      assert.equal(row?.status, 'PENDING');
      assert.equal(await db.auditEvent.count({ where: { approvalRequestId: pending.id, action: { in: ['APPROVED', 'REJECTED'] } } }), 0);
      assert.equal(await pendingActivityState(services, workflowId), 2, 'Temporal still waits for the decision');
    } finally {
      proxy.close();
      await throughProxy.connection.close().catch(() => undefined);
      await worker.kill('SIGTERM');
    }
  });

  test('the database fails after Temporal took the decision: the reviewer is told it went through, and the row is reconciled', async () => {
    const { db, client } = services;
    const taskQueue = uniqueTaskQueue();
    const worker = startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue });
    const tag = randomBytes(6).toString('hex');
    try {
      await worker.ready();
      const { workflowId } = await startOrderApproval(client, taskQueue, newOrder());
      services.started.push(workflowId);
      const pending = await waitForPendingApproval(db, workflowId);
      // A real PostgreSQL error on the dashboard's own write of this row only.
      await db.$executeRawUnsafe(
        `CREATE FUNCTION test_fail_${tag}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.id = '${pending.id}' AND NEW.decision_path = 'DASHBOARD' THEN RAISE EXCEPTION 'injected failure'; END IF;
           RETURN NEW;
         END $$`,
      );
      await db.$executeRawUnsafe(
        `CREATE TRIGGER test_fail_${tag} BEFORE UPDATE ON approval_requests FOR EACH ROW EXECUTE FUNCTION test_fail_${tag}()`,
      );
      const reviewer = await newReviewer(db, 'db-down');
      const decided = await approve(pending.id, reviewer);
      assert.equal(decided.recorded, false, 'Temporal has it; the row did not take it');
      await db.$executeRawUnsafe(`DROP TRIGGER test_fail_${tag} ON approval_requests`);

      // The workflow records its outcome. Nothing in it can prove the dashboard sent it (anyone with
      // Temporal access could send the same), so it is EXTERNAL: reviewer named by the caller.
      assert.deepEqual(await client.workflow.getHandle<typeof orderWorkflow>(workflowId).result(), {
        status: 'FULFILLED',
        decidedBy: reviewer,
      });
      const row = await findApproval(db, workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.decidedBy, reviewer);
      assert.equal(row?.decisionPath, 'EXTERNAL');
      assert.equal(await db.auditEvent.count({ where: { approvalRequestId: pending.id, action: 'APPROVED' } }), 1);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_fail_${tag} ON approval_requests`);
      await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_fail_${tag}()`);
      await worker.kill('SIGTERM');
    }
  });
});
