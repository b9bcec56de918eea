// A Temporal server that stops answering (a TCP proxy frozen mid-call) must not
// hang the site: decisions end in clear, coded errors within their deadline,
// each person has a few in flight at most, and pages still get a connection.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { decideApprovals } from '../../lib/approvals/commands/bulk';
import { claimApproval } from '../../lib/approvals/commands/claim';
import { approveInputSchema, decideApproval, rejectInputSchema } from '../../lib/approvals/commands/decide';
import { DECISIONS_PER_USER } from '../../lib/approvals/commands/in-flight';
import { ApprovalError, type ApprovalErrorCode } from '../../lib/approvals/errors';
import { listInbox } from '../../lib/approvals/reads/inbox/list';
import { DEFAULT_INBOX_QUERY } from '../../lib/approvals/reads/inbox/query';
import { getApproval } from '../../lib/approvals/reads/queries';
import { createDb, type Db, type PoolSettings } from '../../lib/db';
import { connectTemporal } from '../../lib/temporal';
import { env, freezableProxy, NAMESPACE, newReviewer, startPendingOrder, useServices, waitFor, withWorker, type Services } from './helpers';

const DECISIONS = ['APPROVED', 'REJECTED'];

const SENTENCES: Partial<Record<ApprovalErrorCode, RegExp>> = {
  BUSY: new RegExp(`^You have ${DECISIONS_PER_USER} decisions in progress; wait for them to finish, then try again\\.$`),
  TEMPORAL_UNAVAILABLE: /^Temporal did not confirm in time\./,
  OVERLOADED: /^Countersign is busy right now\. Nothing was changed: try again in a moment\.$/,
};

