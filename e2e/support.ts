// Shared by the e2e specs: the real database and Temporal client, and a way
// to put a fresh pending request in the inbox through the real workflow.
import { randomBytes } from 'node:crypto';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import type { Client } from '@temporalio/client';
import { startOrderApproval } from '../lib/approvals/commands/start-order';
import { createDb, type Db } from '../lib/db';
import type { OrderResult } from '../lib/contract/orders';
import type { orderWorkflow } from '../worker/workflows';
import { connectTemporal } from '../lib/temporal';
import type { Role } from '../lib/auth/access';
import { createUser } from '../lib/auth/users';

export const REVIEWER = { email: 'reviewer@example.com', password: 'countersign-reviewer', storageState: 'e2e/.auth/reviewer.json' };
export const ADMIN = { email: 'admin@example.com', password: 'countersign-admin', storageState: 'e2e/.auth/admin.json' };

export interface PendingOrder {
  approvalId: string;
  workflowId: string;
  customer: string;
  result(): Promise<OrderResult>;
}

export interface BatchOrder {
  approvalId: string;
  workflowId: string;
  title: string;
  result(): Promise<OrderResult>;
}

interface Fixtures {
  db: Db;
  temporal: Client;
  /**
   * Starts `count` orders for one fresh customer (so `?customer=` lists exactly
   * these) and waits for their rows; any still waiting when the test ends are
   * terminated, so the shared inbox does not fill up.
   */
  orderBatch: (count: number, label: string) => Promise<{ customer: string; orders: BatchOrder[] }>;
  /** Starts an order and waits for its row; on the e2e worker's task queue unless told. */
  pendingOrder: (options?: { taskQueue?: string }) => Promise<PendingOrder>;
  /** A page signed in as a new user with a random identity. */
  newUserPage: (role: Role) => Promise<{ page: Page; email: string }>;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as the first argument.
  db: async ({}, use) => {
    const db = createDb(process.env.DATABASE_URL);
    await use(db);
    await db.$disconnect();
  },
  // eslint-disable-next-line no-empty-pattern
  temporal: async ({}, use) => {
    const client = await connectTemporal(process.env.TEMPORAL_ADDRESS);
    await use(client);
    await client.connection.close();
  },
  newUserPage: async ({ browser, db }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (role) => {
      const email = `${role.toLowerCase()}-${randomBytes(5).toString('hex')}@example.com`;
      const password = randomBytes(12).toString('hex');
      await createUser(db, { email, password, role });
      // Signed out, whatever storageState the spec uses.
      const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
      contexts.push(context);
      const page = await context.newPage();
      await signIn(page, email, password);
      return { page, email };
    });
    await Promise.all(contexts.map((c) => c.close()));
  },
  orderBatch: async ({ db, temporal }, use) => {
    const started: string[] = [];
    await use(async (count, label) => {
      const customer = `${label} ${randomBytes(5).toString('hex')}`;
      const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';
      const orders = await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const id = `${label.toLowerCase()}-${randomBytes(5).toString('hex')}-${i}`;
          const { workflowId } = await startOrderApproval(temporal, taskQueue, { id, customer, amount: 100 + i, currency: 'USD' });
          started.push(workflowId);
          let row: { id: string; title: string } | null = null;
          await expect
            .poll(async () => (row = await db.approvalRequest.findFirst({ where: { workflowId }, select: { id: true, title: true } })), {
              message: `the row of ${workflowId}`,
            })
            .not.toBeNull();
          if (!row) throw new Error('unreachable: polled until found');
          const { id: approvalId, title } = row;
          return { approvalId, workflowId, title, result: () => temporal.workflow.getHandle<typeof orderWorkflow>(workflowId).result() };
        }),
      );
      return { customer, orders };
    });
    // A decided workflow has completed; one still waiting is ended.
    await Promise.all(
      started.map(async (workflowId) => {
        const handle = temporal.workflow.getHandle(workflowId);
        if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('e2e cleanup');
      }),
    );
  },
  pendingOrder: async ({ db, temporal }, use) => {
    await use(async (options = {}) => {
      const id = `e2e-${randomBytes(5).toString('hex')}`;
      const customer = `Customer ${id}`;
      const taskQueue = options.taskQueue ?? process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';
      const { workflowId } = await startOrderApproval(temporal, taskQueue, {
        id,
        customer,
        amount: 1234.5,
        currency: 'USD',
        items: [{ sku: 'WIDGET-1', qty: 3 }],
      });
      let approvalId: string | undefined;
      await expect
        .poll(
          async () => {
            const row = await db.approvalRequest.findFirst({ where: { workflowId }, select: { id: true } });
            approvalId = row?.id;
            return approvalId;
          },
          { message: `the worker writes the approval row for ${workflowId}` },
        )
        .toBeDefined();
      if (!approvalId) throw new Error('unreachable: polled until defined');
      return { approvalId, workflowId, customer, result: () => temporal.workflow.getHandle<typeof orderWorkflow>(workflowId).result() };
    });
  },
});

export { expect };

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/inbox$/);
}

/** The inbox filtered to one customer, once the list listens for shortcuts; expects `count` rows and returns them. */
export async function openInbox(page: Page, customer: string, count: number) {
  await page.goto(`/inbox?customer=${encodeURIComponent(customer)}`);
  await expect(page.locator('[data-shortcuts-ready="true"]')).toBeAttached();
  const rows = page.getByTestId('approval-row');
  await expect(rows).toHaveCount(count);
  return rows;
}
