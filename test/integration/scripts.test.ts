// The operator scripts as processes (`npm run user`, `npm run request`) against
// the real PostgreSQL and Temporal server, and the demo-user seed on a database
// that has users already.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Db } from '../../lib/db';
import { orderWorkflowId, type Order } from '../../lib/contract/orders';
import { createUser, DEMO_USERS, PASSWORD_MAX, PASSWORD_MIN, seedDemoUsers, verifyCredentials } from '../../lib/auth/users';
import { env, openDb, openServices, ROOT, uniqueTaskQueue, type Services } from './helpers';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs scripts/<name>.ts to its end on a task queue of its own, with stdin
 * closed (so the user script never waits at a prompt) and no password unless
 * the test passes one.
 */
async function runScript(name: 'user' | 'request', args: string[], extraEnv: Record<string, string> = {}): Promise<ScriptRun> {
  const { COUNTERSIGN_PASSWORD: _inherited, ...inherited } = process.env;
  const child = spawn(TSX, [`scripts/${name}.ts`, ...args], {
    cwd: ROOT,
    env: {
      ...inherited,
      DATABASE_URL: env.databaseUrl,
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue(),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A hung script fails its test with its output instead of stalling the file.
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': both pipes are drained by then.
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** Asserts the exit code, showing the script's output when it differs. */
function assertExit(run: ScriptRun, code: number): void {
  assert.deepEqual({ code: run.code, signal: run.signal }, { code, signal: null }, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
}

const newEmail = () => `script-${randomUUID()}@example.com`;
const newPassword = () => `pw-${randomUUID()}`;

describe('scripts/user.ts (npm run user)', { timeout: 120_000 }, () => {
  let db: Db;
  const emails: string[] = [];
  const email = () => {
    const address = newEmail();
    emails.push(address);
    return address;
  };
  before(async () => {
    db = await openDb();
  });
  after(async () => {
    await db?.user.deleteMany({ where: { email: { in: emails } } });
    await db?.$disconnect();
  });

  test('creates an admin from --email, --role and COUNTERSIGN_PASSWORD, storing only an argon2id hash that signs in with that password alone', async () => {
    const address = email();
    const password = newPassword();
    const run = await runScript('user', ['--email', address, '--role', 'admin'], { COUNTERSIGN_PASSWORD: password });
    assertExit(run, 0);

    const row = await db.user.findUnique({ where: { email: address } });
    assert.ok(row, 'the users row exists');
    assert.equal(row.role, 'ADMIN');
    const hash = row.passwordHash ?? '';
    assert.match(hash, /^\$argon2id\$/, 'the password is stored as an argon2id hash');
    assert.notEqual(hash, password);
    assert.ok(!hash.includes(password), 'the plain password is not part of the stored hash');

    assert.deepEqual(await verifyCredentials(db, address, password), { id: row.id, email: address, name: null, role: 'ADMIN' });
    assert.equal(await verifyCredentials(db, address, `${password}x`), null);
  });

  test('refuses a second user with the same email: exit 2, says the email exists, keeps exactly one user', async () => {
    const address = email();
    assertExit(await runScript('user', ['--email', address, '--role', 'admin'], { COUNTERSIGN_PASSWORD: newPassword() }), 0);

    const again = await runScript('user', ['--email', address, '--role', 'reviewer'], { COUNTERSIGN_PASSWORD: newPassword() });
    assertExit(again, 2);
    assert.match(again.stderr, new RegExp(`A user with the email ${escapeRegExp(address)} exists already`));
    assert.equal(await db.user.count({ where: { email: address } }), 1);
    assert.equal((await db.user.findUnique({ where: { email: address } }))?.role, 'ADMIN', 'the first user is left as it was');
  });

  test('refuses a role other than admin or reviewer: exit 2, names the role, creates nothing', async () => {
    const address = email();
    const run = await runScript('user', ['--email', address, '--role', 'superuser'], { COUNTERSIGN_PASSWORD: newPassword() });
    assertExit(run, 2);
    assert.match(run.stderr, /--role superuser: must be admin or reviewer/);
    assert.equal(await db.user.count({ where: { email: address } }), 0);
  });

  test(`refuses a password shorter than ${PASSWORD_MIN} characters: exit 2, says why, creates nothing`, async () => {
    const address = email();
    const run = await runScript('user', ['--email', address, '--role', 'reviewer'], { COUNTERSIGN_PASSWORD: 'x'.repeat(PASSWORD_MIN - 1) });
    assertExit(run, 2);
    assert.match(run.stderr, new RegExp(`password: the password must be at least ${PASSWORD_MIN} characters`));
    assert.equal(await db.user.count({ where: { email: address } }), 0);
  });

  test(`refuses a password longer than ${PASSWORD_MAX} characters: exit 2, says why, creates nothing`, async () => {
    const address = email();
    const run = await runScript('user', ['--email', address, '--role', 'reviewer'], { COUNTERSIGN_PASSWORD: 'x'.repeat(PASSWORD_MAX + 1) });
    assertExit(run, 2);
    assert.match(run.stderr, new RegExp(`password: the password must be at most ${PASSWORD_MAX} characters`));
    assert.equal(await db.user.count({ where: { email: address } }), 0);
  });
});

describe('scripts/request.ts (npm run request)', { timeout: 120_000 }, () => {
  let services: Services;
  before(async () => {
    services = await openServices();
  });
  after(async () => {
    // Terminates every workflow the scripts may have started; none has a worker.
    await services?.close();
  });

  /** A fresh order id, remembered so its workflow (if any) is terminated after the file. */
  const newId = () => {
    const id = `script-${randomUUID()}`;
    services.started.push(orderWorkflowId(id));
    return id;
  };

  async function assertNoWorkflow(workflowId: string): Promise<void> {
    // Any other error is rethrown as it is: it says nothing about whether the workflow exists.
    const outcome = await services.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        ({ status }) => `${workflowId} was started (${status.name})`,
        (error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return undefined;
          throw error;
        },
      );
    assert.equal(outcome, undefined);
  }

  test('starts orderWorkflow for the order on TEMPORAL_TASK_QUEUE and prints only its workflow id', async () => {
    const id = newId();
    const customer = `Customer ${randomUUID()}`;
    const taskQueue = uniqueTaskQueue();
    const run = await runScript(
      'request',
      ['--customer', customer, '--amount', '1200', '--currency', 'EUR', '--item', 'A-1:2', '--id', id],
      {
        TEMPORAL_TASK_QUEUE: taskQueue,
      },
    );
    assertExit(run, 0);
    const workflowId = `order-${id}`;
    assert.equal(run.stdout, `${workflowId}\n`);

    const handle = services.client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    assert.equal(description.type, 'orderWorkflow');
    assert.equal(description.taskQueue, taskQueue);
    assert.equal(description.status.name, 'RUNNING');

    const { events } = await handle.fetchHistory();
    const payloads = events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    assert.equal(payloads.length, 1, 'orderWorkflow gets one argument, the order');
    const [payload] = payloads;
    assert.ok(payload);
    assert.deepEqual(defaultPayloadConverter.fromPayload<Order>(payload), {
      id,
      customer,
      amount: 1200,
      currency: 'EUR',
      items: [{ sku: 'A-1', qty: 2 }],
    });

    await handle.terminate('integration test done');
  });

  test('refuses an order id that already has a running workflow: exit 2, names the duplicate, starts no second run', async () => {
    const id = newId();
    const args = ['--customer', 'Dup Ltd', '--amount', '10', '--id', id];
    const first = await runScript('request', args);
    assertExit(first, 0);
    const { runId } = await services.client.workflow.getHandle(`order-${id}`).describe();

    const again = await runScript('request', args);
    assertExit(again, 2);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, new RegExp(`Order ${escapeRegExp(id)} already has a workflow \\(order-${escapeRegExp(id)}\\)`));
    assert.match(again.stderr, /--id/);
    const latest = await services.client.workflow.getHandle(`order-${id}`).describe();
    assert.deepEqual({ runId: latest.runId, status: latest.status.name }, { runId, status: 'RUNNING' });
  });

  test('refuses an order id whose workflow has closed: one approval per order, ever', async () => {
    const id = newId();
    const args = ['--customer', 'Closed Ltd', '--amount', '10', '--id', id];
    assertExit(await runScript('request', args), 0);
    await services.client.workflow.getHandle(`order-${id}`).terminate('closed before the second request');

    const again = await runScript('request', args);
    assertExit(again, 2);
    assert.match(again.stderr, new RegExp(`Order ${escapeRegExp(id)} already has a workflow`));
    assert.equal((await services.client.workflow.getHandle(`order-${id}`).describe()).status.name, 'TERMINATED', 'no new run was started');
  });

  test('names every bad flag at once (amount, currency, item), exits 2 and starts no workflow', async () => {
    const id = newId();
    const run = await runScript('request', [
      '--customer',
      'Bad Input Ltd',
      '--amount=-5',
      '--currency',
      'EURO',
      '--item',
      'nope',
      '--id',
      id,
    ]);
    assertExit(run, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--amount: amount must be more than 0/);
    assert.match(run.stderr, /--currency: currency must be an ISO 4217 code/);
    assert.match(run.stderr, /--item: each item is SKU:QTY/);
    await assertNoWorkflow(orderWorkflowId(id));
  });

  test('refuses a negative amount given as a separate argument (--amount -5), naming --amount, and starts no workflow', async () => {
    const id = newId();
    const run = await runScript('request', ['--customer', 'Bad Input Ltd', '--amount', '-5', '--id', id]);
    assertExit(run, 2);
    assert.match(run.stderr, /--amount/);
    await assertNoWorkflow(orderWorkflowId(id));
  });

  test('refuses an amount that is not a plain decimal (1e3), naming --amount, and starts no workflow', async () => {
    const id = newId();
    const run = await runScript('request', ['--customer', 'Bad Input Ltd', '--amount', '1e3', '--id', id]);
    assertExit(run, 2);
    assert.match(run.stderr, /--amount: "1e3" is not a number/);
    await assertNoWorkflow(orderWorkflowId(id));
  });
});

describe('seedDemoUsers', { timeout: 60_000 }, () => {
  let db: Db;
  before(async () => {
    db = await openDb();
  });
  after(async () => {
    await db?.$disconnect();
  });

  test('returns false and creates no users when the users table has any', async () => {
    // Made non-empty here, so the test does not depend on what ran before it.
    const existing = await createUser(db, { email: newEmail(), password: newPassword(), role: 'REVIEWER' });
    try {
      const demoEmails = DEMO_USERS.map((u) => u.email);
      const countDemo = () => db.user.count({ where: { email: { in: demoEmails } } });
      const [usersBefore, demoBefore] = [await db.user.count(), await countDemo()];

      assert.equal(await seedDemoUsers(db), false);

      assert.equal(await db.user.count(), usersBefore);
      assert.equal(await countDemo(), demoBefore);
    } finally {
      await db.user.delete({ where: { id: existing.id } });
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
