// orderWorkflow end to end: the approval request reaches the database with a
// live task token, and any client (token, CLI by id) can complete it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { expectInvalidRequestFailure } from '../support/workflow-failures';
import {
  approvalAttemptsStarted,
  env,
  findApproval,
  NAMESPACE,
  newOrder,
  startOrder,
  startPendingOrder,
  useServices,
  withWorker,
} from './helpers';

const run = promisify(execFile);

/** The `temporal` CLI against the test server; rejects on a non-zero exit, with the CLI's stderr. */
function temporalCli(...args: string[]) {
  return run(env.temporalCli, [...args, '--address', env.temporalAddress, '--namespace', NAMESPACE], { timeout: 30_000 });
}

describe('orderWorkflow', { timeout: 120_000 }, () => {
  const services = useServices();

  test('stores a PENDING request (attempt 1) whose task token completes the approval', async () => {
    const { db, client } = services;
    await withWorker(services, async (taskQueue) => {
      const order = newOrder();
      const { handle, pending: row } = await startPendingOrder(services, taskQueue, order);
      assert.equal(row.status, 'PENDING');
      assert.equal(row.attempt, 1);
      assert.equal(row.activityId, APPROVAL_ACTIVITY_ID);
      assert.equal(row.title, `Order ${order.id} for ${order.customer}`);
      assert.ok(row.taskToken.length > 0);

      await client.activity.complete(row.taskToken, { approved: true, reviewer: 'ops' });

      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: 'ops' });
      const decided = await findApproval(db, handle.workflowId);
      assert.equal(decided?.status, 'APPROVED');
      assert.equal(decided?.decidedBy, 'ops');
      assert.equal(decided?.decisionPath, 'EXTERNAL');
      assert.equal(decided?.taskToken, null);
      const recorded = await db.auditEvent.findMany({
        where: { approvalRequestId: row.id, action: 'APPROVED' },
        select: { actor: true, path: true, details: true },
      });
      assert.deepEqual(recorded, [{ actor: 'ops', path: 'EXTERNAL', details: { recordedBy: 'workflow' } }]);
    });
  });

  test('resumes when the temporal CLI completes the approval by workflow id and activity id', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle } = await startPendingOrder(services, taskQueue);

      await temporalCli(
        'activity',
        'complete',
        '--workflow-id',
        handle.workflowId,
        '--activity-id',
        APPROVAL_ACTIVITY_ID,
        '--result',
        JSON.stringify({ approved: true, reviewer: 'cli-ops' }),
      );

      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: 'cli-ops' });
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.decidedBy, 'cli-ops');
      assert.equal(row?.decisionPath, 'EXTERNAL');
    });
  });

  test('ends REJECTED, never re-issued, when the temporal CLI fails the approval by id with a reason', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle } = await startPendingOrder(services, taskQueue);

      // The CLI sends a non-retryable ApplicationFailure with no type: a rejection.
      await temporalCli(
        'activity',
        'fail',
        '--workflow-id',
        handle.workflowId,
        '--activity-id',
        APPROVAL_ACTIVITY_ID,
        '--reason',
        'Budget frozen',
        '--detail',
        JSON.stringify({ reviewer: 'cli-finance' }),
      );

      assert.deepEqual(await handle.result(), { status: 'REJECTED', decidedBy: 'cli-finance', reason: 'Budget frozen' });
      assert.deepEqual(await approvalAttemptsStarted(handle), [1]);
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'REJECTED');
      assert.equal(row?.decidedBy, 'cli-finance');
      assert.equal(row?.reason, 'Budget frozen');
      assert.equal(row?.decisionPath, 'EXTERNAL');
    });
  });

  test('fails with a non-retryable InvalidApprovalRequest, after one attempt, when the order breaks the contract', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      // Lower-case currency: the order is passed straight to the workflow, unvalidated.
      const handle = await startOrder(services, taskQueue, newOrder({ currency: 'usd' }));

      const failure = await expectInvalidRequestFailure(handle);
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /currency/);

      assert.deepEqual(await approvalAttemptsStarted(handle), [1]);
      assert.equal(await findApproval(db, handle.workflowId), null, 'an invalid request is never stored');
    });
  });
});
