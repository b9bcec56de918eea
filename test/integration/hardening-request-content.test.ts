// Hostile request content from a workflow: NUL and bidirectional controls are
// refused at once, naming the field, instead of a row PostgreSQL refuses and a
// request that never appears; the request is stored as validated; a row that
// cannot be written from history is backed off, not retried every sweep.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { CompleteAsyncError } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { APPROVAL_ACTIVITY_ID, INVALID_APPROVAL_REQUEST, type ApprovalRequest } from '../../lib/contract/approval';
import { FIELDS_MAX } from '../../lib/contract/limits';
import type { Activities } from '../../worker/activities';
import { createSweeper } from '../../worker/reconciler/sweep';
import { approvalAttemptsStarted, findApproval, startBareApproval, useServices, waitFor, withWorker, type Services } from './helpers';
import type { bareApprovalWorkflow, FailureSeen, requestOnceWorkflow } from './workflows';

const WORKFLOWS = require.resolve('./workflows');

/** The workflow's result, or a failure naming what did not happen in time. */
async function resultWithin<T>(handle: WorkflowHandle, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return (await Promise.race([handle.result(), timeout])) as T;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs requestOnceWorkflow with `request` and returns how the activity failed. */
async function requestOnce(services: Services, taskQueue: string, request: unknown) {
  const workflowId = `hostile-${randomUUID()}`;
  services.started.push(workflowId);
  const handle = await services.client.workflow.start<typeof requestOnceWorkflow>('requestOnceWorkflow', {
    workflowId,
    taskQueue,
    args: [request],
  });
  // Without a check, the activity retries its write for ~8 s, then waits for a decision that cannot come.
  const result = await resultWithin<FailureSeen | 'decided'>(handle, 20_000, 'the activity to fail');
  assert.ok(typeof result === 'object', `the activity failed, not ${String(result)}`);
  return { workflowId, handle, failure: result };
}

describe('hostile request content', { timeout: 180_000 }, () => {
  const services = useServices();

  test('a NUL in the title fails the activity at once: non-retryable InvalidApprovalRequest naming the title, after one attempt, and no row', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const { workflowId, handle, failure } = await requestOnce(services, taskQueue, { title: 'Refund\u0000 42', amount: 5 });
        assert.equal(failure.type, INVALID_APPROVAL_REQUEST);
        assert.equal(failure.nonRetryable, true);
        assert.match(failure.message, /^Invalid approval request: title: title must not contain NUL .*\(found U\+0000\)$/);
        assert.deepEqual(await approvalAttemptsStarted(handle), [1]);
        assert.equal(await findApproval(services.db, workflowId), null);
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test('bidirectional controls in the summary, requester, currency, a field name or a field value are refused, each field named', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const { workflowId, failure } = await requestOnce(services, taskQueue, {
          title: 'Looks fine',
          summary: 'Pay \u202Eevil',
          requester: 'ops\u2066',
          currency: 'US\u202CD',
          fields: { ['iban\u202D']: 'x', note: 'a\u2069b', clean: 'ok', rtl: 'שלום\u200F' },
        });
        assert.equal(failure.type, INVALID_APPROVAL_REQUEST);
        assert.equal(failure.nonRetryable, true);
        for (const named of [
          /summary: summary must not contain .*U\+202E/,
          /requester: requester must not contain .*U\+2066/,
          /currency: currency must not contain .*U\+202C/,
          /fields: the field name "iban\[U\+202D\]" must not contain/,
          /fields\.note: the value must not contain .*U\+2069/,
        ]) {
          assert.match(failure.message, named);
        }
        assert.ok(!/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/.test(failure.message), 'the message itself holds none of them');
        assert.equal(await findApproval(services.db, workflowId), null);
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test(`more than ${FIELDS_MAX} fields are refused, naming fields`, async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const fields = Object.fromEntries(Array.from({ length: FIELDS_MAX + 1 }, (_, i) => [`f${i}`, i]));
        const { workflowId, failure } = await requestOnce(services, taskQueue, { title: 'Many fields', fields });
        assert.equal(failure.type, INVALID_APPROVAL_REQUEST);
        assert.match(failure.message, new RegExp(`fields: fields may hold at most ${FIELDS_MAX} entries, not ${FIELDS_MAX + 1}`));
        assert.equal(await findApproval(services.db, workflowId), null);
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test('keys the contract does not know are not stored: the row holds the request as validated', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const sent = { title: '  Unknown keys  ', amount: 3, currency: 'EUR', fields: { ref: 'A-1' }, script: '<x>', nested: { deep: 1 } };
        const { pending } = await startBareApproval(services, taskQueue, sent as ApprovalRequest);
        assert.deepEqual(pending.request, { title: 'Unknown keys', amount: 3, currency: 'EUR', fields: { ref: 'A-1' } });
      },
      { workflowsPath: WORKFLOWS },
    );
  });

  test('a request the database refuses to write from history is backed off, not retried every sweep', async (t) => {
    const { db, client } = services;
    const losesItsWrite = (real: Activities): Activities => ({
      ...real,
      async requestApproval(): Promise<unknown> {
        throw new CompleteAsyncError();
      },
    });
    const tag = randomBytes(6).toString('hex');
    await withWorker(
      services,
      async (taskQueue) => {
        const workflowId = `refused-${tag}`;
        services.started.push(workflowId);
        const handle = await client.workflow.start<typeof bareApprovalWorkflow>('bareApprovalWorkflow', {
          workflowId,
          taskQueue,
          args: [{ title: `Refused by the database ${tag}` }],
        });
        await waitFor('the approval activity to start', async () =>
          (await handle.describe()).raw.pendingActivities?.some((a) => a.activityId === APPROVAL_ACTIVITY_ID && a.state === 2),
        );
        // A real PostgreSQL error on every write of this request's row.
        await db.$executeRawUnsafe(
          `CREATE FUNCTION test_refuse_${tag}() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.workflow_id = '${workflowId}' THEN RAISE EXCEPTION 'injected refusal'; END IF;
             RETURN NEW;
           END $$`,
        );
        await db.$executeRawUnsafe(
          `CREATE TRIGGER test_refuse_${tag} BEFORE INSERT OR UPDATE ON approval_requests FOR EACH ROW EXECUTE FUNCTION test_refuse_${tag}()`,
        );
        const errors = t.mock.method(console, 'error', () => undefined);
        const tries = () => errors.mock.calls.filter((call) => String(call.arguments[0]).includes(workflowId)).length;
        try {
          const sweeps = createSweeper({ db, temporal: client, graceMs: 0 }, { taskQueue });
          const start = Date.now();
          const at = (seconds: number) => new Date(start + seconds * 1_000);

          await sweeps.sweep(at(0));
          assert.equal(tries(), 1, 'the first sweep tried and failed');
          await sweeps.sweep(at(15));
          await sweeps.sweep(at(29));
          assert.equal(tries(), 1, 'the next sweeps leave it be');
          await sweeps.sweep(at(31));
          assert.equal(tries(), 2, 'tried again after the backoff');
          await sweeps.sweep(at(31 + 59));
          assert.equal(tries(), 2, 'the backoff doubled');
        } finally {
          errors.mock.restore();
          await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_${tag} ON approval_requests`);
          await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_refuse_${tag}()`);
        }
        assert.equal(await findApproval(db, workflowId), null);
      },
      { workflowsPath: WORKFLOWS, activities: losesItsWrite },
    );
  });
});
