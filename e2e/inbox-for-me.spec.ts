// The inbox "for me", as a reviewer uses it: by default the requests they may
// decide (routed to a group they are in), the others under All requests; the
// Waiting on me, Type and Group filters; and the columns that fit any request
// (type, requester, progress towards a quorum, the escalated and
// can't-reach-quorum marks).
//
// Routed requests come from the real approvalWorkflow (worker/workflows.ts),
// started with a version-2 request: the worker resolves their routing.
import type { Locator, Page } from '@playwright/test';
import { approveInputSchema, decideApproval } from '../lib/approvals/commands/decide';
import { REVIEWER } from './support';
import { expect, test } from './routing';

test.use({ storageState: REVIEWER.storageState });

const titles = async (page: Page) => (await page.getByTestId('approval-row').getByRole('link').allTextContents()).sort();
const rowTitled = (page: Page, title: string) => page.getByTestId('approval-row').filter({ hasText: title });
const params = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);
/** What a cell shows (its card label, hidden on a wide screen, left out). */
const expectShown = (cell: Locator, text: string) => expect(cell).toHaveText(text, { useInnerText: true });

async function openInbox(page: Page, search: string) {
  await page.goto(`/inbox?${search}`);
  await expect(page.locator('[data-shortcuts-ready="true"]')).toBeAttached();
}

test('a request routed to my group is in my inbox; one routed to another group only under All requests', async ({
  page,
  tag,
  newGroup,
  routedRequest,
}) => {
  const mine = await newGroup('mine', [REVIEWER.email]);
  const theirs = await newGroup('theirs', [`someone-${tag}@example.com`]);
  const forMe = await routedRequest({ title: `For my group ${tag}`, approvers: { groups: [mine] } });
  const notForMe = await routedRequest({ title: `For their group ${tag}`, approvers: { groups: [theirs] } });

  await openInbox(page, `q=${tag}`);
  await expect(page.getByRole('link', { name: 'For me' })).toHaveAttribute('aria-current', 'true');
  await expect.poll(() => titles(page)).toEqual([forMe.title]);
  await expect(page.getByTestId('inbox-total')).toHaveText(/^1 pending ·/);

  await page.getByRole('link', { name: 'All requests' }).click();
  await expect.poll(() => params(page)).toEqual({ q: tag, scope: 'all' });
  await expect(page.getByRole('link', { name: 'All requests' })).toHaveAttribute('aria-current', 'true');
  await expect(page.getByRole('link', { name: 'For me' })).not.toHaveAttribute('aria-current', 'true');
  await expect.poll(() => titles(page)).toEqual([forMe.title, notForMe.title].sort());
  await expect(page.getByTestId('inbox-total')).toHaveText(/^2 pending ·/);

  // Applying the form keeps the scope (and the search).
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue(tag);
  await page.getByLabel('Sort by', { exact: true }).selectOption('age');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => params(page)).toEqual({ q: tag, scope: 'all', sort: 'age' });
  await expect.poll(() => titles(page)).toEqual([forMe.title, notForMe.title].sort());

  await page.getByRole('link', { name: 'For me' }).click();
  await expect.poll(() => params(page)).toEqual({ q: tag, sort: 'age' });
  await expect.poll(() => titles(page)).toEqual([forMe.title]);
});

test('the columns fit any request: type, requester, amount when there is one, progress towards the quorum', async ({
  page,
  tag,
  newGroup,
  routedRequest,
  orderBatch,
}) => {
  const pairGroup = await newGroup('pair', [REVIEWER.email, `second-${tag}@example.com`]);
  const pair = await routedRequest({
    title: `Two approvals ${tag}`,
    requester: `Requester-${tag}@Example.com`,
    approvers: { groups: [pairGroup] },
    quorum: 2,
  });
  const tooMany = await routedRequest({ title: `Three from two people ${tag}`, approvers: { groups: [pairGroup] }, quorum: 3 });
  const { orders } = await orderBatch(1, `order-${tag}`);
  const [order] = orders;
  if (!order) throw new Error('one order');

  await openInbox(page, `q=${tag}`);
  await expect.poll(() => titles(page)).toEqual([pair.title, tooMany.title, order.title].sort());
  const headers = await page.getByRole('columnheader').allTextContents();
  expect(headers.slice(1)).toEqual(['Request', 'Type', 'Requester', 'Amount', 'Progress', 'Age', 'Time left', 'Claimed by']);

  const row = rowTitled(page, pair.title);
  await expectShown(row.getByTestId('type'), 'approvalWorkflow');
  // As four eyes compares it with an email: trimmed, lower case.
  await expectShown(row.getByTestId('requester'), `requester-${tag}@example.com`);
  await expectShown(row.getByTestId('amount'), '—');
  const progress = row.getByTestId('progress');
  await expect(progress.locator('[aria-hidden="true"]')).toHaveText('0/2');
  await expect(progress.getByText('0 of 2 approvals', { exact: true })).toHaveClass(/sr-only/);
  await expect(row.getByTestId('unreachable')).toHaveCount(0);
  await expect(row.getByTestId('routing-escalated')).toHaveCount(0);

  // Three approvals from a group of two people can never be given.
  const flag = rowTitled(page, tooMany.title).getByTestId('unreachable');
  await expect(flag).toHaveText('can’t reach quorum');
  await expect(flag).toBeVisible();

  const orderRow = rowTitled(page, order.title);
  await expectShown(orderRow.getByTestId('type'), 'orderWorkflow');
  await expectShown(orderRow.getByTestId('amount'), '$100.00');
  // One approval is all an order needs: no count.
  await expect(orderRow.getByTestId('progress')).toHaveCount(0);
});

