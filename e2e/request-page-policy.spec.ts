// "Who may decide" on the request page: the policy in words, why someone may
// not decide (and then no buttons), a quorum's progress, a typed decision the
// reviewer edits before the workflow runs with it, and a request that can
// never reach its quorum, flagged on its page and in the admin queue.
import { randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { Client } from '@temporalio/client';
import type { ApprovalRequest } from '../lib/contract/approval';
import type { Db } from '../lib/db';
import type { agentToolWorkflow, approvalWorkflow } from '../worker/workflows';
import { ADMIN, expect, test } from './support';

const taskQueue = () => process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';
const hex = () => randomBytes(5).toString('hex');

/** Waiting workflows the test started, ended after it (a decided one has already completed). */
const started: string[] = [];
test.afterEach(async ({ temporal }) => {
  await Promise.all(
    started.splice(0).map(async (workflowId) => {
      const handle = temporal.workflow.getHandle(workflowId);
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('e2e cleanup');
    }),
  );
});

/** The request's row id, once the worker has written it. */
async function rowOf(db: Db, workflowId: string): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(async () => (id = (await db.approvalRequest.findFirst({ where: { workflowId }, select: { id: true } }))?.id), {
      message: `the worker writes the approval row for ${workflowId}`,
    })
    .toBeDefined();
  if (!id) throw new Error('unreachable: polled until defined');
  return id;
}

/** Starts the generic approvalWorkflow with `request` and waits for its row. */
async function startRequest(temporal: Client, db: Db, request: ApprovalRequest) {
  const workflowId = `policy-e2e-${hex()}`;
  const handle = await temporal.workflow.start<typeof approvalWorkflow>('approvalWorkflow', {
    taskQueue: taskQueue(),
    workflowId,
    args: [request],
  });
  started.push(workflowId);
  return { workflowId, handle, approvalId: await rowOf(db, workflowId) };
}

/** A fresh group holding these people (a group must exist before a request names it). */
async function createGroup(db: Db, emails: string[]): Promise<string> {
  const name = `e2e-${hex()}`;
  const users = await db.user.findMany({ where: { email: { in: emails } }, select: { id: true } });
  expect(users).toHaveLength(emails.length);
  await db.group.create({ data: { name, members: { create: users.map((u) => ({ userId: u.id })) } } });
  return name;
}

/** Every axe rule that is not experimental, as e2e/a11y.spec.ts runs them, on a state that spec does not reach. */
async function expectNoAxeViolations(page: Page, where: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const found = violations.map((v) => ({ rule: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) }));
  expect.soft(found, `axe on ${where}`).toEqual([]);
}

async function expectNoDecisionButtons(page: Page) {
  for (const name of ['Approve', 'Reject', 'Claim']) await expect(page.getByRole('button', { name })).toHaveCount(0);
}

test('a member of the group a request is routed to sees the policy in words, its links and the buttons', async ({
  newUserPage,
  temporal,
  db,
}) => {
  const member = await newUserPage('REVIEWER');
  const group = await createGroup(db, [member.email]);
  const { approvalId } = await startRequest(temporal, db, {
    version: 2,
    title: `Pay invoice ${hex()}`,
    approvers: { groups: [group] },
    links: [{ label: 'Invoice', url: 'https://erp.example.com/inv/2001' }],
  });

  await member.page.goto(`/inbox/${approvalId}`);
  await expect(member.page.getByTestId('policy-words')).toContainText(`Needs 1 approval from ${group} (group).`);
  await expect(member.page.getByTestId('request-type')).toHaveText('approvalWorkflow');
  await expect(member.page.getByTestId('eligible-people')).toContainText(`${member.email} (you)`);
  const link = member.page.getByRole('link', { name: /^Invoice/ });
  await expect(link).toHaveAttribute('href', 'https://erp.example.com/inv/2001');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(member.page.getByTestId('not-eligible')).toHaveCount(0);
  for (const name of ['Approve', 'Reject', 'Claim']) await expect(member.page.getByRole('button', { name })).toBeVisible();
});

