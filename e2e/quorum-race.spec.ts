// Quorums and escalation, decided in real browsers.
//
// A race: two reviewers approve a quorum-of-2 request at the same moment. The
// row lock orders them: one is recorded as progress, the other completes the
// activity, exactly once.
//
// Escalation: the e2e worker's window is an hour (playwright.config.ts), and a
// window is the approval activity's StartToClose, which only the calling
// workflow picks (the TS approvalWorkflow takes the worker's APPROVAL_WINDOW).
// So this request comes from the Go workflow of test/go-client with a short
// window, on Countersign's own e2e worker: the way any other caller sets its
// window, with no second Countersign worker to start.
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { APPROVAL_ACTIVITY_ID } from '../lib/contract/approval';
import type { Db } from '../lib/db';
import type { approvalWorkflow } from '../worker/workflows';
import { builtGoClient, startGoRequest } from '../test/support/go-client';
import { expect, test } from './support';

const TASK_QUEUE = process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';

/** The pending row of a workflow's approval, once Countersign's worker has written it. */
async function approvalRowId(db: Db, workflowId: string): Promise<string> {
  let id = '';
  await expect
    .poll(
      async () => {
        const row = await db.approvalRequest.findFirst({ where: { workflowId }, select: { id: true } });
        id = row?.id ?? '';
        return id;
      },
      { message: `the worker writes the approval row for ${workflowId}`, timeout: 30_000 },
    )
    .not.toBe('');
  return id;
}

test('two reviewers approve a quorum of 2 at the same moment: both count, and Temporal is completed once', async ({
  newUserPage,
  db,
  temporal,
}) => {
  test.setTimeout(120_000);
  const suffix = randomBytes(5).toString('hex');
  const workflowId = `quorum-race-${suffix}`;
  const handle = await temporal.workflow.start<typeof approvalWorkflow>('approvalWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [{ version: 2, title: `Quorum race ${suffix}`, quorum: 2 }],
  });
  try {
    const approvalId = await approvalRowId(db, workflowId);
    const reviewers = [await newUserPage('REVIEWER'), await newUserPage('REVIEWER')];
    const approveButtons = await Promise.all(
      reviewers.map(async ({ page }) => {
        await page.goto(`/inbox/${approvalId}`);
        const button = page.getByRole('button', { name: 'Approve' });
        await expect(button).toBeEnabled();
        return button;
      }),
    );

    await Promise.all(approveButtons.map((button) => button.click()));

    const outcome = await handle.result();
    expect(outcome.status).toBe('APPROVED');
    if (outcome.status !== 'APPROVED') throw new Error('unreachable: asserted above');
    const emails = reviewers.map((r) => r.email).sort();
    expect((outcome.approvers ?? []).map((a) => a.reviewer).sort()).toEqual(emails);
    // The approval that reached the quorum completed the activity: the later of the two.
    expect(outcome.decidedBy).toBe(outcome.approvers?.[1]?.reviewer);

    // Exactly one completion of the approval activity (recordApprovalOutcome completes another activity).
    const events = (await handle.fetchHistory()).events ?? [];
    const approvalScheduled = new Set(
      events.filter((e) => e.activityTaskScheduledEventAttributes?.activityId === APPROVAL_ACTIVITY_ID).map((e) => String(e.eventId)),
    );
    const approvalCompleted = events.filter(
      (e) =>
        e.activityTaskCompletedEventAttributes && approvalScheduled.has(String(e.activityTaskCompletedEventAttributes.scheduledEventId)),
    );
    expect(approvalCompleted).toHaveLength(1);

    const votes = await db.approvalVote.findMany({ where: { approvalRequestId: approvalId } });
    expect(votes.map((v) => v.voter).sort()).toEqual(emails);
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } })).toMatchObject({
      status: 'APPROVED',
      approvals: 2,
      decidedBy: outcome.decidedBy,
    });
    for (const { page } of reviewers) {
      await page.reload();
      await expect(page.getByTestId('status')).toHaveText('approved');
    }
  } finally {
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('e2e cleanup');
  }
});

test.describe('escalation', () => {
  /** Long enough to look at the request in its first window on a busy machine; short enough to wait for. */
  const WINDOW = '20s';
  let goClient: string;

  test.beforeAll(async () => {
    // The first build on a machine compiles the Temporal Go SDK.
    test.setTimeout(600_000);
    goClient = await builtGoClient();
  });

  const inboxRows = async (page: Page, title: string) => {
    await page.goto(`/inbox?q=${encodeURIComponent(title)}`);
    await expect(page.locator('[data-shortcuts-ready="true"]')).toBeAttached();
    return page.getByTestId('approval-row');
  };

  test('after its first window passes, the escalation people may decide: the inbox marks it, and their approval completes it', async ({
    newUserPage,
    db,
    temporal,
  }) => {
    test.setTimeout(180_000);
    const suffix = randomBytes(5).toString('hex');
    const group = `approvers-${suffix}`;
    await db.group.create({ data: { name: group, description: 'e2e: nobody in it approves' } });
    const escalation = await newUserPage('REVIEWER');
    const workflowId = `go-escalation-${suffix}`;
    const title = `Escalation ${suffix}`;
    const go = startGoRequest(goClient, [
      '-workflow-id',
      workflowId,
      '-title',
      title,
      '-quorum',
      '1',
      '-groups',
      group,
      '-escalate-users',
      escalation.email,
      '-window',
      WINDOW,
      '-countersign-queue',
      TASK_QUEUE,
      '-worker-queue',
      `go-e2e-${suffix}`,
      '-address',
      process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      '-namespace',
      process.env.TEMPORAL_NAMESPACE ?? 'default',
    ]);
    try {
      const approvalId = await approvalRowId(db, workflowId);
      const { page } = escalation;

      // Window 1: only the group may decide.
      await expect(await inboxRows(page, title)).toHaveCount(0);
      await page.goto(`/inbox/${approvalId}`);
      await expect(page.getByRole('heading', { name: title })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
      await expect(page.getByTestId('escalated-note')).toHaveCount(0);
      // Still the first window: what was seen above was window 1's page.
      expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } })).attempt).toBe(1);

      // The window passes; Temporal re-issues the activity and the row says window 2.
      await expect
        .poll(async () => (await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } })).attempt, {
          message: 'the request is re-issued after its first window',
          timeout: 90_000,
        })
        .toBe(2);

      const rows = await inboxRows(page, title);
      await expect(rows).toHaveCount(1);
      await expect(rows.first().getByTestId('routing-escalated')).toHaveText('escalated');
      await rows.first().getByRole('link', { name: title }).click();
      await expect(page).toHaveURL(`/inbox/${approvalId}`);
      await expect(page.getByTestId('escalated-note')).toBeVisible();
      await expect(page.getByTestId('reissued')).toHaveText('re-issued · window 2');
      await page.getByRole('button', { name: 'Approve' }).click();
      await expect(page.getByTestId('status')).toHaveText('approved');

      expect(await go.outcome).toEqual({ status: 'APPROVED', approved: true, approvers: [escalation.email], reviewer: escalation.email });
      expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } })).toMatchObject({
        status: 'APPROVED',
        attempt: 2,
        decidedBy: escalation.email,
        decisionPath: 'DASHBOARD',
      });
    } finally {
      await go.stop();
      const handle = temporal.workflow.getHandle(workflowId);
      const running = await handle.describe().then(
        (d) => d.status.name === 'RUNNING',
        () => false,
      );
      if (running) await handle.terminate('e2e cleanup');
    }
  });
});
