// recordApprovalRequest at the database level: one row per workflow id +
// activity id, and the newest attempt's task token wins.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { APPROVAL_ACTIVITY_ID, approvalRequestSchema } from '../../lib/approval-contract';
import { recordApprovalRequest, type ApprovalAttempt } from '../../lib/approvals/record-approval-request';
import type { Db } from '../../lib/db';
import { openDb } from './helpers';

const request = approvalRequestSchema.parse({ title: 'Refund 42', requester: 'support', amount: 12.5, currency: 'EUR', fields: { customer: 'Acme' } });

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
    const find = () => db.approvalRequest.findMany({ where: { workflowId }, select: { id: true, attempt: true, taskToken: true, status: true } });

    const first = attempt(workflowId, runId, 1);
    const requested = await recordApprovalRequest(db, first, request);
    assert.equal(requested.outcome, 'REQUESTED');

    const second = attempt(workflowId, runId, 2);
    const reissued = await recordApprovalRequest(db, second, request);
    assert.deepEqual(reissued, { id: requested.id, outcome: 'REISSUED' });
    let rows = await find();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.attempt, 2);
    assert.deepEqual(Buffer.from(rows[0]?.taskToken ?? []), Buffer.from(second.taskToken));

    const late = await recordApprovalRequest(db, { ...attempt(workflowId, runId, 1), taskToken: randomBytes(32) }, request);
    assert.deepEqual(late, { id: requested.id, outcome: 'STALE' });
    rows = await find();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.attempt, 2);
    assert.equal(rows[0]?.status, 'PENDING');
    assert.deepEqual(Buffer.from(rows[0]?.taskToken ?? []), Buffer.from(second.taskToken));

    const events = await db.auditEvent.findMany({ where: { approvalRequestId: requested.id }, orderBy: { at: 'asc' }, select: { action: true } });
    assert.deepEqual(
      events.map((e) => e.action),
      ['REQUESTED', 'REISSUED'],
    );
  });
});
