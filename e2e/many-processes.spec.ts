// Many processes: two web servers and two workers against one Temporal server
// and one PostgreSQL, as behind a load balancer. playwright.config.ts starts
// web A and worker A; this spec starts web B (a second `next start` of the same
// build, with the same settings and secret) and worker B on the same task
// queue. Decisions go through both webs at once, a browser on A sees B's
// decisions live, the outbox and the reconciler run in both workers and act
// once, and a SIGKILL of web B and worker B mid-run loses nothing.
//
// Everything started here is tagged; the shared queue, inbox, outbox and
// webhook receiver also carry other specs' work, which is never counted.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { createApiKey } from '../lib/api/keys';
import { APPROVAL_ACTIVITY_ID, type ApprovalOutcome, type ApprovalRequest } from '../lib/contract/approval';
import { createDb, type Db } from '../lib/db';
import { connectTemporal } from '../lib/temporal';
import { createWebhook, deleteWebhook } from '../lib/webhooks/endpoints';
import type { approvalWorkflow } from '../worker/workflows';
import { serverEnv } from '../playwright.config';
import { freePorts } from '../scripts/processes';
import { expectListening, inboxSearching, markWindow } from './live-support';
import { startWebServer, startWorker, type Spawned } from './processes';
import { startSmtpReceiver, startWebhookReceiver, type ReceivedDelivery, type ReceivedMail } from './receivers';
import { ADMIN, REVIEWER, expect, test } from './support';

const ADMIN_ACTOR = { email: ADMIN.email, role: 'ADMIN' as const };
const TAG = `mp${randomBytes(4).toString('hex')}`;
/** The worker's reconciler sweeps this often here (RECONCILE_INTERVAL in playwright.config.ts). */
const SWEEP_MS = 1_000;

type Web = 'A' | 'B';
interface Reviewer {
  email: string;
  authorization: string;
}
interface Started {
  workflowId: string;
  approvalId: string;
}

let db: Db;
let temporal: Client;
let webB: Spawned;
let workerB: Spawned & { identity: string };
const urls: Record<Web, string> = { A: serverEnv.NEXTAUTH_URL, B: '' };
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
let webhookId = '';
const startedWorkflows: string[] = [];

test.describe.configure({ mode: 'serial' });
test.use({ storageState: REVIEWER.storageState });

// eslint-disable-next-line no-empty-pattern -- Playwright hooks take their fixtures as the first argument.
test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(240_000);
  db = createDb(process.env.DATABASE_URL);
  temporal = await connectTemporal(process.env.TEMPORAL_ADDRESS);
  // Mail from both workers: playwright.config.ts points SMTP_URL at this port.
  smtp = await startSmtpReceiver(Number(process.env.E2E_SMTP_PORT));
  hooks = await startWebhookReceiver();
  const { webhook, secret } = await createWebhook(db, ADMIN_ACTOR, { url: hooks.url, events: ['requested', 'decided'], format: 'json' });
  webhookId = webhook.id;
  hooks.useSecret(secret);

  // B gets A's settings: the same database, queue, secret and public address (as behind one load balancer).
  const env: NodeJS.ProcessEnv = { ...process.env, ...serverEnv };
  const [portB = 0] = await freePorts(1);
  urls.B = `http://127.0.0.1:${portB}`;
  [webB, workerB] = await Promise.all([startWebServer(env, portB), startWorker(env)]);
});

// eslint-disable-next-line no-empty-pattern -- as above
test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('web B output', { body: webB?.output() ?? '' });
    await testInfo.attach('worker B output', { body: workerB?.output() ?? '' });
  }
});

test.afterAll(async () => {
  await Promise.all([webB?.stop(), workerB?.stop()]);
  if (temporal) {
    await Promise.all(
      startedWorkflows.map(async (workflowId) => {
        const handle = temporal.workflow.getHandle(workflowId);
        if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('e2e many-processes cleanup');
      }),
    ).catch(() => undefined);
    await temporal.connection.close();
  }
  if (webhookId) await deleteWebhook(db, ADMIN_ACTOR, webhookId);
  await Promise.all([smtp?.close(), hooks?.close()]);
  await db?.$disconnect();
});

