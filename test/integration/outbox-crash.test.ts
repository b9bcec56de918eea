// Nothing the outbox holds is lost when a process dies, with real processes
// and SIGKILL: worker processes (worker/main.ts) killed after a failed webhook
// attempt and in the middle of the retry, and a deciding process (the web
// side's decideApproval) killed right after its decision committed, and after
// Temporal took the decision but before the transaction committed. A receiver
// on loopback fails or stalls attempts as told, and every delivery it gets
// must carry a valid signature; each event must succeed there exactly once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Db } from '../../lib/db';
import { verifyWebhookSignature, type WebhookBody } from '../../lib/webhooks/deliver';
import { createWebhook, listWebhookDeliveries } from '../../lib/webhooks/endpoints';
import { killProcess, spawnScript, spawnWorker, untilReady, withTimeout, type NodeProcess } from '../support/processes';
import {
  approvalClosings,
  env,
  findApproval,
  newReviewer,
  openServices,
  settleOutbox,
  startPendingOrder,
  uniqueTaskQueue,
  waitFor,
  type Services,
} from './helpers';

const ADMIN = { email: 'outbox-crash-admin@example.com', role: 'ADMIN' as const };

/** What the receiver does with an attempt: answer with a status, or hold it open until the sender goes away. */
type Answer = number | 'stall';

interface Attempt {
  /** `Countersign-Delivery`: the same on every attempt of one delivery. */
  delivery: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When it arrived, ms since the epoch. */
  at: number;
  /** The status it was answered with, once the answer was written out. */
  answered?: number;
  /** The sender went away before it was answered. */
  abandoned: boolean;
}

