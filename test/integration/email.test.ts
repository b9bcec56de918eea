// Mail for reviewers, end to end through the outbox: a real request, the
// dispatcher with the worker's handlers, and a real SMTP receiver
// (smtp-server) counting what arrives.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createDb, type Db } from '../../lib/db';
import { createEmailHandler } from '../../lib/email/notify';
import { hashLinkToken } from '../../lib/email/links';
import { emitDueReminders } from '../../lib/email/reminders';
import { createEventHandler } from '../../lib/outbox/event-handler';
import { dispatchOutbox, type DispatchOptions, type OutboxHandler } from '../../lib/outbox/dispatcher';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { env, newGroup, newReviewer, settleOutbox, startBareApproval, useServices, waitFor, withWorker, type Services } from './helpers';

interface ReceivedMail {
  to: string;
  raw: string;
  /** The outbox message's id, from the X-Countersign-Message header. */
  messageId: string;
  /** The decision link's token. */
  token: string | undefined;
}

/** A real SMTP server on a free port that keeps every mail; `failNext(email)` refuses that recipient once. */
async function startSmtpReceiver() {
  const mails: ReceivedMail[] = [];
  const refuseOnce = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuseOnce.delete(address.address)) {
        const error = new Error('mailbox busy, try later') as Error & { responseCode: number };
        error.responseCode = 451;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // Quoted-printable soft line breaks and escapes: enough to read the link back.
        const raw = Buffer.concat(chunks)
          .toString('utf8')
          .replace(/=\r?\n/g, '')
          .replace(/=3D/g, '=');
        for (const rcpt of session.envelope.rcptTo) {
          mails.push({
            to: rcpt.address,
            raw,
            messageId: /X-Countersign-Message: (\S+)/i.exec(raw)?.[1] ?? '',
            token: /\/decide\/([A-Za-z0-9_-]{43})/.exec(raw)?.[1],
          });
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    to: (email: string) => mails.filter((m) => m.to === email),
    failNext: (email: string) => refuseOnce.add(email),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const WORKFLOWS = { workflowsPath: require.resolve('./workflows') };

describe('email for reviewers, through the outbox', { timeout: 180_000 }, () => {
  const services: Services = useServices();
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let handlers: DispatchOptions['handlers'];
  const BASE_URL = 'http://countersign.test';

  before(async () => {
    // Other suites' events (any-reviewer requests) would mail these tests' fresh reviewers too.
    await settleOutbox(services.db);
    smtp = await startSmtpReceiver();
    handlers = {
      EVENT: createEventHandler({ mail: true }),
      EMAIL: createEmailHandler({ smtpUrl: smtp.url, from: 'Countersign <countersign@example.com>', baseUrl: BASE_URL }),
    };
  });
  after(async () => {
    await smtp?.close();
  });

  /** Dispatches rounds until one finds nothing due. */
  async function dispatchUntilIdle(db: Db = services.db, options: Partial<DispatchOptions> = {}) {
    while ((await dispatchOutbox(db, { handlers, ...options })) > 0) {
      // the EVENT's round adds EMAIL messages; the next sends them
    }
  }

  /** A request routed to a fresh group of two reviewers who want mail, and a third who turned it off. */
  async function requestForGroup(taskQueue: string) {
    const group = await newGroup(services.db, 'mail');
    const alice = await newReviewer(services.db, 'alice', { groups: [group] });
    const bob = await newReviewer(services.db, 'bob', { groups: [group] });
    const quiet = await newReviewer(services.db, 'quiet', { groups: [group] });
    await services.db.user.update({ where: { email: quiet }, data: { emailNotifications: false } });
    const { pending, handle } = await startBareApproval(services, taskQueue, {
      title: `Mail me ${group}`,
      amount: 1250,
      currency: 'EUR',
      requester: 'ops@example.com',
      version: 2,
      approvers: { groups: [group] },
    });
    return { alice, bob, quiet, pending, handle };
  }

  const emailMessages = (db: Db, approvalId: string) =>
    db.outboxMessage.findMany({ where: { kind: 'EMAIL', payload: { path: ['approvalId'], equals: approvalId } } });

  test('each eligible reviewer gets exactly one mail with their own link; one who turned mail off gets none; dispatching again sends nothing twice', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const { alice, bob, quiet, pending } = await requestForGroup(taskQueue);
        await dispatchUntilIdle();
        assert.equal(smtp.to(alice).length, 1);
        assert.equal(smtp.to(bob).length, 1);
        assert.equal(smtp.to(quiet).length, 0);

        const [mail] = smtp.to(alice);
        assert.ok(mail?.token, 'the mail carries a decision link');
        assert.match(mail.raw, new RegExp(`${BASE_URL}/decide/${mail.token}`));
        assert.match(mail.raw, new RegExp(`${BASE_URL}/inbox/${pending.id}`));
        assert.match(mail.raw, /Approval requested: Mail me/);
        // Stored as its hash only, for that reviewer and that window.
        const link = await services.db.decisionLink.findUniqueOrThrow({ where: { tokenHash: hashLinkToken(mail.token) } });
        assert.deepEqual(
          { email: link.email, runId: link.runId, attempt: link.attempt, expiresAt: link.expiresAt.getTime(), usedAt: link.usedAt },
          { email: alice, runId: pending.runId, attempt: pending.attempt, expiresAt: pending.deadline.getTime(), usedAt: null },
        );
        const stored = await services.db.decisionLink.findMany({ where: { approvalRequestId: pending.id } });
        assert.ok(
          stored.every((l) => !JSON.stringify(l).includes(mail.token ?? '')),
          'no token in clear',
        );
        const messages = await emailMessages(services.db, pending.id);
        assert.deepEqual(messages.map((m) => m.dedupeKey).sort(), [
          ...[alice, bob].map((e) => `email:requested:${pending.id}:${pending.runId}:${pending.attempt}:${e}`).sort(),
        ]);

        await dispatchUntilIdle();
        assert.equal(smtp.to(alice).length, 1);
        assert.equal(smtp.to(bob).length, 1);
      },
      WORKFLOWS,
    );
  });

  test('two dispatchers running at once over the same rows never send a mail twice', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const { alice, bob } = await requestForGroup(taskQueue);
        const other = createDb(env.databaseUrl);
        try {
          await Promise.all([dispatchUntilIdle(services.db, { batchSize: 1 }), dispatchUntilIdle(other, { batchSize: 1 })]);
          await Promise.all([dispatchUntilIdle(services.db), dispatchUntilIdle(other)]);
        } finally {
          await other.$disconnect();
        }
        assert.equal(smtp.to(alice).length, 1);
        assert.equal(smtp.to(bob).length, 1);
      },
      WORKFLOWS,
    );
  });

  test('a refused send is retried after a backoff, and the mail arrives once', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const group = await newGroup(services.db, 'retry');
        const carol = await newReviewer(services.db, 'carol', { groups: [group] });
        smtp.failNext(carol);
        const { pending } = await startBareApproval(services, taskQueue, {
          title: 'Retried mail',
          amount: 10,
          currency: 'EUR',
          requester: 'ops@example.com',
          version: 2,
          approvers: { groups: [group] },
        });
        await dispatchUntilIdle(services.db, { backoffBaseMs: 60_000 });
        assert.equal(smtp.to(carol).length, 0);
        const [failed] = await emailMessages(services.db, pending.id);
        assert.ok(failed);
        assert.equal(failed.status, 'PENDING');
        assert.equal(failed.attempts, 1);
        assert.match(failed.lastError ?? '', /mailbox busy/);
        assert.ok(failed.nextAttemptAt.getTime() > Date.now() + 50_000, 'the next attempt waits for the backoff');

        // Not before the backoff has passed…
        await dispatchUntilIdle();
        assert.equal(smtp.to(carol).length, 0);
        // …then once.
        const later = () => new Date(Date.now() + 61_000);
        await dispatchUntilIdle(services.db, { now: later });
        assert.equal(smtp.to(carol).length, 1);
        const sent = await services.db.outboxMessage.findUniqueOrThrow({ where: { id: failed.id } });
        assert.equal(sent.status, 'SENT');
        assert.equal(sent.attempts, 2);
      },
      WORKFLOWS,
    );
  });

  test('a message leased by a worker that died is sent by another once the lease runs out', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const group = await newGroup(services.db, 'lease');
        const dave = await newReviewer(services.db, 'dave', { groups: [group] });
        const { pending } = await startBareApproval(services, taskQueue, {
          title: 'Leased mail',
          amount: 10,
          currency: 'EUR',
          requester: 'ops@example.com',
          version: 2,
          approvers: { groups: [group] },
        });
        // The first worker fans the event out, then takes the mail and dies before sending it.
        const dying: OutboxHandler = () => new Promise(() => undefined);
        await dispatchOutbox(services.db, { handlers: { EVENT: handlers.EVENT } });
        await waitFor('the EMAIL message', async () => (await emailMessages(services.db, pending.id)).length === 1);
        void dispatchOutbox(createDbOnce(), { handlers: { EMAIL: dying }, leaseMs: 30_000, batchSize: 100 });
        const leased = await waitFor('the dying worker to lease the mail', async () => {
          const [m] = await emailMessages(services.db, pending.id);
          return m?.leasedUntil ? m : undefined;
        });
        assert.equal(leased.status, 'PENDING');

        await dispatchUntilIdle();
        assert.equal(smtp.to(dave).length, 0, 'nobody sends it while the lease holds');
        await dispatchUntilIdle(services.db, { now: () => new Date(Date.now() + 31_000) });
        assert.equal(smtp.to(dave).length, 1);
        const sent = await services.db.outboxMessage.findUniqueOrThrow({ where: { id: leased.id } });
        assert.equal(sent.status, 'SENT');
      },
      WORKFLOWS,
    );
  });

  test('a request due soon gets one reminder per window, mailed only to those who have not approved', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const group = await newGroup(services.db, 'remind');
        const erin = await newReviewer(services.db, 'erin', { groups: [group] });
        const frank = await newReviewer(services.db, 'frank', { groups: [group] });
        const { pending } = await startBareApproval(services, taskQueue, {
          title: 'Remind me',
          amount: 10,
          currency: 'EUR',
          requester: 'ops@example.com',
          version: 2,
          approvers: { groups: [group] },
          quorum: 2,
        });
        await dispatchUntilIdle();
        assert.equal(smtp.to(erin).length, 1);
        await decideApproval(
          { db: services.db, temporal: services.client },
          { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) },
          { email: erin },
        );
        const window = pending.deadline.getTime() - pending.requestedAt.getTime();
        assert.equal(await emitDueReminders(services.db, new Date(pending.requestedAt.getTime() + window / 2)), 0, 'not due yet');
        const dueSoon = new Date(pending.deadline.getTime() - Math.min(window * 0.05, 60_000));
        assert.ok((await emitDueReminders(services.db, dueSoon)) >= 1);
        assert.equal(await emitDueReminders(services.db, dueSoon), 0, 'one per window');
        await dispatchUntilIdle();
        assert.equal(smtp.to(erin).length, 1, 'erin approved: no reminder');
        const reminded = smtp.to(frank);
        assert.equal(reminded.length, 2);
        assert.match(reminded[1]?.raw ?? '', /Reminder: approval due soon/);
      },
      WORKFLOWS,
    );
  });

  test('an escalated request mails everyone who may decide it in its new window, the escalation people included', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const first = await newGroup(services.db, 'first');
        const later = await newGroup(services.db, 'later');
        const gina = await newReviewer(services.db, 'gina', { groups: [first] });
        const hank = await newReviewer(services.db, 'hank', { groups: [later] });
        const { handle } = await startBareApproval(
          services,
          taskQueue,
          {
            title: 'Escalate me',
            amount: 10,
            currency: 'EUR',
            requester: 'ops@example.com',
            version: 2,
            approvers: { groups: [first] },
            escalateTo: { groups: [later] },
          },
          { windowMs: 3_000 },
        );
        await dispatchUntilIdle();
        assert.equal(smtp.to(gina).length, 1);
        assert.equal(smtp.to(hank).length, 0, 'not eligible in the first window');
        await waitFor(
          'the second window',
          async () => {
            const row = await services.db.approvalRequest.findFirst({ where: { workflowId: handle.workflowId } });
            return row?.attempt === 2;
          },
          { timeoutMs: 30_000 },
        );
        await dispatchUntilIdle();
        assert.equal(smtp.to(hank).length, 1);
        assert.match(smtp.to(hank)[0]?.raw ?? '', /Approval escalated to you: Escalate me/);
        assert.equal(smtp.to(gina).length, 2);
      },
      WORKFLOWS,
    );
  });

  const extraDbs: Db[] = [];
  /** A second client for the dying worker, closed at the end. */
  function createDbOnce(): Db {
    const db = createDb(env.databaseUrl);
    extraDbs.push(db);
    return db;
  }
  after(async () => {
    await Promise.all(extraDbs.map((db) => db.$disconnect()));
  });
});