/** A fresh service user with a key that reads and decides. */
async function newReviewer(label: string): Promise<Reviewer> {
  const email = `${label}-${TAG}-${randomBytes(3).toString('hex')}@example.com`;
  const { key } = await createApiKey(db, ADMIN_ACTOR, {
    name: `e2e many processes ${email}`,
    userEmail: email,
    userName: 'E2E many processes',
    scopes: ['read', 'decide'],
  });
  return { email, authorization: `Bearer ${key}` };
}

/** Runs `run` over `items`, at most `limit` at once, in order of start. */
async function inParallel<T, R>(items: T[], limit: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index] as T, index);
      }
    }),
  );
  return results;
}

/** Starts approvalWorkflow for each request (routed to its `users`) on the shared queue; waits for every row. */
async function startApprovals(label: string, requests: { users: string[] }[]): Promise<(Started & { title: string })[]> {
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'countersign';
  const started = await inParallel(requests, 25, async ({ users }, i) => {
    const workflowId = `many-processes-${TAG}-${label}-${i}`;
    const title = `Many processes ${TAG} ${label} ${i}`;
    const request: ApprovalRequest = {
      version: 2,
      title,
      amount: 100 + i,
      currency: 'EUR',
      requester: 'ops@example.com',
      approvers: { users },
    };
    await temporal.workflow.start<typeof approvalWorkflow>('approvalWorkflow', { taskQueue, workflowId, args: [request] });
    startedWorkflows.push(workflowId);
    return { workflowId, title };
  });
  let rows: { id: string; workflowId: string }[] = [];
  await expect
    .poll(
      async () =>
        (rows = await db.approvalRequest.findMany({
          where: { workflowId: { in: started.map((s) => s.workflowId) } },
          select: { id: true, workflowId: true },
        })).length,
      { timeout: 120_000, message: `the workers write the ${label} rows` },
    )
    .toBe(started.length);
  const ids = new Map(rows.map((r) => [r.workflowId, r.id]));
  return started.map((s) => ({ ...s, approvalId: ids.get(s.workflowId) ?? '' }));
}

interface Attempt {
  approvalId: string;
  reviewer: Reviewer;
  decision: 'approve' | 'reject';
  web: Web;
}

interface Settled {
  status: number;
  code?: string;
  decidedBy?: string;
  /** Sent to B and failed there (B was killed), then sent to A. */
  failedOver: boolean;
  /** That failure was of a request already sent when B was killed. */
  inFlightAtKill: boolean;
  /** Sent again after an answer that leaves the outcome open (503, or a network failure): a 409 may then be its own decision. */
  resent: boolean;
}

/** When web B was killed, if it was; a request to B that fails after this goes to A. */
let killedAt: number | undefined;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends one decision through the REST API as a client behind a load balancer
 * would: a 429 or 503 is tried again after its Retry-After, and a request B
 * never answered goes to A. Any other answer is final.
 */
async function decide({ approvalId, reviewer, decision, web }: Attempt): Promise<Settled> {
  let target = web;
  let failedOver = false;
  let inFlightAtKill = false;
  let resent = false;
  for (let tries = 1; tries <= 30; tries++) {
    const sentAt = Date.now();
    let response: Response;
    let body: { decidedBy?: string; error?: { code: string } };
    try {
      response = await fetch(`${urls[target]}/api/v1/requests/${approvalId}/${decision}`, {
        method: 'POST',
        headers: { authorization: reviewer.authorization, 'content-type': 'application/json' },
        body: JSON.stringify(decision === 'approve' ? { comment: `Approved through ${target}` } : { reason: `Rejected through ${target}` }),
        signal: AbortSignal.timeout(60_000),
      });
      // The answer may be cut off half-way too: only a whole one counts.
      body = (await response.json()) as typeof body;
    } catch (error) {
      // Only B is ever killed: a failure anywhere else is the test's to see.
      if (target !== 'B' || killedAt === undefined) throw error;
      if (sentAt < killedAt) inFlightAtKill = true;
      failedOver = true;
      resent = true;
      target = 'A';
      continue;
    }
    if (response.status === 429 || response.status === 503) {
      if (response.status === 503) resent = true;
      await pause(Number(response.headers.get('retry-after') ?? '1') * 1000);
      continue;
    }
    return { status: response.status, code: body.error?.code, decidedBy: body.decidedBy, failedOver, inFlightAtKill, resent };
  }
  throw new Error(`${decision} ${approvalId} was refused 30 times`);
}