/** The code of a refusal this suite expects (a clear one, with its sentence); anything else (a decision, say) fails the test. */
function clearCode(error: unknown): ApprovalErrorCode {
  assert.ok(error instanceof ApprovalError, `not a coded refusal: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  const sentence = SENTENCES[error.code];
  assert.ok(sentence, `unexpected code ${error.code}: ${error.message}`);
  assert.match(error.message, sentence);
  return error.code;
}

/** What a command ended with, value or error, without a rejection nobody may be awaiting yet. */
const outcomeOf = (command: Promise<unknown>): Promise<unknown> => command.catch((error: unknown) => error);

/**
 * Runs `fn` with its own pool (`settings`) and a Temporal client whose every
 * byte goes through a proxy that is frozen before `fn` runs: calls through it
 * never get an answer, only their deadline.
 */
async function withFrozenTemporal<R>(settings: Partial<PoolSettings>, fn: (db: Db, frozen: Client) => Promise<R>): Promise<R> {
  const proxy = await freezableProxy(env.temporalAddress);
  const frozen = await connectTemporal(proxy.address, NAMESPACE);
  const db = createDb(env.databaseUrl, settings);
  try {
    proxy.freeze();
    return await fn(db, frozen);
  } finally {
    proxy.close();
    await frozen.connection.close().catch(() => undefined);
    await db.$disconnect();
  }
}

/**
 * Sessions that hold a row lock taken for a decision or claim and wait (for Temporal) inside their transaction.
 * By the lock itself (SELECT … FOR UPDATE takes ROW SHARE on the table), not by the last query: the
 * transaction reads the request's votes after locking its row.
 */
async function rowLocksHeld(services: Services): Promise<number> {
  const [row] = await services.db.$queryRaw<{ n: number }[]>`
    SELECT count(DISTINCT a.pid)::int AS n FROM pg_stat_activity a
    JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'relation' AND l.relation = 'approval_requests'::regclass AND l.mode = 'RowShareLock'
    WHERE a.datname = current_database() AND a.state = 'idle in transaction'`;
  return row?.n ?? 0;
}

/** Rows leased to a decision in flight (lib/approvals/records/lease.ts): it waits for Temporal holding no connection. */
async function rowsLeased(services: Services): Promise<number> {
  const [row] = await services.db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM approval_requests WHERE deciding_until > clock_timestamp()`;
  return row?.n ?? 0;
}

/** Requests waiting for Temporal: decisions (their rows leased) and claims (their row locks held). */
const waitingOnTemporal = async (services: Services) => (await rowsLeased(services)) + (await rowLocksHeld(services));

const unchanged = async (services: Services, ids: readonly string[]) => {
  const rows = await services.db.approvalRequest.findMany({ where: { id: { in: [...ids] } }, select: { status: true, claimedBy: true } });
  assert.equal(rows.length, ids.length);
  assert.deepEqual(new Set(rows.map((r) => `${r.status} ${r.claimedBy}`)), new Set(['PENDING null']));
  assert.equal(
    await services.db.auditEvent.count({ where: { approvalRequestId: { in: [...ids] }, action: { in: [...DECISIONS, 'CLAIMED'] } } }),
    0,
  );
};

describe('a Temporal that stops answering', { timeout: 180_000 }, () => {
  const services = useServices();

  test('30 decisions from 6 reviewers end in clear errors and change nothing, while a page read is served at once, not behind them', async () => {
    await withWorker(services, async (taskQueue) => {
      const reviewers = await Promise.all(Array.from({ length: 6 }, (_, i) => newReviewer(services.db, `r${i}`)));
      const perReviewer = DECISIONS_PER_USER + 1;
      const orders = await Promise.all(
        Array.from({ length: reviewers.length * perReviewer }, () => startPendingOrder(services, taskQueue)),
      );
      const ids = orders.map((o) => o.pending.id);
      const poolSize = 10;

      await withFrozenTemporal({ size: poolSize, connectTimeoutMs: 2_000 }, async (db, frozen) => {
        const unavailable: string[] = [];
        const decisions = ids.map((id, i) => {
          const reviewer = reviewers[Math.floor(i / perReviewer)] ?? '';
          const decision =
            i % 2 === 0
              ? { decision: 'APPROVED' as const, ...approveInputSchema.parse({ id }) }
              : { decision: 'REJECTED' as const, ...rejectInputSchema.parse({ id, reason: 'frozen' }) };
          return outcomeOf(decideApproval({ db, temporal: frozen }, decision, { email: reviewer })).then((outcome) => {
            if (outcome instanceof ApprovalError && outcome.code === 'TEMPORAL_UNAVAILABLE') unavailable.push(id);
            return outcome;
          });
        });

        // Every decision not refused BUSY now waits for Temporal with its row leased, holding no connection and no lock.
        await waitFor('decisions to lease their rows', async () => (await rowsLeased(services)) === reviewers.length * DECISIONS_PER_USER);
        assert.equal(await rowLocksHeld(services), 0, 'no decision holds a transaction while Temporal answers');
        const [page, detail] = await Promise.allSettled([
          listInbox(
            db,
            DEFAULT_INBOX_QUERY,
            { email: reviewers[0] ?? '', role: 'REVIEWER', active: true, groups: [], delegators: [] },
            new Date(),
          ),
          getApproval(db, ids[0] ?? ''),
        ]);
        const unavailableWhenRead = [...unavailable];
        // Everything settles before anything is closed, whatever the reads did.
        const outcomes = await Promise.all(decisions);
        for (const read of [page, detail])
          assert.equal(read?.status, 'fulfilled', read?.status === 'rejected' ? `a read failed: ${String(read.reason)}` : '');
        assert.deepEqual(
          unavailableWhenRead,
          [],
          'the reads were served while every decision that reached Temporal was still waiting for it',
        );
        assert.ok(page?.status === 'fulfilled' && page.value.total >= ids.length);
        assert.ok(detail?.status === 'fulfilled' && detail.value?.status === 'PENDING');

        const codes = outcomes.map(clearCode);
        const count = (code: ApprovalErrorCode) => codes.filter((c) => c === code).length;
        assert.equal(count('BUSY'), reviewers.length, `each reviewer's decision beyond ${DECISIONS_PER_USER} is refused at once`);
        assert.ok(count('TEMPORAL_UNAVAILABLE') >= 1);
        assert.equal(count('BUSY') + count('TEMPORAL_UNAVAILABLE') + count('OVERLOADED'), ids.length);
      });
      await unchanged(services, ids);
    });
  });

  test('a reviewer with four decisions or claims waiting is refused a fifth (BUSY); a bulk decision runs in the slots left, never refused by its own lanes', async () => {
    await withWorker(services, async (taskQueue) => {
      const orders = await Promise.all(Array.from({ length: 11 }, () => startPendingOrder(services, taskQueue)));
      const ids = orders.map((o) => o.pending.id);
      const [a0 = '', a1 = '', a2 = '', a3 = '', b0 = '', b1 = '', ...bulkIds] = ids;
      const ana = await newReviewer(services.db, 'ana');
      const bo = await newReviewer(services.db, 'bo');

      await withFrozenTemporal({}, async (db, frozen) => {
        const deps = { db, temporal: frozen };
        const approve = (id: string, who: string) =>
          decideApproval(deps, { decision: 'APPROVED', ...approveInputSchema.parse({ id }) }, { email: who });
        const anaWaiting = [approve(a0, ana), approve(a1, ana), approve(a2, ana), claimApproval(deps, { id: a3 }, { email: ana })].map(
          outcomeOf,
        );
        const isBusy = (error: unknown) => clearCode(error) === 'BUSY';
        await assert.rejects(approve(b0, ana), isBusy);
        await assert.rejects(claimApproval(deps, { id: b0 }, { email: ana }), isBusy);
        await assert.rejects(decideApprovals(deps, { decision: 'APPROVED', ids: bulkIds, comment: undefined }, { email: ana }), isBusy);

        // Bo has two decisions waiting: his bulk decision runs in the two slots left (of its BULK_LANES), and one more is refused meanwhile.
        const boWaiting = [approve(b0, bo), approve(b1, bo)].map(outcomeOf);
        const bulk = decideApprovals(deps, { decision: 'REJECTED', ids: bulkIds, reason: 'frozen' }, { email: bo });
        bulk.catch(() => undefined); // awaited below, after the checks made while it runs
        await assert.rejects(approve(a0, bo), isBusy);
        await waitFor(
          "the bulk decision's two lanes to wait for Temporal beside the others",
          async () => (await waitingOnTemporal(services)) === 4 + 2 + 2,
        );
        const results = await bulk;
        assert.deepEqual(
          results.map((r) => r.id),
          bulkIds,
        );
        // Each one tried or skipped for Temporal's silence; none refused for the lanes' own slots.
        for (const result of results) {
          assert.ok(result.outcome === 'refused', JSON.stringify(result));
          assert.equal(result.code, 'TEMPORAL_UNAVAILABLE');
        }

        assert.deepEqual((await Promise.all(anaWaiting)).map(clearCode), [
          'TEMPORAL_UNAVAILABLE',
          'TEMPORAL_UNAVAILABLE',
          'TEMPORAL_UNAVAILABLE',
          'TEMPORAL_UNAVAILABLE',
        ]);
        assert.deepEqual((await Promise.all(boWaiting)).map(clearCode), ['TEMPORAL_UNAVAILABLE', 'TEMPORAL_UNAVAILABLE']);
        await unchanged(services, ids);

        // Every slot came back: with Temporal answering again, Ana decides four at once.
        const healthy = { db, temporal: services.client };
        const decided = await Promise.all(
          [a0, a1, a2, a3].map((id) =>
            decideApproval(healthy, { decision: 'APPROVED', ...approveInputSchema.parse({ id }) }, { email: ana }),
          ),
        );
        assert.deepEqual(
          decided.map((d) => d.status),
          ['APPROVED', 'APPROVED', 'APPROVED', 'APPROVED'],
        );
      });
    });
  });
});