test('someone outside the group is told who may decide, and gets no approve, reject or claim button', async ({
  newUserPage,
  temporal,
  db,
}) => {
  const member = await newUserPage('REVIEWER');
  const outsider = await newUserPage('REVIEWER');
  const group = await createGroup(db, [member.email]);
  const { approvalId } = await startRequest(temporal, db, { version: 2, title: `Routed ${hex()}`, approvers: { groups: [group] } });

  await outsider.page.goto(`/inbox/${approvalId}`);
  await expect(outsider.page.getByTestId('not-eligible')).toContainText(`Only ${group} (group) may decide this request.`);
  await expect(outsider.page.getByTestId('claim-holder')).toHaveText('Nobody has claimed this request.');
  await expectNoDecisionButtons(outsider.page);
});

test('a quorum of 2: the first approval shows as "1 of 2 approvals" with its approver, who may not approve again', async ({
  newUserPage,
  temporal,
  db,
}) => {
  const first = await newUserPage('REVIEWER');
  const second = await newUserPage('REVIEWER');
  const group = await createGroup(db, [first.email, second.email]);
  const { approvalId, handle } = await startRequest(temporal, db, {
    version: 2,
    title: `Two approvals ${hex()}`,
    approvers: { groups: [group] },
    quorum: 2,
  });

  await first.page.goto(`/inbox/${approvalId}`);
  await expect(first.page.getByTestId('policy-words')).toContainText(`Needs 2 distinct approvals from ${group} (group).`);
  await expect(first.page.getByTestId('quorum-progress')).toHaveText('0 of 2 approvals.');
  await first.page.getByLabel('Comment').fill('First look is fine');
  await first.page.getByRole('button', { name: 'Approve' }).click();

  await expect(first.page.getByTestId('quorum-progress')).toHaveText('1 of 2 approvals:');
  await expect(first.page.getByTestId('votes')).toContainText(first.email);
  await expect(first.page.getByTestId('votes')).toContainText('First look is fine');
  await expect(first.page.getByTestId('status')).toHaveText('pending');
  await expect(first.page.getByTestId('not-eligible')).toContainText('You have already approved this request (1 of 2 approvals so far).');
  await expectNoDecisionButtons(first.page);
  await expect(first.page.getByTestId('eligible-people')).toHaveText(second.email);
  await expectNoAxeViolations(first.page, 'a request page with an approval towards its quorum, to someone who has approved');

  await second.page.goto(`/inbox/${approvalId}`);
  await second.page.getByRole('button', { name: 'Approve' }).click();
  await expect(second.page.getByTestId('status')).toHaveText('approved');
  await expect(second.page.getByTestId('approvers')).toHaveText(`Approvers: ${first.email}, ${second.email}`);
  expect(await handle.result()).toMatchObject({
    status: 'APPROVED',
    decidedBy: second.email,
    approvers: [{ reviewer: first.email, comment: 'First look is fine' }, { reviewer: second.email }],
  });
});

test('four eyes: the requester is told someone else must decide, and gets no buttons', async ({ newUserPage, temporal, db }) => {
  const requester = await newUserPage('REVIEWER');
  const { approvalId } = await startRequest(temporal, db, { title: `My own request ${hex()}`, requester: requester.email });

  await requester.page.goto(`/inbox/${approvalId}`);
  await expect(requester.page.getByTestId('requester')).toHaveText(requester.email);
  await expect(requester.page.getByTestId('not-eligible')).toContainText('You requested this, so someone else must decide it (four eyes).');
  await expectNoDecisionButtons(requester.page);
});