/** The outbox messages about these requests (webhook deliveries to this spec's endpoint only). */
async function outboxOf(approvalIds: string[]) {
  return db.$queryRaw<{ id: string; kind: string; status: string; attempts: number; approvalId: string; email: string | null }[]>`
    SELECT id, kind::text AS kind, status::text AS status, attempts, approval_id AS "approvalId", payload->>'email' AS email
    FROM (SELECT *, COALESCE(payload->>'approvalId', payload->'request'->>'id') AS approval_id FROM outbox_messages) m
    WHERE approval_id = ANY(${approvalIds}::text[]) AND (kind <> 'WEBHOOK' OR webhook_id = ${webhookId})`;
}

/** Waits until every outbox message about these requests is sent (each is sent before it is marked). */
async function untilOutboxSent(approvalIds: string[], timeout: number) {
  let messages: Awaited<ReturnType<typeof outboxOf>> = [];
  await expect
    .poll(async () => (messages = await outboxOf(approvalIds)).filter((m) => m.status !== 'SENT').map((m) => `${m.kind} ${m.status}`), {
      timeout,
      message: 'every outbox message about these requests is sent',
    })
    .toEqual([]);
  return messages;
}

const countBy = <T>(items: T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

/** Deliveries to this spec's webhook about these requests. */
const deliveriesAbout = (approvalIds: string[]): ReceivedDelivery[] => {
  const ids = new Set(approvalIds);
  return hooks.deliveries.filter((d) => ids.has(d.body.data.request.id));
};

/** Temporal's history of one workflow: how often the approval activity closed (completed or failed), and who ran its tasks. */
async function historyOf(workflowId: string) {
  const events = (await temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const approvalScheduled = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityId === APPROVAL_ACTIVITY_ID).map((e) => String(e.eventId)),
  );
  let approvalCloses = 0;
  const identities = new Set<string>();
  for (const e of events) {
    const closed = e.activityTaskCompletedEventAttributes?.scheduledEventId ?? e.activityTaskFailedEventAttributes?.scheduledEventId;
    if (closed != null && approvalScheduled.has(String(closed))) approvalCloses++;
    const identity = e.workflowTaskCompletedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
    if (identity) identities.add(identity);
  }
  return { approvalCloses, identities };
}

test('a browser on web A sees a decision made through web B within a second', async ({ page }) => {
  test.setTimeout(120_000);
  const decider = await newReviewer('live');
  const requests = await startApprovals(
    'live',
    Array.from({ length: 5 }, () => ({ users: [REVIEWER.email, decider.email] })),
  );

  await page.goto(`${urls.A}${inboxSearching(`${TAG} live`)}`);
  const rows = page.getByTestId('approval-row');
  await expect(rows).toHaveCount(requests.length);
  await expectListening(page);
  const notReloaded = await markWindow(page);

  const latencies: number[] = [];
  for (const request of requests) {
    // The page notes, by the same clock, when the row leaves the pending list.
    await page.evaluate((id) => {
      const w = window as unknown as { __rowGoneAt?: number };
      w.__rowGoneAt = undefined;
      const observer = new MutationObserver(() => {
        if (document.querySelector(`[data-testid="approval-row"][data-id="${id}"]`)) return;
        w.__rowGoneAt = Date.now();
        observer.disconnect();
      });
      observer.observe(document.body, { childList: true, subtree: true });
    }, request.approvalId);
    const decided = await decide({ approvalId: request.approvalId, reviewer: decider, decision: 'approve', web: 'B' });
    const answeredAt = Date.now();
    expect(decided).toMatchObject({ status: 200, decidedBy: decider.email });
    const goneAt = await (
      await page.waitForFunction(() => (window as unknown as { __rowGoneAt?: number }).__rowGoneAt, undefined, { timeout: 10_000 })
    ).jsonValue();
    latencies.push(Math.max(0, Number(goneAt) - answeredAt));
  }
  await expect(rows).toHaveCount(0);
  await notReloaded();

  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Infinity;
  console.log(`[many-processes] B's decision shown on A after ${latencies.join(', ')} ms (median ${median} ms)`);
  // The median, not each: one sample may meet a garbage collection or the other specs' load on two cores.
  expect(median, `the median of ${latencies.join(', ')} ms`).toBeLessThan(1_000);
});

