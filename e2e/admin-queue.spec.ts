// The admin queue: the counts and four charts (inline SVG with accessible
// names, axis labels and a data table for screen readers), and an admin moving
// claims: reassign and release change the holder the inbox, the request page
// and Temporal's heartbeat details show. A reviewer posting those actions is refused.
import type { Page, Request } from '@playwright/test';
import type { Client } from '@temporalio/client';
import { claimApproval } from '../lib/approvals/commands/claim';
import { approveInputSchema, decideApproval } from '../lib/approvals/commands/decide';
import { readApprovalTruth } from '../lib/approvals/temporal/truth';
import type { Db } from '../lib/db';
import { ADMIN, REVIEWER, expect, test } from './support';

test.use({ storageState: ADMIN.storageState });

/** Who Temporal's heartbeat details name as the holder (null: nobody). */
async function heartbeatHolder(db: Db, temporal: Client, approvalId: string): Promise<string | null> {
  const row = await db.approvalRequest.findUniqueOrThrow({
    where: { id: approvalId },
    select: { workflowId: true, runId: true, activityId: true },
  });
  const truth = await readApprovalTruth(temporal, row);
  if (truth.state !== 'PENDING') return `not pending (${truth.state})`;
  const details = truth.heartbeatDetails as { claimedBy?: string | null } | null | undefined;
  return details?.claimedBy ?? null;
}

/** The admin queue, narrowed to one customer's request, and that request's row. */
async function adminRow(page: Page, customer: string) {
  await page.goto(`/admin?q=${encodeURIComponent(customer)}`);
  return page.getByTestId('approval-row').filter({ hasText: customer });
}

/** The request's row in the reviewer's inbox (narrowed by search where the inbox supports it). */
async function inboxHolder(page: Page, customer: string) {
  await page.goto(`/inbox?q=${encodeURIComponent(customer)}`);
  return page.getByTestId('approval-row').filter({ hasText: customer }).getByTestId('claimed-by');
}

test('the admin queue shows its counts, and four charts as SVG images with accessible names, axis labels and data tables', async ({
  page,
  pendingOrder,
  db,
  temporal,
}) => {
  // Something pending (under an hour old) and something decided today, whatever else the database holds.
  await pendingOrder();
  const decided = await pendingOrder();
  await decideApproval(
    { db, temporal },
    { decision: 'APPROVED', ...approveInputSchema.parse({ id: decided.approvalId }) },
    { email: REVIEWER.email },
  );

  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: 'Admin queue' })).toBeVisible();
  for (const id of ['pending', 'overdue', 'reissued', 'decided-today', 'decided-week'])
    await expect(page.getByTestId(`count-${id}`)).toHaveText(/^\d+$/);
  expect(Number(await page.getByTestId('count-pending').textContent())).toBeGreaterThanOrEqual(1);
  expect(Number(await page.getByTestId('count-decided-week').textContent())).toBeGreaterThanOrEqual(1);
  for (const id of ['expired', 'cancelled', 'terminated'])
    await expect(page.getByTestId(`count-${id}`)).toHaveText(/^\d+ today · \d+ this week$/);

  const charts = [
    {
      caption: 'Age of pending requests',
      name: /^Age of pending requests: \d+ pending; < 1h: [1-9]\d*, 1–4h: \d+/,
      axes: ['Pending requests', 'Age (since requested)'],
      rows: 6,
    },
    {
      caption: 'Time to decision per day (last 14 days)',
      name: /^Time to decision per day \(last 14 days\): \d+ decisions on \d+ of the last 14 days; on \d{4}-\d\d-\d\d the median was \S+/,
      axes: ['Time to decision', 'Day (UTC)'],
      rows: 14,
    },
    {
      caption: 'Expiry rate per day (last 14 days)',
      name: /^Expiry rate per day \(last 14 days\): over the last 14 days, \d+ of [1-9]\d* closed requests expired \(\d+%\)/,
      axes: ['Expired of closed', 'Day (UTC)'],
      rows: 14,
    },
    {
      caption: 'Load per reviewer',
      name: /^Load per reviewer: .+: \d+ open, \d+ decided/,
      axes: ['Requests', 'Reviewer'],
      rows: undefined,
    },
  ];
  for (const chart of charts) {
    const figure = page.getByRole('figure', { name: chart.caption });
    await expect(figure.getByRole('img', { name: chart.name })).toBeVisible();
    await expect(figure.getByTestId('chart-empty')).toHaveCount(0);
    for (const axis of chart.axes)
      await expect(figure.locator('svg text').filter({ hasText: new RegExp(`^${axis.replace(/[()]/g, '\\$&')}$`) })).toHaveCount(1);
    // The figures again, for screen readers: a table that is there but not drawn.
    const table = figure.getByRole('table', { name: chart.caption });
    await expect(table).toBeAttached();
    expect((await figure.getByTestId('chart-data').boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
    if (chart.rows) await expect(table.locator('tbody tr')).toHaveCount(chart.rows);
  }
});

