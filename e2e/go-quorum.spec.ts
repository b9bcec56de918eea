// A Go service asks for two approvals: test/go-client runs a Go worker and a Go
// workflow (on its own task queue) that calls requestApproval on Countersign's
// task queue with a quorum of 2. Two reviewers approve in their own browsers;
// the first is recorded as progress, the second resumes the Go workflow, whose
// result names both.
import { randomBytes } from 'node:crypto';
import { builtGoClient, GO_APPROVAL_WORKFLOW, startGoRequest } from '../test/support/go-client';
import { expect, test } from './support';

let goClient: string;

test.beforeAll(async () => {
  // The first build on a machine compiles the Temporal Go SDK.
  test.setTimeout(600_000);
  goClient = await builtGoClient();
});

test('a Go workflow asks for a quorum of 2: two reviewers approve, and its result names both', async ({ newUserPage, db, temporal }) => {
  test.setTimeout(120_000);
  const suffix = randomBytes(5).toString('hex');
  const workflowId = `go-quorum-${suffix}`;
  const title = `Go quorum ${suffix}`;
  const go = startGoRequest(goClient, [
    '-workflow-id',
    workflowId,
    '-title',
    title,
    '-requester',
    'go-service@example.com',
    '-quorum',
    '2',
    '-countersign-queue',
    process.env.TEMPORAL_TASK_QUEUE ?? 'countersign',
    '-worker-queue',
    `go-e2e-${suffix}`,
    '-window',
    '1h',
    '-address',
    process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    '-namespace',
    process.env.TEMPORAL_NAMESPACE ?? 'default',
  ]);
  try {
    let approvalId = '';
    await expect
      .poll(
        async () => {
          const row = await db.approvalRequest.findFirst({ where: { workflowId }, select: { id: true } });
          approvalId = row?.id ?? '';
          return approvalId;
        },
        { message: `Countersign's worker writes the row of the Go workflow ${workflowId}`, timeout: 30_000 },
      )
      .not.toBe('');
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } })).toMatchObject({
      title,
      status: 'PENDING',
      quorum: 2,
      approvals: 0,
      workflowType: GO_APPROVAL_WORKFLOW,
    });

    const first = await newUserPage('REVIEWER');
    const second = await newUserPage('REVIEWER');

    await first.page.goto(`/inbox/${approvalId}`);
    await first.page.getByRole('button', { name: 'Approve' }).click();
    // The page shows the quorum's progress (the answer to the approval, then the request's own account of it).
    await expect(first.page.getByText('1 of 2 approvals').first()).toBeVisible();
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } })).toMatchObject({ status: 'PENDING', approvals: 1 });

    await second.page.goto(`/inbox/${approvalId}`);
    await second.page.getByRole('button', { name: 'Approve' }).click();
    await expect(second.page.getByTestId('status')).toHaveText('approved');

    expect(await go.outcome).toEqual({
      status: 'APPROVED',
      approved: true,
      approvers: [first.email, second.email],
      reviewer: second.email,
    });
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } })).toMatchObject({
      status: 'APPROVED',
      approvals: 2,
      decidedBy: second.email,
      decisionPath: 'DASHBOARD',
    });
    const votes = await db.approvalVote.findMany({ where: { approvalRequestId: approvalId }, orderBy: { at: 'asc' } });
    expect(votes.map((v) => v.voter)).toEqual([first.email, second.email]);
  } finally {
    await go.stop();
    // Failed half-way: the Go workflow would wait for its hour; end it.
    const handle = temporal.workflow.getHandle(workflowId);
    const running = await handle.describe().then(
      (d) => d.status.name === 'RUNNING',
      () => false,
    );
    if (running) await handle.terminate('e2e cleanup');
  }
});