test('two workers send each mail and each webhook delivery once', async () => {
  test.setTimeout(240_000);
  const [first, second] = await Promise.all([newReviewer('mail'), newReviewer('mail')]);
  if (!first || !second) throw new Error('unreachable: two reviewers');
  const requests = await startApprovals(
    'mail',
    Array.from({ length: 30 }, () => ({ users: [first.email, second.email] })),
  );
  const ids = requests.map((r) => r.approvalId);

  // Both reviewers are mailed about every request while it waits: nothing is decided until all mail is out.
  const mailMessages = (await untilOutboxSent(ids, 120_000)).filter((m) => m.kind === 'EMAIL');
  expect(mailMessages).toHaveLength(ids.length * 2);
  expect(countBy(mailMessages, (m) => `${m.approvalId} ${m.email}`).size).toBe(ids.length * 2);
  const mailIds = new Set(mailMessages.map((m) => m.id));
  const mails = smtp.mails.filter((m) => mailIds.has(m.messageId));
  const recipientOf = new Map(mailMessages.map((m) => [m.id, m.email]));
  const mailArrivals = countBy(mails, (m) => m.messageId);
  expect(
    [...mailArrivals.values()].filter((n) => n !== 1),
    'mails that arrived more than once',
  ).toEqual([]);
  expect(mailArrivals.size, 'every mail arrived').toBe(mailMessages.length);
  for (const mail of mails) expect(mail.to).toBe(recipientOf.get(mail.messageId));
  expect(countBy(mails, (m: ReceivedMail) => `${m.eventId} ${m.to}`).size, 'one mail per event and recipient').toBe(mails.length);

  // Decided half through A and half through B: each decision reaches the webhook once, as does each request.
  const decided = await inParallel(requests, 10, (request, i) =>
    decide({ approvalId: request.approvalId, reviewer: i % 2 ? second : first, decision: 'approve', web: i % 2 ? 'B' : 'A' }),
  );
  expect(decided.map((d) => d.status)).toEqual(requests.map(() => 200));
  const messages = await untilOutboxSent(ids, 120_000);
  const deliveryIds = new Set(messages.filter((m) => m.kind === 'WEBHOOK').map((m) => m.id));
  expect(deliveryIds.size).toBe(ids.length * 2);
  await expect
    .poll(() => new Set(deliveriesAbout(ids).map((d) => d.deliveryId)).size, { message: 'every webhook delivery arrives' })
    .toBe(deliveryIds.size);
  const deliveries = deliveriesAbout(ids);
  const arrivals = countBy(deliveries, (d) => d.deliveryId);
  expect(
    [...arrivals.values()].filter((n) => n !== 1),
    'deliveries that arrived more than once',
  ).toEqual([]);
  expect(countBy(deliveries, (d) => `${d.body.data.request.id} ${d.body.type}`).size, 'one delivery per request and event').toBe(
    deliveries.length,
  );
  expect(deliveries.every((d) => d.signed && deliveryIds.has(d.deliveryId))).toBe(true);
  expect(countBy(deliveries, (d) => d.body.type)).toEqual(
    new Map([
      ['requested', ids.length],
      ['decided', ids.length],
    ]),
  );

  // Both workers took part: B ran some of these workflows' tasks, A others.
  const identities = new Set((await inParallel(requests, 10, (r) => historyOf(r.workflowId))).flatMap((h) => [...h.identities]));
  expect(identities).toContain(workerB.identity);
  expect(identities.size).toBeGreaterThan(1);
});

