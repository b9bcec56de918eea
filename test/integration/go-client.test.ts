// Another SDK decides: test/go-client (the Temporal Go SDK) approves by
// workflow id + activity id and rejects by task token, and the decision reaches
// Countersign's inbox within seconds, recorded as EXTERNAL.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { buildGoClient } from '../support/go-client';
import { env, findApproval, NAMESPACE, openServices, startPendingOrder, waitFor, withWorker, type Services } from './helpers';

const run = promisify(execFile);

const GO_REVIEWER = 'go-reviewer@example.com';
/** How soon after the Go client returns the inbox must show its decision. */
const INBOX_WITHIN_MS = 10_000;

describe('a decision made with the Temporal Go SDK', { timeout: 900_000 }, () => {
  let services: Services;
  let tmp: string;
  let goClient: (...args: string[]) => Promise<string>;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'countersign-go-client-'));
    const binary = await buildGoClient(tmp);
    goClient = async (...args) => {
      const [decision, ...flags] = args;
      try {
        const { stdout } = await run(binary, [decision ?? '', ...flags, '-address', env.temporalAddress, '-namespace', NAMESPACE], {
          timeout: 30_000,
        });
        return stdout;
      } catch (error) {
        throw new Error(`go-client ${decision} failed: ${(error as { stderr?: string }).stderr || String(error)}`);
      }
    };
    services = await openServices();
  });
  after(async () => {
    await services?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('approves by workflow id + activity id: FULFILLED, and the row APPROVED via EXTERNAL within 10 s', async (t) => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);

      await goClient(
        'approve',
        '-workflow-id',
        pending.workflowId,
        '-run-id',
        pending.runId,
        '-activity-id',
        APPROVAL_ACTIVITY_ID,
        '-reviewer',
        GO_REVIEWER,
        '-comment',
        'Signed off from Go',
      );
      const decidedAt = Date.now();

      const row = await waitFor(
        'the inbox row to show the Go approval',
        async () => {
          const current = await findApproval(db, handle.workflowId);
          return current?.status === 'APPROVED' ? current : undefined;
        },
        { timeoutMs: INBOX_WITHIN_MS },
      );
      t.diagnostic(`row APPROVED ${Date.now() - decidedAt} ms after the Go client returned`);
      assert.equal(row.decisionPath, 'EXTERNAL');
      assert.equal(row.decidedBy, GO_REVIEWER);
      assert.equal(row.comment, 'Signed off from Go');
      assert.equal(row.taskToken, null);

      assert.deepEqual(await handle.result(), { status: 'FULFILLED', decidedBy: GO_REVIEWER, comment: 'Signed off from Go' });
    });
  });

  test('rejects by task token with ApprovalDenied: REJECTED with the reason, and the row REJECTED via EXTERNAL within 10 s', async (t) => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const reason = 'Over budget (decided in Go)';

      await goClient('reject', '-token', Buffer.from(pending.taskToken).toString('base64'), '-reviewer', GO_REVIEWER, '-reason', reason);
      const decidedAt = Date.now();

      const row = await waitFor(
        'the inbox row to show the Go rejection',
        async () => {
          const current = await findApproval(db, handle.workflowId);
          return current?.status === 'REJECTED' ? current : undefined;
        },
        { timeoutMs: INBOX_WITHIN_MS },
      );
      t.diagnostic(`row REJECTED ${Date.now() - decidedAt} ms after the Go client returned`);
      assert.equal(row.decisionPath, 'EXTERNAL');
      assert.equal(row.decidedBy, GO_REVIEWER);
      assert.equal(row.reason, reason);
      assert.equal(row.taskToken, null);

      assert.deepEqual(await handle.result(), { status: 'REJECTED', decidedBy: GO_REVIEWER, reason });
    });
  });
});