test('an admin reassigns and then releases a claim from the queue; the inbox, the request page and Temporal show the new holder', async ({
  page,
  browser,
  baseURL,
  pendingOrder,
  newUserPage,
  db,
  temporal,
}) => {
  const order = await pendingOrder();
  const other = await newUserPage('REVIEWER');
  const reviewerContext = await browser.newContext({ storageState: REVIEWER.storageState, baseURL });
  try {
    const reviewer = await reviewerContext.newPage();
    await reviewer.goto(`/inbox/${order.approvalId}`);
    await reviewer.getByRole('button', { name: 'Claim' }).click();
    await expect(reviewer.getByTestId('claim-holder')).toContainText('Claimed by you since');

    const row = await adminRow(page, order.customer);
    await expect(row.getByTestId('claimed-by')).toHaveText(REVIEWER.email);
    await expect(row.getByRole('link', { name: new RegExp(order.customer) })).toHaveAttribute('href', `/inbox/${order.approvalId}`);

    // Nobody chosen: a message, and the claim stays.
    await row.getByRole('button', { name: 'Reassign', exact: true }).click();
    await expect(row.getByRole('alert')).toHaveText('Choose who should hold it from the list.');
    await expect(row.getByTestId('claimed-by')).toHaveText(REVIEWER.email);

    await row.getByLabel('Reassign to', { exact: true }).selectOption(other.email);
    await row.getByRole('button', { name: 'Reassign', exact: true }).click();
    await expect(row.getByRole('status')).toHaveText(`Reassigned from ${REVIEWER.email} to ${other.email}.`);
    await expect(row.getByTestId('claimed-by')).toHaveText(other.email);
    expect(await heartbeatHolder(db, temporal, order.approvalId)).toBe(other.email);

    await expect(await inboxHolder(reviewer, order.customer)).toHaveText(other.email);
    await reviewer.goto(`/inbox/${order.approvalId}`);
    await expect(reviewer.getByTestId('claim-holder')).toContainText(`Claimed by ${other.email} since`);
    await expect(reviewer.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await expect(reviewer.getByText(`Reassigned by ${ADMIN.email} in Countersign`)).toBeVisible();
    await other.page.goto(`/inbox/${order.approvalId}`);
    await expect(other.page.getByTestId('claim-holder')).toContainText('Claimed by you since');

    await row.getByRole('button', { name: 'Release', exact: true }).click();
    await expect(row.getByRole('status')).toHaveText(`Released ${other.email}'s claim. Anyone may claim it now.`);
    await expect(row.getByTestId('claimed-by')).toHaveText('—');
    await expect(row.getByRole('button', { name: 'Release', exact: true })).toHaveCount(0);
    expect(await heartbeatHolder(db, temporal, order.approvalId)).toBeNull();

    await expect(await inboxHolder(reviewer, order.customer)).toHaveText('—');
    await reviewer.goto(`/inbox/${order.approvalId}`);
    await expect(reviewer.getByTestId('claim-holder')).toHaveText('Nobody has claimed this request.');
    await expect(reviewer.getByText(`Released by ${ADMIN.email} in Countersign`)).toBeVisible();
    await expect(reviewer.getByRole('button', { name: 'Claim' })).toBeVisible();
  } finally {
    await reviewerContext.close();
  }

  const events = await db.auditEvent.findMany({
    where: { approvalRequestId: order.approvalId, actor: ADMIN.email },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    select: { action: true, details: true },
  });
  expect(events).toEqual([
    { action: 'REASSIGNED', details: { from: REVIEWER.email, to: other.email } },
    { action: 'RELEASED', details: { from: other.email, to: null } },
  ]);
});

function isServerAction(request: Request, pathname: string): boolean {
  return request.method() === 'POST' && !!request.headers()['next-action'] && new URL(request.url()).pathname === pathname;
}

test('a reviewer posting the admin-only release action is refused, and the claim stays', async ({
  page,
  browser,
  baseURL,
  pendingOrder,
  db,
  temporal,
}) => {
  const order = await pendingOrder();
  await claimApproval({ db, temporal }, { id: order.approvalId }, { email: REVIEWER.email });

  // The admin's own Release button gives the action id and body; the capture never reaches the server.
  const row = await adminRow(page, order.customer);
  let captured: { url: string; headers: Record<string, string>; body: Buffer } | undefined;
  await page.route(
    (url) => url.pathname === '/admin',
    async (route) => {
      const request = route.request();
      if (!isServerAction(request, '/admin')) return route.fallback();
      const skip = new Set(['cookie', 'host', 'content-length', 'connection', 'accept-encoding']);
      const headers = Object.fromEntries(
        Object.entries(await request.allHeaders()).filter(([name]) => !skip.has(name) && !name.startsWith(':')),
      );
      captured = { url: request.url(), headers, body: request.postDataBuffer() ?? Buffer.alloc(0) };
      return route.abort();
    },
  );
  await row.getByRole('button', { name: 'Release', exact: true }).click();
  await expect.poll(() => captured, { message: 'the Release action POST' }).toBeDefined();
  if (!captured) throw new Error('unreachable: polled until defined');

  const reviewerContext = await browser.newContext({ storageState: REVIEWER.storageState, baseURL });
  try {
    const response = await reviewerContext.request.post(captured.url, { headers: captured.headers, data: captured.body });
    const body = await response.text();
    expect(response.status(), body.slice(0, 500)).toBeLessThan(500);
    expect(body).toContain('{"status":"error","message":"You do not have permission to do that."}');
  } finally {
    await reviewerContext.close();
  }
  const stored = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { claimedBy: true } });
  expect(stored.claimedBy).toBe(REVIEWER.email);
  expect(await db.auditEvent.count({ where: { approvalRequestId: order.approvalId, action: 'RELEASED' } })).toBe(0);
  expect(await heartbeatHolder(db, temporal, order.approvalId)).toBe(REVIEWER.email);
});
