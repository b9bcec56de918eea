// Pending orders for the decision measures: orderWorkflow started the way the
// product starts it (startOrderApproval), each waiting on its approval
// activity, whose row (and task token) the worker has stored.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { startOrderApproval } from '../../lib/approvals/commands/start-order';
import { orderWorkflowId } from '../../lib/contract/orders';
import type { Db } from '../../lib/db';

/** Starts one bench order (orderWorkflow, as the product starts it): the same order every measure uses. */
export async function startBenchOrder(client: Client, taskQueue: string, id: string): Promise<void> {
  await startOrderApproval(client, taskQueue, {
    id,
    customer: 'Bench Customer',
    amount: 120,
    currency: 'USD',
    requestedBy: 'bench-requester',
  });
}

export interface PendingOrder {
  workflowId: string;
  /** The approval request's id: what the REST API and the inbox decide. */
  requestId: string;
  /** The approval activity's task token: what the raw SDK completes. Read here, server-side; it never leaves this process. */
  taskToken: Uint8Array;
}

const RUN_TAG = randomBytes(3).toString('hex');
let nextOrder = 0;

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function inLanes<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i] as T);
    }),
  );
}

/**
 * Starts `count` orders and waits until every one is pending in the
 * database with its token stored. Identical orders (same workflow type, same
 * shape), so the raw and the Countersign side decide the same work.
 */
export async function createPendingOrders(
  db: Db,
  client: Client,
  taskQueue: string,
  count: number,
  timeoutMs = 300_000,
): Promise<PendingOrder[]> {
  const ids = Array.from({ length: count }, () => `bench-${RUN_TAG}-${++nextOrder}`);
  await inLanes(ids, 16, (id) => startBenchOrder(client, taskQueue, id));
  const workflowIds = ids.map(orderWorkflowId);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db.$queryRaw<{ workflow_id: string; id: string; task_token: Uint8Array }[]>`
      SELECT workflow_id, id::text AS id, task_token FROM approval_requests
      WHERE workflow_id = ANY(${workflowIds}) AND status = 'PENDING' AND task_token IS NOT NULL`;
    if (rows.length === count) {
      const byWorkflow = new Map(rows.map((r) => [r.workflow_id, r]));
      return workflowIds.map((workflowId) => {
        const row = byWorkflow.get(workflowId);
        if (!row) throw new Error(`no pending row for ${workflowId}`);
        return { workflowId, requestId: row.id, taskToken: new Uint8Array(row.task_token) };
      });
    }
    if (Date.now() > until) throw new Error(`only ${rows.length} of ${count} orders were pending after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until every given order's row has left PENDING (the worker recorded the outcome): the machine is quiet again. */
export async function waitUntilRecorded(db: Db, orders: PendingOrder[], timeoutMs = 300_000): Promise<void> {
  const workflowIds = orders.map((o) => o.workflowId);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM approval_requests WHERE workflow_id = ANY(${workflowIds}) AND status = 'PENDING'`;
    if (!row || Number(row.n) === 0) return;
    if (Date.now() > until) throw new Error(`${row.n} decided orders were still pending after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
