// recordApprovalRequest at the database level: one row per workflow id +
// activity id, and the newest attempt's task token wins.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { APPROVAL_ACTIVITY_ID, approvalRequestSchema } from '../../lib/contract/approval';
import { recordApprovalOutcome } from '../../lib/approvals/records/outcome';
import { recordApprovalRequest, type ApprovalAttempt } from '../../lib/approvals/records/request';
import type { Db } from '../../lib/db';
import { openDb } from './helpers';

const request = approvalRequestSchema.parse({
  title: 'Refund 42',
  requester: 'support',
  amount: 12.5,
  currency: 'EUR',
  fields: { customer: 'Acme' },
});

function attempt(workflowId: string, runId: string, n: number): ApprovalAttempt {
  const requestedAt = new Date();
  return {
    workflowId,
    runId,
    activityId: APPROVAL_ACTIVITY_ID,
    attempt: n,
    taskToken: randomBytes(32),
    requestedAt,
    deadline: new Date(requestedAt.getTime() + 60_000),
    workflowType: 'orderWorkflow',
  };
}

describe('recordApprovalRequest', { timeout: 60_000 }, () => {
  let db: Db;
  before(async () => {
    db = await openDb();
  });
  after(async () => {
    await db?.$disconnect();
  });

  test('keeps one row per approval: a newer attempt re-issues it with its token, a late older attempt is STALE', async () => {
    const workflowId = `wf-${randomUUID()}`;
    const runId = randomUUID();
    const find = () =>
      db.approvalRequest.findMany({ where: { workflowId }, select: { id: true, attempt: true, taskToken: true, status: true } });

    const first = attempt(workflowId, runId, 1);
    const requested = await recordApprovalRequest(db, first, request);
    assert.equal(requested.outcome, 'REQUESTED');

    const second = attempt(workflowId, runId, 2);
    const reissued = await recordApprovalRequest(db, second, request);
    assert.deepEqual(reissued, { id: requested.id, outcome: 'REISSUED', approvals: 0 });
    let rows = await find();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.attempt, 2);
    assert.deepEqual(Buffer.from(rows[0]?.taskToken ?? []), Buffer.from(second.taskToken ?? []));

    const late = await recordApprovalRequest(db, { ...attempt(workflowId, runId, 1), taskToken: randomBytes(32) }, request);
    assert.deepEqual(late, { id: requested.id, outcome: 'STALE', approvals: 0 });
    rows = await find();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.attempt, 2);
    assert.equal(rows[0]?.status, 'PENDING');
    assert.deepEqual(Buffer.from(rows[0]?.taskToken ?? []), Buffer.from(second.taskToken ?? []));

    const events = await db.auditEvent.findMany({
      where: { approvalRequestId: requested.id },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      select: { action: true },
    });
    assert.deepEqual(
      events.map((e) => e.action),
      ['REQUESTED', 'REISSUED'],
    );
  });

  test('stores the request as validated (unknown keys and nulls dropped, the title trimmed), and the columns from it', async () => {
    const workflowId = `wf-${randomUUID()}`;
    // As another SDK might send it: nulls for absent fields, a key Countersign does not know.
    const sent = { title: '  Refund 43  ', summary: null, amount: 7, currency: 'USD', extra: 'not kept' };
    await recordApprovalRequest(db, attempt(workflowId, randomUUID(), 1), approvalRequestSchema.parse(sent));
    const row = await db.approvalRequest.findFirstOrThrow({ where: { workflowId } });
    assert.deepEqual(row.request, { title: 'Refund 43', amount: 7, currency: 'USD' });
    assert.equal(row.title, 'Refund 43');
  });

  test('a decided request stays decided when a later attempt of the same run writes', async () => {
    const workflowId = `wf-${randomUUID()}`;
    const runId = randomUUID();
    const { id } = await recordApprovalRequest(db, attempt(workflowId, runId, 1), request);
    assert.equal(
      await recordApprovalOutcome(
        db,
        { workflowId, runId, activityId: APPROVAL_ACTIVITY_ID },
        { status: 'APPROVED', decidedBy: 'ops' },
        request,
      ),
      true,
    );

    const late = await recordApprovalRequest(db, attempt(workflowId, runId, 2), request);
    assert.deepEqual(late, { id, outcome: 'STALE', approvals: 0 });
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id }, omit: { taskToken: false } });
    assert.equal(row.status, 'APPROVED');
    assert.equal(row.decidedBy, 'ops');
    assert.equal(row.taskToken, null);
  });

  test("a decision that outruns the activity's own write is kept: the row is created decided, and the write cannot reopen it", async () => {
    const workflowId = `wf-${randomUUID()}`;
    const runId = randomUUID();
    const key = { workflowId, runId, activityId: APPROVAL_ACTIVITY_ID };
    assert.equal(await recordApprovalOutcome(db, key, { status: 'REJECTED', decidedBy: 'cli', reason: 'No' }, request), true);

    const late = await recordApprovalRequest(db, attempt(workflowId, runId, 1), request);
    assert.equal(late.outcome, 'STALE');
    const rows = await db.approvalRequest.findMany({ where: { workflowId } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.status, 'REJECTED');
    assert.equal(rows[0]?.reason, 'No');
    assert.equal(rows[0]?.decisionPath, 'EXTERNAL');
    // Recording the same outcome again changes nothing.
    assert.equal(await recordApprovalOutcome(db, key, { status: 'REJECTED', decidedBy: 'cli', reason: 'No' }, request), false);
  });

  test('a newer run of the workflow id starts over; a late write of an older run changes nothing', async () => {
    const workflowId = `wf-${randomUUID()}`;
    const older = { ...attempt(workflowId, randomUUID(), 1), requestedAt: new Date(Date.now() - 60_000) };
    const newer = attempt(workflowId, randomUUID(), 1);
    const { id } = await recordApprovalRequest(db, newer, request);
    assert.deepEqual(await recordApprovalRequest(db, older, request), { id, outcome: 'STALE', approvals: 0 });
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id }, omit: { taskToken: false } });
    assert.equal(row.runId, newer.runId);
    assert.deepEqual(Buffer.from(row.taskToken ?? []), Buffer.from(newer.taskToken ?? []));
  });

  test("the workflow's own outcome is authoritative: it corrects a row closed otherwise; the reconciler's never does", async () => {
    const workflowId = `wf-${randomUUID()}`;
    const runId = randomUUID();
    const key = { workflowId, runId, activityId: APPROVAL_ACTIVITY_ID };
    const { id } = await recordApprovalRequest(db, attempt(workflowId, runId, 1), request);
    // Say a completion landed after the workflow had withdrawn the approval.
    await db.approvalRequest.update({
      where: { id },
      data: { status: 'APPROVED', decidedBy: 'quick', decisionPath: 'DASHBOARD', decidedAt: new Date() },
    });

    assert.equal(await recordApprovalOutcome(db, key, { status: 'EXPIRED' }, null, { recordedBy: 'reconciler' }), false);
    assert.equal((await db.approvalRequest.findUniqueOrThrow({ where: { id } })).status, 'APPROVED');

    assert.equal(await recordApprovalOutcome(db, key, { status: 'CANCELLED', reason: 'The workflow was cancelled' }, request), true);
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id } });
    assert.equal(row.status, 'CANCELLED');
    assert.equal(row.decidedBy, null);
    const corrected = await db.auditEvent.findFirstOrThrow({ where: { approvalRequestId: id, action: 'CANCELLED' } });
    assert.deepEqual(corrected.details, { recordedBy: 'workflow', corrected: 'APPROVED' });
  });
});