test('two reconcilers close each request terminated outside Countersign once', async () => {
  test.setTimeout(180_000);
  const reviewer = await newReviewer('reconcile');
  const requests = await startApprovals(
    'reconcile',
    Array.from({ length: 20 }, () => ({ users: [reviewer.email] })),
  );
  const ids = requests.map((r) => r.approvalId);
  await Promise.all(requests.map((r) => temporal.workflow.getHandle(r.workflowId).terminate('e2e: ended outside Countersign')));

  await expect
    .poll(
      async () =>
        (await db.approvalRequest.findMany({ where: { id: { in: ids } }, select: { status: true } })).filter(
          (r) => r.status === 'TERMINATED',
        ).length,
      { timeout: 60_000, message: 'the reconcilers close every terminated request' },
    )
    .toBe(ids.length);
  // Both workers sweep every second and each sees these runs ended; proving that no second close follows
  // needs a few more sweeps of each (there is nothing to await for an absence).
  await pause(4 * SWEEP_MS);

  const closes = await db.auditEvent.findMany({
    where: { approvalRequestId: { in: ids }, action: { in: ['APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED', 'TERMINATED'] } },
    select: { approvalRequestId: true, action: true, path: true },
  });
  expect(closes).toHaveLength(ids.length);
  expect(countBy(closes, (c) => c.approvalRequestId ?? '').size).toBe(ids.length);
  expect(closes.every((c) => c.action === 'TERMINATED' && c.path === 'RECONCILER')).toBe(true);
});

