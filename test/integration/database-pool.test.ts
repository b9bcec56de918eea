// The pool's bounds against the real PostgreSQL: a statement past
// DATABASE_STATEMENT_TIMEOUT is cut off, a query that finds every connection
// taken gives up after DATABASE_CONNECT_TIMEOUT, and both read as "busy".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { ApprovalError } from '../../lib/approvals/errors';
import { createDb, isDatabaseBusy, type Db, type PoolSettings } from '../../lib/db';
import { env, findApproval, newReviewer, startPendingOrder, useServices, withWorker } from './helpers';

/** Longer than any bound under test: a query still waiting then was never cut short. */
const NEVER_MS = 8_000;

async function withDb<R>(settings: Partial<PoolSettings>, fn: (db: Db) => Promise<R>): Promise<R> {
  const db = createDb(env.databaseUrl, settings);
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

/** Holds `id`'s row lock (SELECT … FOR UPDATE) in a transaction of `db` until `until` settles. */
async function holdRowLock(db: Db, id: string, until: Promise<void>): Promise<{ done: Promise<void> }> {
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM approval_requests WHERE id = ${id}::uuid FOR UPDATE`;
      locked();
      await until;
    },
    { maxWait: NEVER_MS, timeout: 2 * NEVER_MS },
  );
  await isLocked;
  return { done };
}

describe('the database pool', { timeout: 120_000 }, () => {
  const services = useServices();

  test('a statement running past the statement timeout is cut off by PostgreSQL, and reads as busy', async () => {
    await withDb({ statementTimeoutMs: 500 }, async (db) => {
      assert.deepEqual(await db.$queryRaw`SHOW statement_timeout`, [{ statement_timeout: '500ms' }]);
      await assert.rejects(db.$queryRaw`SELECT pg_sleep(${NEVER_MS / 1000})`, (error: unknown) => {
        assert.ok(isDatabaseBusy(error), String(error));
        assert.match(String(error), /canceling statement due to statement timeout/);
        return true;
      });
      assert.deepEqual(await db.$queryRaw`SELECT 1 AS one`, [{ one: 1 }], 'the connection is fine afterwards');
    });
  });

  test('when every connection is taken, a query gives up after the connect timeout with a busy error, instead of waiting', async () => {
    await withDb({ size: 1, connectTimeoutMs: 1_000 }, async (db) => {
      // The one connection opened first: the holder takes it from the pool, so the timeout can only be the waiter's.
      await db.$queryRaw`SELECT 1`;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      // Without a connect timeout the query would wait for the holder: let go after NEVER_MS, so such a wait ends (and fails the test).
      const safety = setTimeout(release, NEVER_MS);
      let holding = false;
      let taken!: () => void;
      const isTaken = new Promise<void>((resolve) => (taken = resolve));
      const holder = db.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          holding = true;
          taken();
          await released;
          holding = false;
        },
        { maxWait: NEVER_MS, timeout: 2 * NEVER_MS },
      );
      await Promise.race([isTaken, holder]);

      const waiting = db.$queryRaw`SELECT 1`;
      await assert.rejects(waiting, (error: unknown) => {
        assert.ok(isDatabaseBusy(error), String(error));
        assert.equal(holding, true, 'it gave up while the only connection was still taken');
        return true;
      });
      release();
      clearTimeout(safety);
      await holder;
      assert.deepEqual(await db.$queryRaw`SELECT 1 AS one`, [{ one: 1 }], 'the pool serves again once the connection is back');
    });
  });

  test('a decision that waits for a row lock past the statement timeout is refused OVERLOADED, and changes nothing', async () => {
    await withWorker(services, async (taskQueue) => {
      const { handle, pending } = await startPendingOrder(services, taskQueue);
      const waiting = await newReviewer(services.db, 'waiting');
      await withDb({ statementTimeoutMs: 1_000 }, async (db) => {
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        // Someone else's lock that outlives any bound here (a row lock held without end, as a hung Temporal call once did).
        const safety = setTimeout(release, NEVER_MS);
        const lock = await holdRowLock(services.db, pending.id, released);
        try {
          await assert.rejects(
            decideApproval(
              { db, temporal: services.client },
              { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) },
              { email: waiting },
            ),
            (error: unknown) =>
              error instanceof ApprovalError &&
              error.code === 'OVERLOADED' &&
              error.message === 'Countersign is busy right now. Nothing was changed: try again in a moment.',
          );
        } finally {
          release();
          clearTimeout(safety);
          await lock.done;
        }
      });
      const row = await findApproval(services.db, handle.workflowId);
      assert.equal(row?.status, 'PENDING');
      assert.equal(
        await services.db.auditEvent.count({ where: { approvalRequestId: pending.id, action: { in: ['APPROVED', 'REJECTED'] } } }),
        0,
      );
    });
  });
});
