// Who may decide holds on the inbox's own paths too, not only on the request
// page: a bulk decision and the keyboard's `a` send every selected request to
// the server, which refuses the ones the reviewer may not decide (routed to
// another group; their own request under four eyes), each with its reason,
// and changes nothing for them.
import type { Page } from '@playwright/test';
import type { Db } from '../lib/db';
import { REVIEWER } from './support';
import { expect, test } from './routing';

test.use({ storageState: REVIEWER.storageState });

const rowTitled = (page: Page, title: string) => page.getByTestId('approval-row').filter({ hasText: title });

async function openAll(page: Page, tag: string, count: number) {
  await page.goto(`/inbox?scope=all&q=${tag}`);
  await expect(page.locator('[data-shortcuts-ready="true"]')).toBeAttached();
  await expect(page.getByTestId('approval-row')).toHaveCount(count);
}

/** Nothing happened to the request: still pending, no approval recorded, no decision audited. */
async function expectUntouched(db: Db, approvalId: string) {
  const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } });
  expect(row.status).toBe('PENDING');
  expect(row.approvals).toBe(0);
  expect(await db.approvalVote.count({ where: { approvalRequestId: approvalId } })).toBe(0);
  expect(
    await db.auditEvent.count({ where: { approvalRequestId: approvalId, action: { in: ['APPROVED', 'REJECTED', 'APPROVAL_RECORDED'] } } }),
  ).toBe(0);
}

test('a bulk approval decides what I may decide and refuses, with the reason, what is routed elsewhere or mine to ask', async ({
  page,
  db,
  tag,
  newGroup,
  routedRequest,
}) => {
  const mine = await newGroup('mine', [REVIEWER.email]);
  const theirs = await newGroup('theirs', [`someone-${tag}@example.com`]);
  const allowed = await routedRequest({ title: `Mine to decide ${tag}`, approvers: { groups: [mine] } });
  const elsewhere = await routedRequest({ title: `Theirs to decide ${tag}`, approvers: { groups: [theirs] } });
  const ownRequest = await routedRequest({ title: `I asked for this ${tag}`, requester: REVIEWER.email });

  await openAll(page, tag, 3);
  for (const request of [allowed, elsewhere, ownRequest]) await rowTitled(page, request.title).getByRole('checkbox').check();
  const bar = page.getByTestId('bulk-bar');
  await expect(bar).toContainText('3 requests selected');
  await bar.getByRole('button', { name: 'Approve selected' }).click();

  const results = page.getByTestId('bulk-results');
  await expect(results.getByRole('status')).toHaveText('1 approved, 2 not: see each below.');
  const item = (approvalId: string) => results.locator(`[data-id="${approvalId}"]`);
  await expect(item(allowed.approvalId)).toHaveText(`${allowed.title}: Approved.`);
  await expect(item(elsewhere.approvalId)).toHaveAttribute('data-outcome', 'refused');
  await expect(item(elsewhere.approvalId)).toHaveText(`${elsewhere.title}: Only ${theirs} (group) may decide this request.`);
  await expect(item(ownRequest.approvalId)).toHaveText(
    `${ownRequest.title}: You requested this, so someone else must decide it (four eyes).`,
  );

  expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: allowed.approvalId } })).status).toBe('APPROVED');
  await expectUntouched(db, elsewhere.approvalId);
  await expectUntouched(db, ownRequest.approvalId);
});

test('the keyboard’s a on a request routed elsewhere is refused by the server, with the reason, and changes nothing', async ({
  page,
  db,
  tag,
  newGroup,
  routedRequest,
}) => {
  const theirs = await newGroup('theirs', [`someone-${tag}@example.com`]);
  const elsewhere = await routedRequest({ title: `Theirs to decide ${tag}`, approvers: { groups: [theirs] } });

  await openAll(page, tag, 1);
  await page.keyboard.press('j');
  await expect(rowTitled(page, elsewhere.title)).toBeFocused();
  await page.keyboard.press('a');
  const dialog = page.getByRole('dialog', { name: 'Approve 1 request?' });
  await expect(dialog.getByLabel('Comment')).toBeFocused();
  await page.keyboard.press('Enter');

  const results = page.getByTestId('bulk-results');
  await expect(results.getByRole('status')).toHaveText('0 approved, 1 not: see each below.');
  await expect(results.getByTestId('bulk-result')).toHaveText(`${elsewhere.title}: Only ${theirs} (group) may decide this request.`);
  await expectUntouched(db, elsewhere.approvalId);
  // Still listed under All requests, still pending.
  await expect(rowTitled(page, elsewhere.title)).toHaveCount(1);
});
