// Webhooks against a real PostgreSQL and a real HTTP receiver on loopback:
// fan-out, signed delivery, retries with backoff up to the cap, leases that
// survive a dead dispatcher, one delivery when two dispatchers race, "send
// again", the Slack format, and the admin changes with their audit trail.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Db } from '../../lib/db';
import { dispatchOutbox, type DispatchOptions } from '../../lib/outbox/dispatcher';
import type { ApprovalEvent } from '../../lib/outbox/emit';
import { deliverWebhook, verifyWebhookSignature, webhookHandlers } from '../../lib/webhooks/deliver';
import { createWebhook, deleteWebhook, listWebhookDeliveries, redeliverWebhookDelivery, updateWebhook } from '../../lib/webhooks/endpoints';
import { fanOutToWebhooks } from '../../lib/webhooks/fanout';
import { openDb, settleOutbox } from './helpers';

const ADMIN = { email: 'webhook-admin@example.com', role: 'ADMIN' as const };
const REVIEWER = { email: 'webhook-reviewer@example.com', role: 'REVIEWER' as const };

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback that answers each POST with the next of `statuses` (the last one repeats). */
async function receiver(statuses: number[]) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      res.end(res.statusCode >= 300 ? 'receiver says no' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    setStatuses(next: number[]) {
      statuses = next;
      received.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A URL nothing listens on: a server opened on a free port, then closed. */
async function deadUrl(): Promise<string> {
  const r = await receiver([200]);
  await r.close();
  return r.url;
}

async function newRequest(db: Db, title = `Order ${randomUUID().slice(0, 8)}`) {
  return db.approvalRequest.create({
    data: {
      workflowId: `webhook-test-${randomUUID()}`,
      runId: randomUUID(),
      activityId: 'approval',
      attempt: 1,
      request: { title },
      title,
      amount: '1234.50',
      currency: 'EUR',
      status: 'APPROVED',
      decidedBy: 'alice@example.com',
      decidedAt: new Date(),
      requestedAt: new Date(),
      deadline: new Date(Date.now() + 3_600_000),
    },
    select: { id: true, runId: true, title: true },
  });
}

/** Fans a `decided` event of a new request out, as the EVENT handler does; returns the request and the event id. */
async function fanOutDecided(db: Db, title?: string) {
  const request = await newRequest(db, title);
  const event: ApprovalEvent = {
    type: 'decided',
    approvalId: request.id,
    runId: request.runId,
    attempt: 1,
    at: new Date().toISOString(),
    status: 'APPROVED',
    decidedBy: 'alice@example.com',
  };
  const eventId = randomUUID();
  const added = await db.$transaction((tx) => fanOutToWebhooks(tx, event, eventId));
  return { request, eventId, added };
}

async function delivery(db: Db, webhookId: string) {
  return db.outboxMessage.findFirstOrThrow({ where: { webhookId, kind: 'WEBHOOK' }, orderBy: { createdAt: 'desc' } });
}

const FAST: DispatchOptions = { handlers: webhookHandlers, backoffBaseMs: 10, backoffMaxMs: 50 };

/** Dispatches until `webhookId`'s newest delivery is no longer PENDING (or the rounds run out). */
async function dispatchUntilSettled(db: Db, webhookId: string, options: DispatchOptions = FAST) {
  for (let round = 0; round < 200; round++) {
    await dispatchOutbox(db, options);
    const row = await delivery(db, webhookId);
    if (row.status !== 'PENDING') return row;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the delivery stayed PENDING');
}

describe('webhooks', () => {
  let db: Db;
  before(async () => {
    db = await openDb();
    await settleOutbox(db);
  });
  after(async () => {
    await db.$disconnect();
  });
  // Each test's endpoints only: earlier tests' webhooks no longer get events.
  beforeEach(async () => {
    await db.webhook.updateMany({ data: { active: false } });
  });

  test('a delivery that fails once is retried with the same delivery id and a valid signature, then logged as SENT 200 after 2 attempts', async () => {
    const hook = await receiver([500, 200]);
    try {
      const { webhook, secret } = await createWebhook(db, ADMIN, { url: hook.url, events: ['decided'] });
      const { request, eventId, added } = await fanOutDecided(db);
      assert.equal(added, 1);
      // The same event fanned out again adds nothing.
      assert.equal(
        await db.$transaction((tx) =>
          fanOutToWebhooks(
            tx,
            { type: 'decided', approvalId: request.id, runId: request.runId, attempt: 1, at: new Date().toISOString() },
            eventId,
          ),
        ),
        0,
      );

      const row = await dispatchUntilSettled(db, webhook.id);
      assert.equal(row.dedupeKey, `webhook:${webhook.id}:${eventId}`);
      assert.equal(hook.received.length, 2);
      const [first, second] = hook.received;
      assert.ok(first && second);
      assert.equal(first.headers['countersign-delivery'], row.id);
      assert.equal(second.headers['countersign-delivery'], row.id);
      assert.equal(second.body, first.body, 'every attempt sends the same body');
      for (const attempt of hook.received) {
        assert.equal(attempt.headers['content-type'], 'application/json');
        assert.equal(attempt.headers['countersign-event'], 'decided');
        const timestamp = String(attempt.headers['countersign-timestamp']);
        assert.ok(verifyWebhookSignature(secret, timestamp, attempt.body, String(attempt.headers['countersign-signature'])));
        assert.ok(!verifyWebhookSignature('not-the-secret', timestamp, attempt.body, String(attempt.headers['countersign-signature'])));
        assert.ok(!verifyWebhookSignature(secret, timestamp, `${attempt.body} `, String(attempt.headers['countersign-signature'])));
        assert.ok(!verifyWebhookSignature(secret, Number(timestamp) - 301, attempt.body, String(attempt.headers['countersign-signature'])));
      }
      const body = JSON.parse(second.body) as Record<string, unknown>;
      assert.deepEqual(body, {
        id: row.id,
        type: 'decided',
        data: {
          type: 'decided',
          eventId,
          at: (body.data as { at: string }).at,
          request: {
            id: request.id,
            title: request.title,
            status: 'APPROVED',
            amount: '1234.50',
            currency: 'EUR',
            url: `${(process.env.NEXTAUTH_URL ?? 'http://localhost:3000').replace(/\/+$/, '')}/inbox/${request.id}`,
          },
          decidedBy: 'alice@example.com',
        },
      });
      assert.ok(!second.body.includes('token'), 'no task token in a delivery');

      const [logged] = await listWebhookDeliveries(db, ADMIN, webhook.id);
      assert.ok(logged);
      assert.equal(logged.id, row.id);
      assert.equal(logged.event, 'decided');
      assert.equal(logged.status, 'SENT');
      assert.equal(logged.attempts, 2);
      assert.equal(logged.lastStatusCode, 200);
      assert.equal(logged.lastError, null);
      assert.ok(logged.sentAt);
    } finally {
      await hook.close();
    }
  });

  test('only active webhooks subscribed to the event type get a delivery', async () => {
    const hook = await receiver([200]);
    try {
      const subscribed = await createWebhook(db, ADMIN, { url: hook.url, events: ['requested', 'decided'] });
      const other = await createWebhook(db, ADMIN, { url: hook.url, events: ['expired'] });
      const inactive = await createWebhook(db, ADMIN, { url: hook.url, events: ['decided'], active: false });
      const { added } = await fanOutDecided(db);
      assert.equal(added, 1);
      assert.equal(await db.outboxMessage.count({ where: { webhookId: subscribed.webhook.id } }), 1);
      assert.equal(await db.outboxMessage.count({ where: { webhookId: { in: [other.webhook.id, inactive.webhook.id] } } }), 0);
      await dispatchUntilSettled(db, subscribed.webhook.id);
    } finally {
      await hook.close();
    }
  });

  test('a message leased by a dispatcher that died is delivered by a fresh one once its lease runs out, and not before', async () => {
    const hook = await receiver([200]);
    try {
      const { webhook } = await createWebhook(db, ADMIN, { url: hook.url, events: ['decided'] });
      await fanOutDecided(db);
      const row = await delivery(db, webhook.id);
      // What a dispatcher killed mid-send leaves: one attempt counted, a lease, no result.
      await db.$executeRaw`UPDATE outbox_messages SET attempts = 1, leased_until = now() + interval '1 hour' WHERE id = ${row.id}`;
      await dispatchOutbox(db, FAST);
      assert.equal(hook.received.length, 0, 'a live lease keeps other dispatchers away');
      await db.$executeRaw`UPDATE outbox_messages SET leased_until = now() - interval '1 second' WHERE id = ${row.id}`;
      const settled = await dispatchUntilSettled(db, webhook.id);
      assert.equal(settled.status, 'SENT');
      assert.equal(settled.attempts, 2);
      assert.equal(hook.received.length, 1);
      assert.equal(hook.received[0]?.headers['countersign-delivery'], row.id);
    } finally {
      await hook.close();
    }
  });

  test('two dispatchers at once deliver a message once', async () => {
    const hook = await receiver([200]);
    try {
      const { webhook } = await createWebhook(db, ADMIN, { url: hook.url, events: ['decided'] });
      await fanOutDecided(db);
      await Promise.all([dispatchOutbox(db, FAST), dispatchOutbox(db, FAST), dispatchOutbox(db, FAST)]);
      const row = await delivery(db, webhook.id);
      assert.equal(row.status, 'SENT');
      assert.equal(row.attempts, 1);
      assert.equal(hook.received.length, 1);
    } finally {
      await hook.close();
    }
  });

  test('a receiver that is down is retried with growing pauses up to the cap, then FAILED', async () => {
    const { webhook } = await createWebhook(db, ADMIN, { url: await deadUrl(), events: ['decided'] });
    await fanOutDecided(db);
    const row = await delivery(db, webhook.id);
    // A clock of our own: each failure's pause is visible without sleeping.
    let now = Date.now() + 1000;
    const options: DispatchOptions = {
      handlers: webhookHandlers,
      backoffBaseMs: 60_000,
      backoffMaxMs: 90_000,
      maxAttempts: 3,
      now: () => new Date(now),
    };
    const pauses: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const handled = await dispatchOutbox(db, options);
      assert.ok(handled >= 1);
      const after = await db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } });
      assert.equal(after.attempts, attempt);
      assert.equal(after.lastStatusCode, null);
      assert.match(after.lastError ?? '', /fetch failed|ECONNREFUSED/);
      if (attempt < 3) {
        assert.equal(after.status, 'PENDING');
        const pause = after.nextAttemptAt.getTime() - now;
        pauses.push(pause);
        // Not due yet a moment before the pause ends.
        now += pause - 1000;
        await dispatchOutbox(db, options);
        assert.equal((await db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } })).attempts, attempt);
        now += 1000;
      } else {
        assert.equal(after.status, 'FAILED');
      }
    }
    assert.ok(pauses[0] !== undefined && pauses[0] >= 60_000 && pauses[0] < 61_000, `first pause ${pauses[0]}`);
    assert.ok(pauses[1] !== undefined && pauses[1] >= 90_000 && pauses[1] < 91_000, `second pause capped: ${pauses[1]}`);
  });

  test('"send again" re-delivers a FAILED delivery, and is audited', async () => {
    const hook = await receiver([503]);
    try {
      const { webhook } = await createWebhook(db, ADMIN, { url: hook.url, events: ['decided'] });
      await fanOutDecided(db);
      const failed = await dispatchUntilSettled(db, webhook.id, { ...FAST, maxAttempts: 2 });
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.lastStatusCode, 503);
      assert.match(failed.lastError ?? '', /HTTP 503/);

      hook.setStatuses([200]);
      await assert.rejects(redeliverWebhookDelivery(db, REVIEWER, webhook.id, failed.id), { code: 'FORBIDDEN' });
      await redeliverWebhookDelivery(db, ADMIN, webhook.id, failed.id);
      assert.equal((await delivery(db, webhook.id)).status, 'PENDING');
      const sent = await dispatchUntilSettled(db, webhook.id);
      assert.equal(sent.status, 'SENT');
      assert.equal(sent.lastStatusCode, 200);
      assert.equal(hook.received.length, 1);
      assert.equal(hook.received[0]?.headers['countersign-delivery'], failed.id);
      const audit = await db.auditEvent.findFirst({
        where: { action: 'WEBHOOK_REDELIVERED', actor: ADMIN.email },
        orderBy: { at: 'desc' },
      });
      assert.deepEqual(audit?.details, { webhookId: webhook.id, deliveryId: failed.id, previousStatus: 'FAILED' });
      assert.equal(audit?.approvalRequestId, null);
    } finally {
      await hook.close();
    }
  });

  test('a Slack-format webhook gets text with a link to the request', async () => {
    const hook = await receiver([200]);
    try {
      const { webhook, secret } = await createWebhook(db, ADMIN, { url: hook.url, events: ['decided'], format: 'slack' });
      const { request } = await fanOutDecided(db, 'Refund <ACME> & co');
      await dispatchUntilSettled(db, webhook.id);
      const [received] = hook.received;
      assert.ok(received);
      const body = JSON.parse(received.body) as { text: string };
      assert.deepEqual(Object.keys(body), ['text']);
      assert.match(body.text, /^Approval decided: <http[^|]+\/inbox\/[0-9a-f-]+\|Refund &lt;ACME&gt; &amp; co>/);
      assert.ok(body.text.includes(`/inbox/${request.id}|`));
      assert.ok(body.text.includes('1234.50 EUR'));
      assert.ok(body.text.includes('APPROVED by alice@example.com'));
      assert.ok(
        verifyWebhookSignature(
          secret,
          String(received.headers['countersign-timestamp']),
          received.body,
          String(received.headers['countersign-signature']),
        ),
      );
    } finally {
      await hook.close();
    }
  });

  test('a redirect is not followed: the delivery fails with the code recorded', async () => {
    const hook = await receiver([302]);
    try {
      const { webhook } = await createWebhook(db, ADMIN, { url: hook.url, events: ['decided'] });
      await fanOutDecided(db);
      await dispatchOutbox(db, FAST);
      const row = await delivery(db, webhook.id);
      assert.equal(row.status, 'PENDING');
      assert.equal(row.lastStatusCode, 302);
      assert.match(row.lastError ?? '', /redirects are not followed/);
      assert.equal(hook.received.length, 1);
      await db.webhook.update({ where: { id: webhook.id }, data: { active: false } });
    } finally {
      await hook.close();
    }
  });

  test('a deleted or deactivated webhook’s pending delivery fails without being sent', async () => {
    const hook = await receiver([200]);
    try {
      const { webhook } = await createWebhook(db, ADMIN, { url: hook.url, events: ['decided'] });
      await fanOutDecided(db);
      const row = await delivery(db, webhook.id);
      await updateWebhook(db, ADMIN, { id: webhook.id, url: hook.url, events: ['decided'], format: 'json', active: false });
      const result = await deliverWebhook(
        { id: row.id, kind: 'WEBHOOK', dedupeKey: row.dedupeKey, payload: row.payload, webhookId: webhook.id, attempts: 1 },
        db,
      );
      assert.deepEqual(result, { ok: false, error: 'the webhook is inactive', retryable: false });
      await deleteWebhook(db, ADMIN, webhook.id);
      assert.equal((await db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } })).webhookId, null, 'the log outlives the webhook');
      await dispatchOutbox(db, FAST);
      const after = await db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } });
      assert.equal(after.status, 'FAILED');
      assert.equal(after.lastError, 'the webhook was deleted');
      assert.equal(hook.received.length, 0);
    } finally {
      await hook.close();
    }
  });

  test('admins create, edit and delete webhooks: validated, audited, never the secret', async () => {
    await assert.rejects(createWebhook(db, REVIEWER, { url: 'https://example.com/hook', events: ['decided'] }), { code: 'FORBIDDEN' });
    await assert.rejects(createWebhook(db, ADMIN, { url: 'ftp://example.com/hook', events: ['decided'] }), /http:\/\/ or https:\/\//);
    await assert.rejects(createWebhook(db, ADMIN, { url: 'https://example.com/hook', events: [] }), /at least one event/);
    await assert.rejects(createWebhook(db, ADMIN, { url: 'https://example.com/hook', events: ['approved' as 'decided'] }));

    const { webhook, secret } = await createWebhook(db, ADMIN, { url: 'https://example.com/hook', events: ['reminder', 'requested'] });
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.deepEqual(webhook.events, ['requested', 'reminder']);
    assert.equal(webhook.format, 'json');
    assert.ok(!('secret' in webhook));

    const { changed } = await updateWebhook(db, ADMIN, {
      id: webhook.id,
      url: webhook.url,
      events: ['expired'],
      format: 'slack',
      active: false,
    });
    assert.deepEqual(changed, ['events', 'format', 'active']);
    await assert.rejects(
      updateWebhook(db, REVIEWER, { id: webhook.id, url: webhook.url, events: ['expired'], format: 'slack', active: true }),
      {
        code: 'FORBIDDEN',
      },
    );
    await deleteWebhook(db, ADMIN, webhook.id);
    await assert.rejects(deleteWebhook(db, ADMIN, webhook.id), { code: 'NOT_FOUND' });

    const events = await db.auditEvent.findMany({
      where: { approvalRequestId: null, details: { path: ['webhookId'], equals: webhook.id } },
      orderBy: { at: 'asc' },
    });
    assert.deepEqual(
      events.map((e) => [e.action, e.path, e.actor]),
      [
        ['WEBHOOK_CREATED', 'DASHBOARD', ADMIN.email],
        ['WEBHOOK_UPDATED', 'DASHBOARD', ADMIN.email],
        ['WEBHOOK_DELETED', 'DASHBOARD', ADMIN.email],
      ],
    );
    assert.deepEqual(events[1]?.details, {
      webhookId: webhook.id,
      url: webhook.url,
      from: { events: ['requested', 'reminder'], format: 'json', active: true },
      to: { events: ['expired'], format: 'slack', active: false },
    });
    assert.ok(!JSON.stringify(events).includes(secret), 'no audit event holds the secret');
  });
});