test('200 decisions through both webs at once, SIGKILL of web B and worker B halfway: each decided once, none lost', async () => {
  test.setTimeout(600_000);
  const COUNT = 200;
  const reviewers = await inParallel(
    Array.from({ length: 40 }, (_, i) => i),
    10,
    (i) => newReviewer(`bulk${i}`),
  );
  const reviewerOf = (i: number) => reviewers[i % reviewers.length] as Reviewer;
  // Every fifth request is also decided, the other way, by someone else through the other web at the same moment.
  const races = (i: number) => i % 5 === 0;
  const plans = Array.from({ length: COUNT }, (_, i) => ({
    decider: reviewerOf(i),
    racer: races(i) ? reviewerOf(i + 20) : undefined,
    decision: (i % 4 === 3 ? 'reject' : 'approve') as Attempt['decision'],
    web: (i % 2 ? 'B' : 'A') as Web,
  }));
  const requests = await startApprovals(
    'bulk',
    plans.map((p) => ({ users: p.racer ? [p.decider.email, p.racer.email] : [p.decider.email] })),
  );

  const attempts: (Attempt & { index: number; primary: boolean })[] = plans.flatMap((plan, index) => {
    const { approvalId } = requests[index] as Started;
    const primary = { index, primary: true, approvalId, reviewer: plan.decider, decision: plan.decision, web: plan.web };
    if (!plan.racer) return [primary];
    const other: Web = plan.web === 'A' ? 'B' : 'A';
    return [
      primary,
      { ...primary, primary: false, reviewer: plan.racer, decision: plan.decision === 'approve' ? 'reject' : 'approve', web: other },
    ];
  });
  let answered = 0;
  const settled = await inParallel(attempts, 40, async (attempt) => {
    const result = await decide(attempt);
    // A third of the way in, web B and worker B die mid-flight, as a crashed machine would.
    if (++answered === Math.floor(attempts.length / 3)) {
      killedAt = Date.now();
      webB.kill();
      workerB.kill();
    }
    return result;
  });
  expect(killedAt, 'B was killed during the run').toBeDefined();
  expect(settled.filter((s) => s.inFlightAtKill).length, 'requests in flight to B when it died, then sent to A').toBeGreaterThan(0);
  expect(settled.filter((s) => s.failedOver).length).toBeGreaterThan(0);

  console.log(
    `[many-processes] ${attempts.length} decision requests: ${settled.filter((s) => s.status === 200).length} decided, ` +
      `${settled.filter((s) => s.status === 409).length} told already decided, ${settled.filter((s) => s.failedOver).length} sent to A ` +
      `after B died (${settled.filter((s) => s.inFlightAtKill).length} of them in flight at the kill)`,
  );
  // Every answer is a decision or "already decided": nothing else went wrong.
  const unexpected = settled.filter((s) => s.status !== 200 && !(s.status === 409 && s.code === 'already_decided'));
  expect(unexpected, 'answers other than 200 and 409 already_decided').toEqual([]);

  // The database: every request decided, once, by someone it was routed to.
  const ids = requests.map((r) => r.approvalId);
  const rows = new Map(
    (
      await db.approvalRequest.findMany({
        where: { id: { in: ids } },
        select: { id: true, status: true, decidedBy: true },
      })
    ).map((r) => [r.id, r]),
  );
  const decisions = await db.auditEvent.findMany({
    where: { approvalRequestId: { in: ids }, action: { in: ['APPROVED', 'REJECTED'] } },
    select: { approvalRequestId: true, action: true, actor: true },
  });
  const decisionsPerRow = countBy(decisions, (d) => d.approvalRequestId ?? '');
  for (const [index, plan] of plans.entries()) {
    const id = ids[index] ?? '';
    const row = rows.get(id);
    const mine = settled.filter((_, a) => attempts[a]?.index === index);
    const statusOf = (decision: Attempt['decision']) => (decision === 'approve' ? 'APPROVED' : 'REJECTED');
    const what = `request ${index} (${id})`;
    expect(row?.status, what).toMatch(/^(APPROVED|REJECTED)$/);
    expect(decisionsPerRow.get(id), `${what}: decision audit events`).toBe(1);
    expect(decisions.find((d) => d.approvalRequestId === id)?.actor, what).toBe(row?.decidedBy);
    const winners = mine.filter((s) => s.status === 200);
    expect(winners.length, `${what}: at most one 200`).toBeLessThanOrEqual(1);
    if (winners[0]) expect(row?.decidedBy, what).toBe(winners[0].decidedBy);
    if (!plan.racer) {
      expect(row, what).toMatchObject({ status: statusOf(plan.decision), decidedBy: plan.decider.email });
      continue;
    }
    // A race: the loser is told it was already decided; only a resent request may find its own decision there.
    expect([plan.decider.email, plan.racer.email], what).toContain(row?.decidedBy);
    const winner = row?.decidedBy === plan.decider.email ? plan.decision : plan.decision === 'approve' ? 'reject' : 'approve';
    expect(row?.status, what).toBe(statusOf(winner));
    if (mine.every((s) => !s.resent)) expect(mine.map((s) => s.status).sort(), `${what}: one winner, one 409`).toEqual([200, 409]);
  }

  // Temporal: every workflow completed, with the row's decision, and its approval activity closed exactly once.
  const histories = await inParallel(requests, 10, async (request) => {
    const handle = temporal.workflow.getHandle<typeof approvalWorkflow>(request.workflowId);
    const result: ApprovalOutcome = await handle.result();
    const row = rows.get(request.approvalId);
    expect(result, request.workflowId).toMatchObject({ status: row?.status, decidedBy: row?.decidedBy });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    return historyOf(request.workflowId);
  });
  expect(histories.filter((h) => h.approvalCloses !== 1).length, 'workflows whose approval closed other than once').toBe(0);
  expect(new Set(histories.flatMap((h) => [...h.identities])), 'worker B ran tasks before it died').toContain(workerB.identity);

  // The outbox: every event about these requests reaches the webhook, including those worker B had leased
  // when it died (another worker sends them once the lease runs out). A delivery arrives at most once per attempt.
  const messages = await untilOutboxSent(ids, 240_000);
  const deliveryIds = new Set(messages.filter((m) => m.kind === 'WEBHOOK').map((m) => m.id));
  expect(deliveryIds.size).toBe(ids.length * 2);
  await expect
    .poll(() => new Set(deliveriesAbout(ids).map((d) => d.deliveryId)).size, { message: 'every webhook delivery arrives' })
    .toBe(deliveryIds.size);
  const deliveries = deliveriesAbout(ids);
  expect(countBy(deliveries, (d) => `${d.body.data.request.id} ${d.body.type}`).size).toBe(ids.length * 2);
  const attemptsOf = new Map(messages.map((m) => [m.id, m.attempts]));
  for (const [deliveryId, arrived] of countBy(deliveries, (d) => d.deliveryId)) {
    expect(arrived, `delivery ${deliveryId}`).toBeLessThanOrEqual(attemptsOf.get(deliveryId) ?? 0);
  }
  const mailArrivals = countBy(
    smtp.mails.filter((m) => attemptsOf.has(m.messageId)),
    (m) => m.messageId,
  );
  for (const [messageId, arrived] of mailArrivals) expect(arrived, `mail ${messageId}`).toBeLessThanOrEqual(attemptsOf.get(messageId) ?? 0);
});
