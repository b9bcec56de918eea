// The decision path at the SDK's pace (issue 12): a completing decision makes
// one write to Temporal, and holds no transaction while Temporal answers (its
// row is leased instead, lib/approvals/records/lease.ts). Whoever else would
// change the row waits for the lease, as it waited for the row lock before.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { Prisma } from '@prisma/client';
import { readPendingRow } from '../../lib/approvals/commands/locked-row';
import { endLease, leaseIfUnchanged, LeaseHeldError } from '../../lib/approvals/records/lease';
import { recordApprovalOutcome } from '../../lib/approvals/records/outcome';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { env, findApproval, NAMESPACE, newReviewer, startPendingOrder, useServices, withWorker } from './helpers';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/** A client whose every gRPC call is listed by method name. */
async function countingClient(): Promise<{ client: Client; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const count: Interceptor = (options, nextCall) => {
    calls.push(options.method_definition.path.split('/').pop() ?? '');
    return nextCall(options) as ReturnType<Interceptor>;
  };
  const connection = await Connection.connect({ address: env.temporalAddress, interceptors: [count] });
  return { client: new Client({ connection, namespace: NAMESPACE }), calls, close: () => connection.close() };
}

describe('the decision path', { timeout: 120_000 }, () => {
  const services = useServices();

  test('a completing decision asks Temporal one question (a read) and makes one write: no heartbeat', async () => {
    const counting = await countingClient();
    try {
      await withWorker(services, async (taskQueue) => {
        const { handle, pending } = await startPendingOrder(services, taskQueue);
        const reviewer = await newReviewer(services.db, 'one-write');
        counting.calls.length = 0;
        const decided = await decideApproval(
          { db: services.db, temporal: counting.client },
          { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) },
          { email: reviewer },
        );
        assert.equal(decided.status, 'APPROVED');
        assert.deepEqual(counting.calls, ['DescribeWorkflowExecution', 'RespondActivityTaskCompleted']);
        assert.equal((await handle.result()).status, 'FULFILLED');
        const row = await findApproval(services.db, handle.workflowId);
        assert.equal(row?.decisionPath, 'DASHBOARD');
        assert.equal(row?.decidingLease, null, 'the decision ended its lease');
        assert.equal(row?.decidingUntil, null);
      });
    } finally {
      await counting.close();
    }
  });

  test("the workflow's own record of its outcome waits for a decision in flight, and never takes it over", async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const key = { workflowId: handle.workflowId, runId: pending.runId, activityId: APPROVAL_ACTIVITY_ID };
      // A decision in flight: its row leased, as decideApproval leases it while Temporal answers.
      const lease = await leaseIfUnchanged(services.db, (await readPendingRow(services.db, pending.id, 'in-flight@example.com')).row);
      assert.ok(lease, 'the row is leased');
      const order: string[] = [];
      const recording = recordApprovalOutcome(services.db, key, { status: 'APPROVED', decidedBy: 'someone-outside' }, null, {
        recordedBy: 'reconciler',
      }).then((changed) => {
        order.push('recorded');
        return changed;
      });
      // It waits: the row is still pending while the lease holds.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(order.length, 0, 'the record waits');
      assert.equal((await findApproval(services.db, handle.workflowId))?.status, 'PENDING');
      order.push('lease ended');
      await endLease(services.db, pending.id, lease);
      assert.equal(await recording, true);
      assert.deepEqual(order, ['lease ended', 'recorded']);
      assert.equal((await findApproval(services.db, handle.workflowId))?.status, 'APPROVED');
    });
  });

  test('a lease past its time is no lease: a decision goes through a row whose decider died mid-way', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      // A process that leased the row and died: its lease ran out a second ago.
      await services.db.$executeRaw`
        UPDATE approval_requests SET deciding_lease = gen_random_uuid(), deciding_until = clock_timestamp() - interval '1 second'
        WHERE id = ${pending.id}::uuid`;
      const reviewer = await newReviewer(services.db, 'after-a-crash');
      const decided = await decideApproval(
        { db: services.db, temporal: services.client },
        { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) },
        { email: reviewer },
      );
      assert.equal(decided.status, 'APPROVED');
      assert.equal(decided.recorded, true);
      assert.equal((await handle.result()).status, 'FULFILLED');
    });
  });

  test('the lease is taken only if the row is as the decision read it: a claim, a vote or a new window in between sends it back to read', async () => {
    await withWorker(services, async (taskQueue) => {
      const { pending } = await startPendingOrder(services, taskQueue);
      const reviewer = await newReviewer(services.db, 'compare-and-set');
      const leaseOf = async () =>
        (await services.db.approvalRequest.findUniqueOrThrow({ where: { id: pending.id }, select: { decidingLease: true } })).decidingLease;
      const changes = [
        { what: 'a claim', sql: Prisma.sql`claimed_by = 'someone-else@example.com', claimed_at = now()` },
        { what: 'a vote', sql: Prisma.sql`approvals = approvals + 1` },
        { what: 'a new window', sql: Prisma.sql`attempt = attempt + 1` },
      ];
      for (const change of changes) {
        const seen = await readPendingRow(services.db, pending.id, reviewer);
        assert.equal(seen.actor?.email, reviewer, 'the decider is read with the row');
        await services.db.$executeRaw`UPDATE approval_requests SET ${change.sql} WHERE id = ${pending.id}::uuid`;
        assert.equal(await leaseIfUnchanged(services.db, seen.row), null, `${change.what} since the read: no lease`);
        assert.equal(await leaseOf(), null, `${change.what}: the row is not leased`);
        const again = await readPendingRow(services.db, pending.id, reviewer);
        const lease = await leaseIfUnchanged(services.db, again.row);
        assert.ok(lease, `read again after ${change.what}: the lease is taken`);
        assert.equal(await leaseOf(), lease);
        // A second decision that read the row before this lease does not get one too.
        assert.equal(await leaseIfUnchanged(services.db, again.row), null, 'one lease at a time');
        await assert.rejects(readPendingRow(services.db, pending.id, reviewer), LeaseHeldError, 'a leased row is waited out');
        await endLease(services.db, pending.id, lease);
      }
    });
  });
});
