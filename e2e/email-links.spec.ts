// Decision links from email, in a signed-out browser against the production
// build: opening a link (HEAD, GET, a page visit) changes nothing; only the
// page's Approve decides, once, and Temporal has it; a used, expired or
// re-issued link, or one whose reviewer may not decide, says why in words,
// the latter before anything is pressed and with no button to press. A
// delegate's link decides for the away colleague, and says so.
import { randomBytes } from 'node:crypto';
import { claimApproval } from '../lib/approvals/commands/claim';
import { createUser } from '../lib/auth/users';
import type { Db } from '../lib/db';
import { createDecisionLink } from '../lib/email/links';
import { expect, test } from './routing';

test.use({ storageState: { cookies: [], origins: [] } });

async function newReviewerEmail(db: Db): Promise<string> {
  const email = `mail-${randomBytes(5).toString('hex')}@example.com`;
  await createUser(db, { email, password: randomBytes(12).toString('hex'), role: 'REVIEWER' });
  return email;
}

/** A link for `email` to the pending request `approvalId`, for its current window unless told. */
async function linkFor(db: Db, approvalId: string, email: string, change: { attempt?: number; expiresAt?: Date } = {}) {
  const row = await db.approvalRequest.findUniqueOrThrow({
    where: { id: approvalId },
    select: { runId: true, attempt: true, deadline: true },
  });
  const { id, token } = await createDecisionLink(db, {
    approvalRequestId: approvalId,
    email,
    runId: row.runId,
    attempt: change.attempt ?? row.attempt,
    expiresAt: change.expiresAt ?? row.deadline,
  });
  return { id, path: `/decide/${token}` };
}

/** What a link visit must leave alone: the request, its audit trail, the link. */
async function snapshot(db: Db, approvalId: string, linkId: string) {
  const [row, audit, link] = await Promise.all([
    db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId }, select: { status: true, approvals: true, updatedAt: true } }),
    db.auditEvent.count({ where: { approvalRequestId: approvalId } }),
    db.decisionLink.findUniqueOrThrow({ where: { id: linkId }, select: { usedAt: true } }),
  ]);
  return { ...row, audit, usedAt: link.usedAt };
}

test('opening a link changes nothing; Approve on its page decides once, Temporal has it, and the link then says who decided and when', async ({
  page,
  context,
  request,
  db,
  pendingOrder,
}) => {
  const order = await pendingOrder();
  const email = await newReviewerEmail(db);
  const link = await linkFor(db, order.approvalId, email);
  const before = await snapshot(db, order.approvalId, link.id);
  expect(before.status).toBe('PENDING');

  expect((await request.head(link.path)).status()).toBe(200);
  const got = await request.get(link.path);
  expect(got.status()).toBe(200);
  expect(await got.text()).toContain(order.customer);
  await page.goto(link.path);
  await expect(page.getByTestId('link-request')).toContainText(order.customer);
  await expect(page.getByTestId('link-amount')).toHaveText('$1,234.50');
  await expect(page.getByText(`Deciding as ${email}`)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open this request in Countersign' })).toHaveAttribute('href', `/inbox/${order.approvalId}`);
  expect(await snapshot(db, order.approvalId, link.id)).toEqual(before);

  // A second tab holds the same page, to send the link again after it is spent.
  const second = await context.newPage();
  await second.goto(link.path);

  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  // The action answers, and the page, refreshed, says how the request ended.
  await expect(page.getByTestId('link-outcome')).toContainText(`Approved by ${email} at`);
  await expect(page.getByTestId('link-outcome')).toContainText('from an email link');
  const result = await order.result();
  expect(result).toMatchObject({ status: 'FULFILLED', decidedBy: email });
  const decided = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } });
  expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: email, decisionPath: 'EMAIL' });
  const used = await db.decisionLink.findUniqueOrThrow({ where: { id: link.id } });
  expect(used.usedAt).not.toBeNull();

  await second.getByRole('button', { name: 'Approve', exact: true }).click();
  const refusal = second.getByRole('alert').filter({ hasText: 'This link was already used at' });
  await expect(refusal).toContainText(`Already decided by ${email} at`);

  await page.goto(link.path);
  await expect(page.getByTestId('link-refused')).toContainText(`Already decided by ${email} at`);
  await expect(page.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);
});

test('an expired link and a link of an earlier window are refused in words, and decide nothing', async ({ page, db, pendingOrder }) => {
  const order = await pendingOrder();
  const email = await newReviewerEmail(db);

  const expired = await linkFor(db, order.approvalId, email, { expiresAt: new Date(Date.now() - 60_000) });
  await page.goto(expired.path);
  await expect(page.getByTestId('link-refused')).toContainText('This link expired at');
  await expect(page.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);

  const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId }, select: { attempt: true } });
  const earlier = await linkFor(db, order.approvalId, email, { attempt: row.attempt - 1 });
  await page.goto(earlier.path);
  await expect(page.getByTestId('link-refused')).toContainText('earlier approval window');

  await page.goto('/decide/not-a-real-token');
  await expect(page.getByTestId('link-refused')).toContainText('This link is not valid');

  expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } })).status).toBe('PENDING');
});