test('waiting on me leaves out what I have approved and still waits for others', async ({
  page,
  db,
  temporal,
  tag,
  newGroup,
  routedRequest,
}) => {
  const group = await newGroup('quorum', [REVIEWER.email, `second-${tag}@example.com`]);
  const approved = await routedRequest({ title: `Approved by me ${tag}`, approvers: { groups: [group] }, quorum: 2 });
  const waiting = await routedRequest({ title: `Not yet approved ${tag}`, approvers: { groups: [group] }, quorum: 2 });
  await decideApproval(
    { db, temporal },
    { decision: 'APPROVED', ...approveInputSchema.parse({ id: approved.approvalId }) },
    { email: REVIEWER.email },
  );

  // For me: both (mine approved still waits for a second approval), with its progress.
  await openInbox(page, `q=${tag}`);
  await expect.poll(() => titles(page)).toEqual([approved.title, waiting.title].sort());
  await expect(rowTitled(page, approved.title).getByTestId('progress').locator('[aria-hidden="true"]')).toHaveText('1/2');
  await expect(rowTitled(page, approved.title).getByText('1 of 2 approvals', { exact: true })).toBeAttached();

  await page.getByLabel('Waiting on me').check();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => params(page)).toEqual({ q: tag, waiting: '1' });
  await expect.poll(() => titles(page)).toEqual([waiting.title]);
  await expect(page.getByTestId('inbox-total')).toHaveText(/^1 pending, waiting on you ·/);
  await expect(page.getByLabel('Waiting on me')).toBeChecked();
});

test('the Type and Group filters offer the types and groups there are, and narrow the list to one', async ({
  page,
  tag,
  newGroup,
  routedRequest,
  orderBatch,
}) => {
  const first = await newGroup('first', [REVIEWER.email]);
  const second = await newGroup('second', [REVIEWER.email]);
  const toFirst = await routedRequest({ title: `To the first group ${tag}`, approvers: { groups: [first] } });
  const toSecond = await routedRequest({ title: `To the second group ${tag}`, approvers: { groups: [second] } });
  const { orders } = await orderBatch(1, `type-${tag}`);
  const [order] = orders;
  if (!order) throw new Error('one order');

  await openInbox(page, `q=${tag}`);
  await expect.poll(() => titles(page)).toEqual([toFirst.title, toSecond.title, order.title].sort());
  const type = page.getByLabel('Type', { exact: true });
  const groupSelect = page.getByLabel('Group', { exact: true });
  for (const offered of ['approvalWorkflow', 'orderWorkflow']) await expect(type.locator(`option[value="${offered}"]`)).toHaveCount(1);
  for (const offered of [first, second]) await expect(groupSelect.locator(`option[value="${offered}"]`)).toHaveCount(1);

  await type.selectOption('approvalWorkflow');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => params(page)).toEqual({ q: tag, type: 'approvalWorkflow' });
  await expect.poll(() => titles(page)).toEqual([toFirst.title, toSecond.title].sort());

  await page.getByLabel('Type', { exact: true }).selectOption('orderWorkflow');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => params(page)).toEqual({ q: tag, type: 'orderWorkflow' });
  await expect.poll(() => titles(page)).toEqual([order.title]);

  await page.getByLabel('Type', { exact: true }).selectOption('');
  await page.getByLabel('Group', { exact: true }).selectOption(first);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => params(page)).toEqual({ q: tag, group: first });
  await expect.poll(() => titles(page)).toEqual([toFirst.title]);
  await expect(page.getByLabel('Group', { exact: true })).toHaveValue(first);
});

test('escalation: a request for another group reaches me from its second window, marked escalated', async ({
  page,
  db,
  tag,
  newGroup,
  routedRequest,
}) => {
  const theirs = await newGroup('first-line', [`someone-${tag}@example.com`]);
  const mine = await newGroup('escalation', [REVIEWER.email]);
  const request = await routedRequest({
    title: `Escalates to me ${tag}`,
    approvers: { groups: [theirs] },
    escalateTo: { groups: [mine] },
  });

  await openInbox(page, `q=${tag}`);
  await expect(page.getByText('No requests match.')).toBeVisible();
  await openInbox(page, `q=${tag}&scope=all`);
  await expect.poll(() => titles(page)).toEqual([request.title]);
  await expect(rowTitled(page, request.title).getByTestId('routing-escalated')).toHaveCount(0);

  // Its second window, as the worker writes it when the first one passes (the e2e window is an hour; the
  // reconciler leaves a row whose attempt is ahead of Temporal's alone).
  await db.approvalRequest.update({ where: { id: request.approvalId }, data: { attempt: 2 } });
  await openInbox(page, `q=${tag}`);
  await expect.poll(() => titles(page)).toEqual([request.title]);
  await expect(rowTitled(page, request.title).getByTestId('routing-escalated')).toHaveText('escalated');
});
