// Demo data for `npm run dev` and `npm run db:seed`: the demo users (only into
// an empty users table) and a few order workflows waiting for approval. The
// worker writes the inbox rows when it runs their approval activity.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApprovalError } from '../lib/approvals/errors';
import { startOrderApproval } from '../lib/approvals/commands/start-order';
import { createDb, type Db } from '../lib/db';
import { databaseEnv, temporalEnv } from '../lib/env';
import { orderSchema, orderWorkflowId, type Order } from '../lib/contract/orders';
import { connectTemporal } from '../lib/temporal';
import { DEMO_USERS, seedDemoUsers } from '../lib/auth/users';

const DEMO_ORDERS: readonly Order[] = [
  { id: 'demo-1001', customer: 'ACME', amount: 1200, currency: 'USD', items: [{ sku: 'ANVIL-50', qty: 4 }], requestedBy: 'Wile E. Coyote' },
  {
    id: 'demo-1002',
    customer: 'Globex',
    amount: 18450.5,
    currency: 'EUR',
    items: [
      { sku: 'REACTOR-CORE', qty: 1 },
      { sku: 'COOLANT-20L', qty: 12 },
    ],
    requestedBy: 'Hank Scorpio',
  },
  {
    id: 'demo-1003',
    customer: 'Initech',
    amount: 89.99,
    currency: 'USD',
    items: [{ sku: 'STAPLER-RED', qty: 1 }],
    requestedBy: 'Milton Waddams',
  },
  { id: 'demo-1004', customer: 'ACME', amount: 7300, currency: 'GBP', items: [{ sku: 'ROCKET-SKATES', qty: 2 }] },
  {
    id: 'demo-1005',
    customer: 'Initech',
    amount: 250000,
    currency: 'JPY',
    items: [{ sku: 'TPS-COVER', qty: 500 }],
    requestedBy: 'Bill Lumbergh',
  },
];

/** Demo groups and a policy, so the demo shows routing: created only when there are no groups yet. */
const DEMO_GROUPS = [
  { name: 'finance', description: 'Approves spend', members: DEMO_USERS.map((u) => u.email) },
  { name: 'ops', description: 'Approves deploys and agent actions', members: ['admin@example.com'] },
] as const;

const DEMO_POLICY = {
  name: 'large-payments',
  description: 'Payments: finance decides; over 10,000 needs two people; ops joins after the first window.',
  approverGroups: ['finance'],
  quorum: 1,
  quorumRules: [{ amountOver: 10_000, quorum: 2 }],
  fourEyes: true,
  escalateGroups: ['ops'],
};

/** Requests that are not orders: a payment under the demo policy (two approvals) and an AI agent's tool call. */
const DEMO_REQUESTS = [
  {
    workflowId: 'demo-payment-2001',
    workflowType: 'approvalWorkflow',
    args: [
      {
        version: 2,
        title: 'Pay invoice INV-2001 to Umbrella Corp',
        summary: 'Quarterly licence renewal',
        requester: 'Albert Wesker',
        amount: 24_000,
        currency: 'USD',
        policy: 'large-payments',
        links: [{ label: 'Invoice INV-2001', url: 'https://example.com/invoices/INV-2001' }],
      },
    ],
  },
  {
    workflowId: 'demo-agent-3001',
    workflowType: 'agentToolWorkflow',
    args: [
      {
        tool: 'send_email',
        requestedBy: 'support-agent',
        args: { to: 'customer@example.com', subject: 'Your refund', body: 'Hello, your refund of 40 USD has been approved.' },
      },
    ],
  },
] as const;

async function seedDemoGroups(db: Db): Promise<boolean> {
  if ((await db.group.count()) > 0) return false;
  for (const group of DEMO_GROUPS) {
    const users = await db.user.findMany({ where: { email: { in: [...group.members] } }, select: { id: true } });
    await db.group.create({
      data: { name: group.name, description: group.description, members: { create: users.map((u) => ({ userId: u.id })) } },
    });
  }
  await db.policy.upsert({ where: { name: DEMO_POLICY.name }, create: DEMO_POLICY, update: {} });
  return true;
}

