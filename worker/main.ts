// `npm run worker`: runs orderWorkflow and the approval activities.
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { getDb } from '../lib/db';
import { approvalsEnv, databaseEnv, mailEnv, reconcilerEnv, temporalEnv, workerTelemetryEnv } from '../lib/env';
import { createEmailHandler } from '../lib/email/notify';
import { createEventHandler } from '../lib/outbox/event-handler';
import { createActivities } from './activities';
import { createWorkerLogger, parseLogLevel } from './logger';
import { startOutboxLoop } from './outbox-loop';
import { webhookHandlers } from '../lib/webhooks/deliver';
import { startReconciler } from './reconciler/loop';
import { createSweeper } from './reconciler/sweep';
import { cannotReachTemporal, describeTemporalConnection, temporalConnectionOptions } from '../lib/temporal-connection';
import { installWorkerRuntime } from './telemetry';
import { describeWorkflowSource, workflowSource } from './bundle';

/** Resolves once the worker polls its task queue; rejects if it stops first. */
async function untilPolling(worker: Worker, running: Promise<void>): Promise<void> {
  let settled = false;
  const watch = running.finally(() => (settled = true));
  while (worker.getState() !== 'RUNNING') {
    if (settled) return watch;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function main(): Promise<void> {
  // Every setting is checked before anything connects: a bad or missing one
  // (DATABASE_URL in production) stops the worker, named, whatever else is down.
  databaseEnv();
  const temporalSettings = temporalEnv(); // TLS files read and checked here
  const { TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE } = temporalSettings;
  const { APPROVAL_WINDOW, APPROVAL_WINDOWS } = approvalsEnv();
  const { RECONCILE_INTERVAL, RECONCILE_GRACE } = reconcilerEnv();
  const { SMTP_URL, MAIL_FROM, NEXTAUTH_URL, OUTBOX_INTERVAL, OUTBOX_LEASE } = mailEnv();
  const workflows = workflowSource(); // WORKFLOW_BUNDLE: a prebuilt bundle, checked here
  // Before any connection: the SDK's metrics (WORKER_METRICS_ADDRESS) are part of the runtime the first connection creates.
  const { metricsAddress } = installWorkerRuntime(createWorkerLogger(parseLogLevel(process.env.WORKER_LOG_LEVEL)));
  if (metricsAddress) console.log(`[worker] Temporal SDK metrics at http://${metricsAddress}/metrics`);

  let connection: NativeConnection;
  try {
    // The web's settings and builder: the same TLS, client certificate and API key.
    connection = await NativeConnection.connect(temporalConnectionOptions(temporalSettings));
  } catch (error) {
    throw new Error(cannotReachTemporal(temporalSettings, error));
  }
  const db = getDb();
  // The reconciler's client shares the worker's connection: one connection to Temporal per process.
  const client = new Client({ connection, namespace: TEMPORAL_NAMESPACE });
  try {
    const worker = await Worker.create({
      connection,
      namespace: TEMPORAL_NAMESPACE,
      taskQueue: TEMPORAL_TASK_QUEUE,
      ...workflows,
      maxCachedWorkflows: workerTelemetryEnv().WORKER_MAX_CACHED_WORKFLOWS,
      activities: createActivities({ db, approvalWindowMs: APPROVAL_WINDOW, approvalWindows: APPROVAL_WINDOWS }),
    });
    // SIGINT and SIGTERM make the SDK shut the worker down; run() then resolves.
    const running = worker.run();
    await untilPolling(worker, running);
    const sweeper = createSweeper({ db, temporal: client, graceMs: RECONCILE_GRACE }, { taskQueue: TEMPORAL_TASK_QUEUE });
    const reconciler = startReconciler(sweeper, RECONCILE_INTERVAL);
    // No SMTP_URL: no mail (said once, here); events still reach webhooks.
    if (!SMTP_URL) console.log('[worker] SMTP_URL is not set: no email is sent');
    const outbox = startOutboxLoop(db, {
      intervalMs: OUTBOX_INTERVAL,
      leaseMs: OUTBOX_LEASE,
      handlers: {
        EVENT: createEventHandler({ mail: Boolean(SMTP_URL) }),
        EMAIL: createEmailHandler({ smtpUrl: SMTP_URL, from: MAIL_FROM, baseUrl: NEXTAUTH_URL }),
        ...webhookHandlers,
      },
    });
    console.log(
      `[worker] ready: task queue "${TEMPORAL_TASK_QUEUE}" on ${describeTemporalConnection(temporalSettings)}, namespace "${TEMPORAL_NAMESPACE}", ` +
        `approval window ${APPROVAL_WINDOW / 1000}s × ${APPROVAL_WINDOWS}, reconciling every ${RECONCILE_INTERVAL / 1000}s, ` +
        `outbox every ${OUTBOX_INTERVAL / 1000}s${SMTP_URL ? `, mail via ${new URL(SMTP_URL).host}` : ''}, ${describeWorkflowSource(workflows)}`,
    );
    try {
      await running;
    } finally {
      await Promise.all([reconciler.stop(), outbox.stop()]);
    }
    console.log('[worker] stopped');
  } finally {
    await connection.close();
    await db.$disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[worker] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