test('a typed decision: the form starts from the proposed arguments, a cleared required field is refused, and the edited values reach the workflow', async ({
  newUserPage,
  temporal,
  db,
}) => {
  const reviewer = await newUserPage('REVIEWER');
  const workflowId = `agent-e2e-${hex()}`;
  const proposed = { to: `customer-${hex()}@example.com`, subject: 'Your refund', body: 'We have refunded your order.' };
  const handle = await temporal.workflow.start<typeof agentToolWorkflow>('agentToolWorkflow', {
    taskQueue: taskQueue(),
    workflowId,
    args: [{ tool: 'send_email', args: proposed }],
  });
  started.push(workflowId);
  const approvalId = await rowOf(db, workflowId);

  const { page } = reviewer;
  await page.goto(`/inbox/${approvalId}`);
  const subject = page.getByLabel('Subject', { exact: true });
  await expect(page.getByLabel('To', { exact: true })).toHaveValue(proposed.to);
  await expect(subject).toHaveValue(proposed.subject);
  await expect(page.getByLabel('Body', { exact: true })).toHaveValue(proposed.body);

  await subject.fill('');
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.locator('#decision-values-subject-error')).toHaveText('Subject is required');
  await expect(subject).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page, 'a request page with a typed decision and a field error');
  const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId }, select: { status: true, approvals: true } });
  expect(row).toEqual({ status: 'PENDING', approvals: 0 });
  expect(await db.approvalVote.count({ where: { approvalRequestId: approvalId } })).toBe(0);

  await subject.fill('Your refund is on its way');
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('status')).toHaveText('approved');
  await expect(page.getByTestId('approved-values')).toContainText('Your refund is on its way');
  const result = await handle.result();
  expect(result).toMatchObject({
    status: 'EXECUTED',
    approvedBy: reviewer.email,
    args: { to: proposed.to, subject: 'Your refund is on its way', body: proposed.body },
  });
});

test('a delegate decides for an away colleague: the button and the decision say "bob for alice"', async ({ newUserPage, temporal, db }) => {
  const away = await newUserPage('REVIEWER');
  const delegate = await newUserPage('REVIEWER');
  const group = await createGroup(db, [away.email]);
  const delegateId = (await db.user.findUniqueOrThrow({ where: { email: delegate.email }, select: { id: true } })).id;
  await db.user.update({ where: { email: away.email }, data: { awayUntil: new Date(Date.now() + 86_400_000), delegateId } });
  const { approvalId, handle } = await startRequest(temporal, db, {
    version: 2,
    title: `While away ${hex()}`,
    approvers: { groups: [group] },
  });

  const { page } = delegate;
  await page.goto(`/inbox/${approvalId}`);
  const as = `${delegate.email} for ${away.email}`;
  await page.getByRole('button', { name: `Approve as ${as}` }).click();
  await expect(page.getByTestId('decision')).toContainText(`Approved by ${as}`);
  await expect(page.getByTestId('timeline-event').last()).toContainText(`Approved by ${as} in Countersign`);
  expect(await handle.result()).toMatchObject({ status: 'APPROVED', decidedBy: delegate.email, onBehalfOf: away.email });
});

test('a request that can never reach its quorum is flagged on its page and in the admin queue', async ({
  browser,
  baseURL,
  newUserPage,
  temporal,
  db,
}) => {
  const only = await newUserPage('REVIEWER');
  const group = await createGroup(db, [only.email]);
  const title = `Short of people ${hex()}`;
  const { approvalId } = await startRequest(temporal, db, { version: 2, title, approvers: { groups: [group] }, quorum: 2 });

  await only.page.goto(`/inbox/${approvalId}`);
  await expect(only.page.getByTestId('unreachable-warning')).toContainText(
    `Only 1 person can approve this but it needs 2: ask an admin to add people to ${group}.`,
  );

  const adminContext = await browser.newContext({ storageState: ADMIN.storageState, baseURL });
  try {
    const admin = await adminContext.newPage();
    await admin.goto(`/admin?q=${encodeURIComponent(title)}`);
    const row = admin.getByTestId('approval-row').filter({ hasText: title });
    await expect(row.getByTestId('unreachable')).toHaveText('can’t reach quorum');
    // "0/2" on screen; "0 of 2 approvals" for a screen reader.
    await expect(row.getByTestId('quorum-progress')).toContainText('0/2');
    await expect(row.getByTestId('quorum-progress')).toContainText('0 of 2 approvals');
  } finally {
    await adminContext.close();
  }
});