export interface SeedOptions {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  log?: (line: string) => void;
}

export interface SeedResult {
  usersCreated: boolean;
  started: string[];
  skipped: string[];
}

/**
 * Whether this demo order was requested before: Temporal refuses a second
 * workflow for an order id (start-order-approval's reuse policy), and an
 * inbox row may outlive the workflow's retention in Temporal.
 */
async function alreadyRequested(db: Db, workflowId: string): Promise<boolean> {
  return (await db.approvalRequest.findFirst({ where: { workflowId }, select: { id: true } })) !== null;
}

/** The demo users' passwords are public: a production database never gets them. */
function refuseInProduction(): void {
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'Refusing to seed: NODE_ENV=production, and the demo users have published passwords. Nothing was created. ' +
        'Create real users with `npm run user -- --email E --role admin|reviewer`.',
    );
  }
}

export async function seed(options: SeedOptions): Promise<SeedResult> {
  refuseInProduction();
  const log = options.log ?? console.log;
  const db = createDb(options.databaseUrl);
  try {
    const usersCreated = await seedDemoUsers(db);
    log(
      usersCreated ? `created the demo users: ${DEMO_USERS.map((u) => u.email).join(', ')}` : 'users exist already: no demo users created',
    );

    let client: Client;
    try {
      client = await connectTemporal(options.temporalAddress, options.namespace);
    } catch (error) {
      throw new Error(`Cannot reach Temporal at ${options.temporalAddress}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const started: string[] = [];
    const skipped: string[] = [];
    if (await seedDemoGroups(db))
      log(`created the demo groups (${DEMO_GROUPS.map((g) => g.name).join(', ')}) and policy ${DEMO_POLICY.name}`);
    try {
      for (const demo of DEMO_REQUESTS) {
        if (await alreadyRequested(db, demo.workflowId)) {
          skipped.push(demo.workflowId);
          continue;
        }
        try {
          await client.workflow.start(demo.workflowType, {
            workflowId: demo.workflowId,
            taskQueue: options.taskQueue,
            args: [...demo.args],
          });
          started.push(demo.workflowId);
        } catch (error) {
          if (error instanceof WorkflowExecutionAlreadyStartedError) skipped.push(demo.workflowId);
          else throw error;
        }
      }
      for (const order of DEMO_ORDERS) {
        const workflowId = orderWorkflowId(order.id);
        if (await alreadyRequested(db, workflowId)) {
          skipped.push(workflowId);
          continue;
        }
        try {
          await startOrderApproval(client, options.taskQueue, orderSchema.parse(order));
          started.push(workflowId);
        } catch (error) {
          // Requested before: its workflow exists in Temporal, in any state.
          if (error instanceof ApprovalError && error.code === 'DUPLICATE') skipped.push(workflowId);
          else throw error;
        }
      }
    } finally {
      await client.connection.close();
    }
    if (started.length) log(`started ${started.length} demo order workflow(s) on task queue "${options.taskQueue}": ${started.join(', ')}`);
    if (skipped.length) log(`demo orders requested before, left alone: ${skipped.join(', ')}`);
    return { usersCreated, started, skipped };
  } finally {
    await db.$disconnect();
  }
}

async function main(): Promise<void> {
  refuseInProduction(); // before the settings, so this is the reason given
  const { DATABASE_URL } = databaseEnv();
  const { TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE } = temporalEnv();
  await seed({
    databaseUrl: DATABASE_URL,
    temporalAddress: TEMPORAL_ADDRESS,
    namespace: TEMPORAL_NAMESPACE,
    taskQueue: TEMPORAL_TASK_QUEUE,
    log: (line) => console.log(`[seed] ${line}`),
  });
}

// Run as `npm run db:seed`; imported by scripts/dev.ts for seed() only.
if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`[seed] ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
