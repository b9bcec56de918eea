// `npm run worker`: runs orderWorkflow and the approval activities.
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { getDb } from '../lib/db';
import { approvalsEnv, temporalEnv } from '../lib/env';
import { createActivities } from './activities';

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

async function main(): Promise<void> {
  const level = (process.env.WORKER_LOG_LEVEL ?? 'INFO').toUpperCase();
  if (!LOG_LEVELS.includes(level as LogLevel)) throw new Error(`WORKER_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  Runtime.install({ logger: new DefaultLogger(level as LogLevel) });
  const { TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE } = temporalEnv();
  const { APPROVAL_WINDOW } = approvalsEnv();

  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
  } catch (error) {
    throw new Error(
      `Cannot reach the Temporal server at ${TEMPORAL_ADDRESS} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start it (`npm run dev` does) or set TEMPORAL_ADDRESS.',
    );
  }
  const db = getDb();
  try {
    const worker = await Worker.create({
      connection,
      namespace: TEMPORAL_NAMESPACE,
      taskQueue: TEMPORAL_TASK_QUEUE,
      workflowsPath: require.resolve('./workflows'),
      activities: createActivities({ db, approvalWindowMs: APPROVAL_WINDOW }),
    });
    // SIGINT and SIGTERM make the SDK shut the worker down; run() then resolves.
    console.log(`[worker] ready: task queue "${TEMPORAL_TASK_QUEUE}" on ${TEMPORAL_ADDRESS}, namespace "${TEMPORAL_NAMESPACE}", approval window ${APPROVAL_WINDOW / 1000}s`);
    await worker.run();
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
