// Mail for reviewers, end to end through the outbox: a real request, the
// dispatcher with the worker's handlers, and a real SMTP receiver
// (smtp-server) counting what arrives. Also what a link's page is told before
// anyone presses a button, and a delegate's mail deciding on someone's behalf.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createDb, type Db } from '../../lib/db';
import { createEmailHandler } from '../../lib/email/notify';
import { createDecisionLink, decideWithLink, hashLinkToken, inspectDecisionLink } from '../../lib/email/links';
import { emitDueReminders } from '../../lib/email/reminders';
import { createEventHandler } from '../../lib/outbox/event-handler';
import { dispatchOutbox, type DispatchOptions, type OutboxHandler } from '../../lib/outbox/dispatcher';
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { claimApproval } from '../../lib/approvals/commands/claim';
import type { ApprovalRequest } from '../../lib/contract/approval';
import type { approvalWorkflow } from '../../worker/workflows';
import {
  env,
  newGroup,
  newReviewer,
  settleOutbox,
  startBareApproval,
  useServices,
  waitFor,
  waitForPendingApproval,
  withWorker,
  type Services,
} from './helpers';

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

  /** Fresh reviewers, one per label (in `groups`), by label. */
  async function reviewers<L extends string>(labels: L[], groups: string[] = []): Promise<Record<L, string>> {
    const emails = await Promise.all(labels.map((label) => newReviewer(services.db, label, { groups })));
    return Object.fromEntries(labels.map((label, i) => [label, emails[i]])) as Record<L, string>;
  }

  /** Makes `away` away for the next hour, with `delegate` deciding in their place. */
  async function delegate(away: string, to: string) {
    const { id } = await services.db.user.findUniqueOrThrow({ where: { email: to }, select: { id: true } });
    await services.db.user.update({ where: { email: away }, data: { awayUntil: new Date(Date.now() + 3_600_000), delegateId: id } });
  }

  /** Starts the product's approvalWorkflow (its result says who decided, and for whom) and waits for its row. */
  async function startRouted(taskQueue: string, request: Omit<ApprovalRequest, 'version'>) {
    const workflowId = `mail-${randomUUID()}`;
    services.started.push(workflowId);
    const handle = await services.client.workflow.start<typeof approvalWorkflow>('approvalWorkflow', {
      taskQueue,
      workflowId,
      args: [{ version: 2, ...request }],
    });
    return { handle, pending: await waitForPendingApproval(services.db, workflowId) };
  }

  /** What reading a link must leave alone: the request, its votes and audit trail, and every link of it. */
  async function untouched(approvalId: string) {
    const [row, votes, audit, links] = await Promise.all([
      services.db.approvalRequest.findUniqueOrThrow({
        where: { id: approvalId },
        select: { status: true, approvals: true, claimedBy: true, updatedAt: true },
      }),
      services.db.approvalVote.count({ where: { approvalRequestId: approvalId } }),
      services.db.auditEvent.count({ where: { approvalRequestId: approvalId } }),
      services.db.decisionLink.findMany({
        where: { approvalRequestId: approvalId },
        select: { id: true, usedAt: true },
        orderBy: { id: 'asc' },
      }),
    ]);
    return { ...row, votes, audit, links };
  }

  test("a link's page says before any button why its reviewer may not decide (already approved, four eyes, not routed, deactivated, claimed by someone else), in eligibility's words, and reading it changes nothing", async () => {
    await withWorker(services, async (taskQueue) => {
      const group = await newGroup(services.db, 'asked');
      const { erin, frank, gina, hank, requester } = await reviewers(['erin', 'frank', 'gina', 'hank', 'requester'], [group]);
      const outsider = await newReviewer(services.db, 'outsider');
      const { pending } = await startRouted(taskQueue, {
        title: `Ask first ${group}`,
        amount: 10,
        currency: 'EUR',
        requester,
        approvers: { groups: [group] },
        quorum: 2,
      });
      const deps = { db: services.db, temporal: services.client };
      await decideApproval(deps, { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }) }, { email: erin });
      await services.db.user.update({ where: { email: hank }, data: { active: false } });
      const linkOf = async (email: string) =>
        (
          await createDecisionLink(services.db, {
            approvalRequestId: pending.id,
            email,
            runId: pending.runId,
            attempt: pending.attempt,
            expiresAt: pending.deadline,
          })
        ).token;
      const tokens = {
        erin: await linkOf(erin),
        requester: await linkOf(requester),
        outsider: await linkOf(outsider),
        hank: await linkOf(hank),
        frank: await linkOf(frank),
        gina: await linkOf(gina),
      };
      const before = await untouched(pending.id);

      const read = async (token: string) => {
        const link = await inspectDecisionLink(services.db, token);
        return link.status === 'valid'
          ? { status: link.status, onBehalfOf: link.onBehalfOf }
          : { status: link.status, message: link.message };
      };
      assert.deepEqual(await read(tokens.erin), {
        status: 'ineligible',
        message: 'You have already approved this request (1 of 2 approvals so far).',
      });
      assert.deepEqual(await read(tokens.requester), {
        status: 'ineligible',
        message: 'You requested this, so someone else must decide it (four eyes).',
      });
      assert.deepEqual(await read(tokens.outsider), { status: 'ineligible', message: `Only ${group} (group) may decide this request.` });
      assert.deepEqual(await read(tokens.hank), { status: 'ineligible', message: 'Your account is deactivated.' });
      assert.deepEqual(await read(tokens.gina), { status: 'valid', onBehalfOf: null });

      // Frank claims it: Gina's page now says so, as her Approve would be told; Frank's page still offers the decision.
      await claimApproval(deps, { id: pending.id }, { email: frank });
      const claimed = await read(tokens.gina);
      assert.equal(claimed.status, 'ineligible');
      assert.match(
        claimed.message ?? '',
        new RegExp(`^Claimed by ${frank.replace(/[.+]/g, '\\$&')} since .+\\. Only they can decide it until they release it\\.$`),
      );
      assert.deepEqual(await read(tokens.frank), { status: 'valid', onBehalfOf: null });

      const after = await untouched(pending.id);
      assert.deepEqual(
        { ...after, claimedBy: null, updatedAt: before.updatedAt, audit: after.audit - 1 },
        before,
        'only the claim changed',
      );
    });
  });

  test('a delegate standing in for away reviewers gets one mail naming them; its link decides on their behalf (path EMAIL), Temporal confirming it', async () => {
    await withWorker(services, async (taskQueue) => {
      const group = await newGroup(services.db, 'away');
      const { alice, bob, carol, eve, frank } = await reviewers(['alice', 'bob', 'carol', 'eve', 'frank'], [group]);
      const { dora, quiet: quietDelegate, gone: goneDelegate } = await reviewers(['dora', 'quiet', 'gone']);
      await delegate(alice, dora);
      await delegate(carol, dora);
      await delegate(eve, quietDelegate);
      await delegate(frank, goneDelegate);
      await services.db.user.update({ where: { email: quietDelegate }, data: { emailNotifications: false } });
      await services.db.user.update({ where: { email: goneDelegate }, data: { active: false } });

      const { handle, pending } = await startRouted(taskQueue, {
        title: `Stand in ${group}`,
        amount: 480,
        currency: 'EUR',
        requester: 'ops@example.com',
        approvers: { groups: [group] },
      });
      await dispatchUntilIdle();
      await dispatchUntilIdle();

      // Away reviewers keep their own mail; Dora gets one, however many she stands in for.
      for (const email of [alice, bob, carol, eve, frank]) assert.equal(smtp.to(email).length, 1, email);
      assert.equal(smtp.to(quietDelegate).length, 0, 'a delegate who turned mail off gets none');
      assert.equal(smtp.to(goneDelegate).length, 0, 'a deactivated delegate gets none');
      const mails = smtp.to(dora);
      assert.equal(mails.length, 1);
      const [mail] = mails;
      assert.ok(mail?.token);
      const [first, second] = alice < carol ? [alice, carol] : [carol, alice];
      assert.ok(
        mail.raw.includes(
          `You decide this on behalf of ${first} and ${second}, who are away and have handed their requests to you. Your decision counts once, for one of them.`,
        ),
        mail.raw,
      );
      assert.doesNotMatch(smtp.to(bob)[0]?.raw ?? '', /on behalf of/, 'a reviewer mailed as themselves is not told of anyone else');
      const messages = await emailMessages(services.db, pending.id);
      assert.deepEqual(
        messages.map((m) => m.dedupeKey).sort(),
        [alice, bob, carol, dora, eve, frank].map((e) => `email:requested:${pending.id}:${pending.runId}:${pending.attempt}:${e}`).sort(),
      );

      // The page names whom she decides for, before anything happens.
      const before = await untouched(pending.id);
      const shown = await inspectDecisionLink(services.db, mail.token);
      assert.equal(shown.status, 'valid');
      assert.equal(shown.status === 'valid' ? shown.onBehalfOf : undefined, first);
      assert.deepEqual(await untouched(pending.id), before);

      const decided = await decideWithLink({ db: services.db, temporal: services.client }, mail.token, {
        decision: 'APPROVED',
        comment: 'standing in',
      });
      assert.deepEqual([decided.status, decided.decidedBy, decided.onBehalfOf], ['APPROVED', dora, first]);
      const outcome = await handle.result();
      assert.ok(outcome.status === 'APPROVED');
      assert.deepEqual([outcome.decidedBy, outcome.onBehalfOf], [dora, first]);
      const row = await services.db.approvalRequest.findUniqueOrThrow({ where: { id: pending.id } });
      assert.deepEqual([row.status, row.decidedBy, row.decidedFor, row.decisionPath], ['APPROVED', dora, first, 'EMAIL']);
      const link = await services.db.decisionLink.findUniqueOrThrow({ where: { tokenHash: hashLinkToken(mail.token) } });
      assert.equal(link.email, dora);
      assert.ok(link.usedAt);
      const approved = await services.db.auditEvent.findFirstOrThrow({ where: { approvalRequestId: pending.id, action: 'APPROVED' } });
      assert.deepEqual([approved.actor, approved.path, approved.details], [dora, 'EMAIL', { onBehalfOf: first, linkId: link.id }]);
    });
  });

  test('a delegate who may decide as themselves is mailed once, as themselves; a delegation that ended before sending mails nobody for it', async () => {
    await withWorker(services, async (taskQueue) => {
      const group = await newGroup(services.db, 'both');
      const { ivy, jack, lee } = await reviewers(['ivy', 'jack', 'lee'], [group]);
      const kim = await newReviewer(services.db, 'kim');
      await delegate(ivy, jack);
      await delegate(lee, kim);
      const { pending } = await startRouted(taskQueue, {
        title: `Both ${group}`,
        amount: 5,
        currency: 'EUR',
        requester: 'ops@example.com',
        approvers: { groups: [group] },
      });
      // The event fans out while Lee is away; Lee is back before Kim's mail is sent.
      await dispatchOutbox(services.db, { handlers: { EVENT: handlers.EVENT } });
      const queued = await emailMessages(services.db, pending.id);
      assert.deepEqual(queued.map((m) => (m.payload as { email?: string }).email).sort(), [ivy, jack, kim, lee].sort());
      await services.db.user.update({ where: { email: lee }, data: { awayUntil: null, delegateId: null } });
      await dispatchUntilIdle();

      assert.equal(smtp.to(jack).length, 1);
      assert.doesNotMatch(smtp.to(jack)[0]?.raw ?? '', /on behalf of/);
      assert.equal(smtp.to(ivy).length, 1);
      assert.equal(smtp.to(lee).length, 1);
      assert.equal(smtp.to(kim).length, 0, "Lee is back: Kim's mail is not sent");
      const kept = await emailMessages(services.db, pending.id);
      assert.ok(
        kept.every((m) => m.status === 'SENT'),
        'the unsent mail is done with, not retried',
      );
    });
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