test('a link obeys the policies: a reviewer the inbox would refuse is refused on the page, and the link stays unused', async ({
  page,
  db,
  pendingOrder,
}) => {
  const order = await pendingOrder();
  const email = await newReviewerEmail(db);
  const link = await linkFor(db, order.approvalId, email);
  await page.goto(link.path);
  await db.user.update({ where: { email }, data: { active: false } });
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Your account is not active' })).toBeVisible();
  expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: order.approvalId } })).status).toBe('PENDING');
  expect((await db.decisionLink.findUniqueOrThrow({ where: { id: link.id } })).usedAt).toBeNull();
});

test('a link whose reviewer may not decide says why as it opens, with no button to press; HEAD, GET and the visit change nothing', async ({
  page,
  request,
  db,
  temporal,
  tag,
  newGroup,
  routedRequest,
}) => {
  const [member, requester, deactivated, holder, outsider] = [
    await newReviewerEmail(db),
    await newReviewerEmail(db),
    await newReviewerEmail(db),
    await newReviewerEmail(db),
    await newReviewerEmail(db),
  ];
  const group = await newGroup('links', [member, requester, deactivated, holder]);
  const routed = await routedRequest({ title: `Ask before the button ${tag}`, requester, approvers: { groups: [group] } });
  await db.user.update({ where: { email: deactivated }, data: { active: false } });

  /** Opens `email`'s link every way a scanner or a person might, and expects `words` and no decision form, with nothing changed. */
  async function expectRefusedUpFront(email: string, words: string | RegExp) {
    const link = await linkFor(db, routed.approvalId, email);
    const before = await snapshot(db, routed.approvalId, link.id);
    expect((await request.head(link.path)).status()).toBe(200);
    const got = await request.get(link.path);
    expect(got.status()).toBe(200);
    expect(await got.text()).not.toContain('Deciding as');
    await page.goto(link.path);
    await expect(page.getByTestId('link-request')).toContainText(routed.title);
    await expect(page.getByTestId('link-refused')).toHaveText(words);
    await expect(page.getByRole('button', { name: /^(Approve|Reject)/ })).toHaveCount(0);
    await expect(page.getByRole('textbox')).toHaveCount(0);
    expect(await snapshot(db, routed.approvalId, link.id)).toEqual(before);
  }

  await expectRefusedUpFront(outsider, `Only ${group} (group) may decide this request.`);
  await expectRefusedUpFront(requester, 'You requested this, so someone else must decide it (four eyes).');
  await expectRefusedUpFront(deactivated, 'Your account is deactivated.');

  // The holder of a claim is offered the decision; everyone else is told who holds it.
  await claimApproval({ db, temporal }, { id: routed.approvalId }, { email: holder });
  const held = await linkFor(db, routed.approvalId, holder);
  await page.goto(held.path);
  await expect(page.getByText(`Deciding as ${holder}`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve', exact: true })).toBeVisible();
  await expectRefusedUpFront(
    member,
    new RegExp(`^Claimed by ${holder.replace(/[.+]/g, '\\$&')} since .+\\. Only they can decide it until they release it\\.$`),
  );
  expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: routed.approvalId } })).status).toBe('PENDING');
});

test("a delegate's link says whom they decide for, and its Approve decides on the away colleague's behalf", async ({
  page,
  db,
  temporal,
  tag,
  newGroup,
  routedRequest,
}) => {
  const away = await newReviewerEmail(db);
  const stand = await newReviewerEmail(db);
  const group = await newGroup('away', [away]);
  const { id: standId } = await db.user.findUniqueOrThrow({ where: { email: stand }, select: { id: true } });
  await db.user.update({ where: { email: away }, data: { awayUntil: new Date(Date.now() + 3_600_000), delegateId: standId } });
  const routed = await routedRequest({ title: `Stand in by link ${tag}`, requester: 'ops@example.com', approvers: { groups: [group] } });
  const link = await linkFor(db, routed.approvalId, stand);

  await page.goto(link.path);
  await expect(page.getByText(`Deciding as ${stand} for ${away}`)).toBeVisible();
  await page.getByRole('button', { name: `Approve as ${stand} for ${away}` }).click();
  await expect(page.getByTestId('link-outcome')).toContainText(`Approved by ${stand} at`);
  const decided = await db.approvalRequest.findUniqueOrThrow({ where: { id: routed.approvalId } });
  expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: stand, decidedFor: away, decisionPath: 'EMAIL' });
  const outcome = await temporal.workflow.getHandle(routed.workflowId).result();
  expect(outcome).toMatchObject({ status: 'APPROVED', decidedBy: stand, onBehalfOf: away });
});
