// The request's life as a reviewer sees it: re-issued (escalated) after its
// window, expired after the last one, claimed by someone, terminated in Temporal.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { test, expect, REVIEWER } from './support';

test.use({ storageState: REVIEWER.storageState });

/** Reloads until `check` passes: the page is server-rendered, and the change comes from another process. */
async function reloadUntil(page: Page, check: () => Promise<void>, timeout = 30_000) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout });
}

test.describe('windows', () => {
  let worker: ChildProcess | undefined;
  const taskQueue = `e2e-short-${randomBytes(4).toString('hex')}`;

  test.beforeAll(async () => {
    // A worker of its own with a 4 s window and two windows, so this spec never waits long.
    worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, APPROVAL_WINDOW: '4s', APPROVAL_WINDOWS: '2', WORKER_LOG_LEVEL: 'WARN' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      worker?.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('[worker] ready')) resolve();
      });
      worker?.on('exit', (code) => reject(new Error(`the short-window worker exited (${code}): ${output}`)));
    });
  });
  test.afterAll(() => {
    worker?.kill('SIGTERM');
  });

  test('a request re-issued after its window is marked escalated with a new deadline, then says expired', async ({
    page,
    pendingOrder,
    db,
  }) => {
    const order = await pendingOrder({ taskQueue });
    const first = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } });
    await page.goto(`/inbox/${order.approvalId}`);
    await expect(page.getByTestId('status')).toHaveText('pending');
    await expect(page.getByTestId('reissued')).toHaveCount(0);

    await reloadUntil(page, () => expect(page.getByTestId('reissued')).toHaveText('re-issued · window 2'));
    const second = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } });
    expect(second.deadline.getTime()).toBeGreaterThan(first.deadline.getTime());
    await expect(page.getByText('Re-issued (escalated) by the workflow')).toBeVisible();

    await reloadUntil(page, () => expect(page.getByTestId('status')).toHaveText('expired'));
    await expect(page.getByTestId('decision')).toContainText('Expired at');
    await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    expect(await order.result()).toEqual({ status: 'EXPIRED' });
  });
});

test('a claim shows who holds the request; others cannot decide it until it is released', async ({ page, pendingOrder, newUserPage }) => {
  const order = await pendingOrder();
  await page.goto(`/inbox/${order.approvalId}`);
  await expect(page.getByTestId('claim-holder')).toHaveText('Nobody has claimed this request.');
  await page.getByRole('button', { name: 'Claim' }).click();
  await expect(page.getByTestId('claim-holder')).toContainText('Claimed by you since');

  const other = await newUserPage('REVIEWER');
  await other.page.goto(`/inbox?q=${encodeURIComponent(order.customer)}`);
  await expect(other.page.getByTestId('approval-row').filter({ hasText: order.customer }).getByTestId('claimed-by')).toHaveText(
    REVIEWER.email,
  );
  await other.page.goto(`/inbox/${order.approvalId}`);
  await expect(other.page.getByTestId('claim-holder')).toContainText(`Claimed by ${REVIEWER.email} since`);
  await expect(other.page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expect(other.page.getByRole('button', { name: 'Claim' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Release' }).click();
  await expect(page.getByTestId('claim-holder')).toHaveText('Nobody has claimed this request.');
  await other.page.reload();
  await other.page.getByRole('button', { name: 'Claim' }).click();
  await expect(other.page.getByTestId('claim-holder')).toContainText('Claimed by you since');
  await other.page.getByRole('button', { name: 'Approve' }).click();
  await expect(other.page.getByTestId('decision')).toContainText(`Approved by ${other.email}`);
});

test('a workflow terminated in Temporal shows terminated, and offers no decision', async ({ page, pendingOrder, temporal }) => {
  const order = await pendingOrder();
  await page.goto(`/inbox/${order.approvalId}`);
  await expect(page.getByRole('button', { name: 'Approve' })).toBeVisible();
  await temporal.workflow.getHandle(order.workflowId).terminate('customer withdrew the order');

  await reloadUntil(page, () => expect(page.getByTestId('status')).toHaveText('terminated'));
  await expect(page.getByTestId('decision')).toContainText('Its workflow was terminated at');
  await expect(page.getByText('Reason: customer withdrew the order')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
});