/** A webhook receiver on loopback; `answer(n)` says what the n-th attempt (from 1) of a delivery gets. */
async function scriptedReceiver(answer: (attempt: number) => Answer) {
  const attempts: Attempt[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const delivery = String(req.headers['countersign-delivery']);
      const attempt: Attempt = {
        delivery,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        abandoned: false,
      };
      attempts.push(attempt);
      res.on('close', () => {
        if (!res.writableFinished) attempt.abandoned = true;
      });
      const what = answer(attempts.filter((a) => a.delivery === delivery).length);
      if (what === 'stall') return;
      res.statusCode = what;
      res.end(what < 300 ? 'ok' : 'receiver says no', () => (attempt.answered = what));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    attempts,
    /** Attempts carrying `eventId` that were answered 2xx: what a receiver counts as delivered. */
    successes: (eventId: string) =>
      attempts.filter((a) => a.answered !== undefined && a.answered < 300 && (JSON.parse(a.body) as WebhookBody).data.eventId === eventId)
        .length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function assertSigned(secret: string, attempt: Attempt): void {
  const timestamp = String(attempt.headers['countersign-timestamp']);
  const signature = String(attempt.headers['countersign-signature']);
  assert.ok(verifyWebhookSignature(secret, timestamp, attempt.body, signature), 'the signature verifies with the endpoint’s secret');
  assert.ok(!verifyWebhookSignature(`${secret}x`, timestamp, attempt.body, signature), 'and with no other secret');
}

const decidedKey = (row: { id: string; runId: string; attempt: number }) => `event:decided-APPROVED:${row.id}:${row.runId}:${row.attempt}`;

/** The one WEBHOOK delivery of `webhookId`, once `ready` says so. */
async function deliveryOf(db: Db, webhookId: string, what: string, ready: (row: Awaited<ReturnType<typeof findDelivery>>) => boolean) {
  return waitFor(what, async () => {
    const row = await findDelivery(db, webhookId);
    return row && ready(row) ? row : undefined;
  });
}

const findDelivery = (db: Db, webhookId: string) => db.outboxMessage.findFirst({ where: { webhookId, kind: 'WEBHOOK' } });

describe('the outbox when processes die', { timeout: 600_000 }, () => {
  let services: Services;
  // Each test's processes and endpoints: killed and turned off after it.
  let processes: NodeProcess[] = [];
  let webhookIds: string[] = [];

  before(async () => {
    services = await openServices();
    // Other suites' events in the shared database are not these workers' to send.
    await settleOutbox(services.db);
  });
  afterEach(async () => {
    await Promise.all(processes.map(killProcess));
    processes = [];
    await services.db.webhook.updateMany({ where: { id: { in: webhookIds } }, data: { active: false } });
    webhookIds = [];
  });
  after(async () => {
    await services.close();
  });

  /** A worker process on `taskQueue` that sends webhooks only (no SMTP_URL), looking at the outbox every 200 ms. */
  async function startWorker(taskQueue: string): Promise<NodeProcess> {
    const worker = spawnWorker({
      DATABASE_URL: env.databaseUrl,
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      OUTBOX_INTERVAL: '200ms',
      // The shortest lease allowed: a dead worker's message waits this long for the next.
      OUTBOX_LEASE: '15s',
      SMTP_URL: '',
      WORKER_LOG_LEVEL: 'WARN',
    });
    processes.push(worker);
    await untilReady(worker);
    return worker;
  }

  async function newWebhook(url: string, events: ('requested' | 'decided')[]) {
    const created = await createWebhook(services.db, ADMIN, { url, events });
    webhookIds.push(created.webhook.id);
    return created;
  }

  /** A pending request whose worker has stopped (SIGTERM, exit 0): from here on, no process dispatches the outbox. */
  async function pendingWithNoWorker(taskQueue: string) {
    const worker = await startWorker(taskQueue);
    const { handle, pending } = await startPendingOrder(services, taskQueue);
    worker.child.kill('SIGTERM');
    assert.deepEqual(await withTimeout(worker.exited, 30_000, 'the worker stopping'), { code: 0, signal: null }, worker.output().stderr);
    return { handle, pending, reviewer: await newReviewer(services.db, 'crash') };
  }

  /** test/support/decide-and-die.ts: approves `id` as `email`, then SIGKILLs itself (unless killed sooner). */
  function startDecider(id: string, email: string): NodeProcess {
    const decider = spawnScript('test/support/decide-and-die.ts', [id, email], {
      DATABASE_URL: env.databaseUrl,
      TEMPORAL_ADDRESS: env.temporalAddress,
    });
    processes.push(decider);
    return decider;
  }

  test('a webhook delivery survives its worker SIGKILLed after a failed attempt and another SIGKILLed mid-retry: it arrives once, signed, on the third attempt', async () => {
    const { db } = services;
    // 1st attempt: 500. 2nd: held open until its sender is gone. 3rd: 200.
    const hook = await scriptedReceiver((n) => (n === 1 ? 500 : n === 2 ? 'stall' : 200));
    try {
      const { webhook, secret } = await newWebhook(hook.url, ['requested']);
      const taskQueue = uniqueTaskQueue();
      const first = await startWorker(taskQueue);
      const { pending } = await startPendingOrder(services, taskQueue);

      // The first attempt fails, and the failure is recorded; the worker dies before the retry is due.
      const failed = await deliveryOf(
        db,
        webhook.id,
        'the first attempt, recorded as failed',
        (row) => row?.attempts === 1 && row.lastStatusCode === 500 && row.leasedUntil === null,
      );
      assert.equal((await killProcess(first)).signal, 'SIGKILL');
      assert.equal(hook.attempts.length, 1, 'one attempt before the kill');
      assert.equal(failed.status, 'PENDING');
      assert.match(failed.lastError ?? '', /HTTP 500/);
      const [firstAttempt] = hook.attempts;
      assert.ok(firstAttempt && failed.nextAttemptAt.getTime() >= firstAttempt.at + 4_000, 'the retry waits for its backoff');

      // A new worker takes the retry; it is in flight (the receiver holds it) when that worker dies too.
      const second = await startWorker(taskQueue);
      const inFlight = await waitFor('the second attempt', async () => hook.attempts[1], { timeoutMs: 60_000 });
      const leased = await db.outboxMessage.findUniqueOrThrow({ where: { id: failed.id } });
      const leasedUntil = leased.leasedUntil?.getTime() ?? 0;
      assert.equal(leased.attempts, 2);
      assert.ok(leasedUntil > Date.now(), 'the second worker holds a lease on the delivery');
      assert.equal((await killProcess(second)).signal, 'SIGKILL');
      await waitFor('the receiver to see its sender gone', async () => inFlight.abandoned);
      assert.equal(inFlight.answered, undefined, 'the stalled attempt was never answered');
      const orphaned = await db.outboxMessage.findUniqueOrThrow({ where: { id: failed.id } });
      assert.deepEqual(
        [orphaned.status, orphaned.attempts, orphaned.leasedUntil?.getTime(), orphaned.lastStatusCode],
        ['PENDING', 2, leasedUntil, 500],
        'a killed worker records nothing: the message stays pending under its lease',
      );

      // A third worker sends it again once the dead worker's lease has run out, and not before.
      await startWorker(taskQueue);
      const retry = await waitFor('the third attempt', async () => hook.attempts[2], { timeoutMs: leasedUntil - Date.now() + 60_000 });
      assert.ok(retry.at >= leasedUntil, `the third attempt came ${leasedUntil - retry.at} ms before the lease ran out`);
      const sent = await deliveryOf(db, webhook.id, 'the delivery recorded as SENT', (row) => row?.status === 'SENT');
      assert.deepEqual([sent.attempts, sent.lastStatusCode, sent.lastError], [3, 200, null]);

      // Every attempt: the same delivery id and body, and a valid signature.
      assert.equal(hook.attempts.length, 3);
      for (const attempt of hook.attempts) {
        assert.equal(attempt.delivery, failed.id);
        assert.equal(attempt.body, firstAttempt.body, 'every attempt sends the same body');
        assertSigned(secret, attempt);
      }
      const body = JSON.parse(retry.body) as WebhookBody;
      assert.deepEqual([body.id, body.type, body.data.request.id], [failed.id, 'requested', pending.id]);

      // One event, one delivery, and one success at the receiver.
      const events = await db.outboxMessage.findMany({
        where: { kind: 'EVENT', dedupeKey: { startsWith: `event:requested:${pending.id}:` } },
      });
      assert.deepEqual(
        events.map((e) => [e.id, e.status]),
        [[body.data.eventId, 'SENT']],
      );
      assert.equal(await db.outboxMessage.count({ where: { webhookId: webhook.id } }), 1);
      assert.equal(hook.successes(body.data.eventId), 1);

      // What an admin's delivery log shows.
      const log = await listWebhookDeliveries(db, ADMIN, webhook.id);
      assert.deepEqual(
        log.map((d) => [d.id, d.event, d.status, d.attempts, d.lastStatusCode]),
        [[failed.id, 'requested', 'SENT', 3, 200]],
      );
    } finally {
      await hook.close();
    }
  });

  test('a decision whose process is SIGKILLed right after it commits is not lost: its event waits in the outbox, and a worker sends it once', async () => {
    const { db } = services;
    const hook = await scriptedReceiver(() => 200);
    try {
      const { webhook, secret } = await newWebhook(hook.url, ['decided']);
      const taskQueue = uniqueTaskQueue();
      const { handle, pending, reviewer } = await pendingWithNoWorker(taskQueue);

      const decider = startDecider(pending.id, reviewer);
      const died = await withTimeout(decider.exited, 60_000, 'the deciding process');
      assert.equal(died.signal, 'SIGKILL', decider.output().stderr);
      const { decided } = JSON.parse(decider.output().stdout) as { decided: { status: string; decidedBy: string; recorded: boolean } };
      assert.deepEqual([decided.status, decided.decidedBy, decided.recorded], ['APPROVED', reviewer, true]);

      // The decision and its event committed together; the deciding process only wrote the event.
      const row = await findApproval(db, handle.workflowId);
      assert.deepEqual([row?.status, row?.decisionPath, row?.decidedBy], ['APPROVED', 'DASHBOARD', reviewer]);
      const event = await db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: decidedKey(pending) } });
      assert.deepEqual(
        [event.kind, event.status, event.attempts, event.leasedUntil],
        ['EVENT', 'PENDING', 0, null],
        'nobody dispatched it yet',
      );
      assert.equal(await db.outboxMessage.count({ where: { webhookId: webhook.id } }), 0);
      assert.equal(hook.attempts.length, 0);

      // A worker comes back: the workflow resumes, and the event goes out, signed, once.
      await startWorker(taskQueue);
      const result = await handle.result();
      assert.deepEqual([result.status, result.status === 'FULFILLED' && result.decidedBy], ['FULFILLED', reviewer]);
      const sent = await deliveryOf(db, webhook.id, 'the decided delivery, SENT', (r) => r?.status === 'SENT');
      assert.deepEqual([sent.attempts, sent.lastStatusCode], [1, 200]);
      const [delivered] = hook.attempts;
      assert.ok(delivered);
      assertSigned(secret, delivered);
      const body = JSON.parse(delivered.body) as WebhookBody;
      assert.deepEqual(
        [body.type, body.data.eventId, body.data.request.id, body.data.request.status, body.data.decidedBy],
        ['decided', event.id, pending.id, 'APPROVED', reviewer],
      );
      // The workflow's own record of the outcome (it ran before result() returned) adds no second event.
      assert.equal(
        await db.outboxMessage.count({ where: { kind: 'EVENT', dedupeKey: { startsWith: `event:decided-`, contains: pending.id } } }),
        1,
      );
      assert.equal(hook.attempts.length, 1);
      assert.equal(hook.successes(event.id), 1);
    } finally {
      await hook.close();
    }
  });

  test('a decision whose process is SIGKILLed after Temporal took it but before its record committed is not lost: the workflow records it, and a worker sends its event once', async () => {
    const { db } = services;
    const hook = await scriptedReceiver(() => 200);
    const blocker = new pg.Client({ connectionString: env.databaseUrl });
    await blocker.connect();
    try {
      const { webhook, secret } = await newWebhook(hook.url, ['decided']);
      const taskQueue = uniqueTaskQueue();
      const { handle, pending, reviewer } = await pendingWithNoWorker(taskQueue);

      // Hold the decision's own outbox row (same dedupe key, not committed): the decision's
      // record waits there, after Temporal accepted, before it can commit.
      await blocker.query('BEGIN');
      await blocker.query(
        `INSERT INTO outbox_messages (id, kind, dedupe_key, payload, status, attempts, next_attempt_at, created_at)
         VALUES ($1, 'EVENT', $2, '{}'::jsonb, 'PENDING', 0, now(), now())`,
        [randomUUID(), decidedKey(pending)],
      );
      const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      const decider = startDecider(pending.id, reviewer);
      const waiting = await waitFor(
        'the decision’s record to wait on its outbox row',
        async () => {
          const rows = await db.$queryRaw<{ pid: number }[]>`
            SELECT pid FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO outbox_messages%' AND pid <> ${blockerPid}`;
          return rows[0];
        },
        { timeoutMs: 60_000 },
      );
      assert.deepEqual(await approvalClosings(handle), ['COMPLETED'], 'Temporal took the decision');

      assert.equal((await killProcess(decider)).signal, 'SIGKILL');
      // The decision is recorded in one statement, which PostgreSQL would still finish (and
      // commit) for a dead client once the lock frees, unless it notices the client is gone
      // (client_connection_check_interval, or a pooler): here it notices, and ends the session.
      await db.$queryRaw`SELECT pg_terminate_backend(${waiting.pid}::int)`;
      await waitFor('the dead decider’s database session to end', async () => {
        const [left] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${waiting.pid}`;
        return left?.n === 0;
      });
      await blocker.query('ROLLBACK');

      // Its record is gone: the row is still pending, with no vote, no audit event and no event.
      const row = await findApproval(db, handle.workflowId);
      assert.deepEqual([row?.status, row?.decidedBy], ['PENDING', null]);
      assert.equal(await db.approvalVote.count({ where: { approvalRequestId: pending.id } }), 0);
      assert.equal(await db.auditEvent.count({ where: { approvalRequestId: pending.id, action: 'APPROVED' } }), 0);
      assert.equal(await db.outboxMessage.count({ where: { dedupeKey: decidedKey(pending) } }), 0);

      // A worker comes back: the workflow records the decision Temporal holds, and its event goes out once.
      await startWorker(taskQueue);
      const result = await handle.result();
      assert.deepEqual([result.status, result.status === 'FULFILLED' && result.decidedBy], ['FULFILLED', reviewer]);
      const recorded = await findApproval(db, handle.workflowId);
      // The decision is kept; which path it came through is not (EXTERNAL: only the deciding transaction may write DASHBOARD).
      assert.deepEqual([recorded?.status, recorded?.decidedBy, recorded?.decisionPath], ['APPROVED', reviewer, 'EXTERNAL']);
      const event = await db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: decidedKey(pending) } });
      const sent = await deliveryOf(db, webhook.id, 'the decided delivery, SENT', (r) => r?.status === 'SENT');
      assert.deepEqual([sent.attempts, sent.lastStatusCode], [1, 200]);
      assert.equal(hook.attempts.length, 1);
      const [delivered] = hook.attempts;
      assert.ok(delivered);
      assertSigned(secret, delivered);
      const body = JSON.parse(delivered.body) as WebhookBody;
      assert.deepEqual(
        [body.type, body.data.eventId, body.data.request.id, body.data.decidedBy],
        ['decided', event.id, pending.id, reviewer],
      );
      assert.equal(hook.successes(event.id), 1);
    } finally {
      await blocker.end().catch(() => undefined);
      await hook.close();
    }
  });
});
