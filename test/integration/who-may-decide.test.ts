// Who may decide: a request's routing (groups, people, a named policy), its
// quorum, four eyes, delegation, escalation in a later window, typed decision
// values, and deactivated users, against the real Temporal server and
// PostgreSQL. Every decision goes through the domain commands the app uses.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { decideApprovals } from '../../lib/approvals/commands/bulk';
import { claimApproval, reassignClaim, type ClaimAdmin } from '../../lib/approvals/commands/claim';
import { approveInputSchema, decideApproval, rejectInputSchema, type DecidedApproval } from '../../lib/approvals/commands/decide';
import { ApprovalError, InvalidValuesError } from '../../lib/approvals/errors';
import { readApprovalTruth } from '../../lib/approvals/temporal/truth';
import type { AgentToolResult } from '../../lib/contract/agent';
import { APPROVAL_ACTIVITY_ID, VIA_COUNTERSIGN, type ApprovalOutcome, type ApprovalRequest } from '../../lib/contract/approval';
import type { agentToolWorkflow, approvalWorkflow } from '../../worker/workflows';
import { expectInvalidRequestFailure } from '../support/workflow-failures';
import {
  approvalClosings,
  findApproval,
  newEmail,
  newGroup,
  newReviewer,
  useServices,
  waitFor,
  waitForPendingApproval,
  withWorker,
  type Services,
} from './helpers';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An ApprovalError with `code` (and a message matching `message`, when given). */
const isCode = (code: string, message?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ApprovalError, `expected ApprovalError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
  return true;
};

describe('who may decide', { timeout: 240_000 }, () => {
  const services = useServices();
  const deps = () => ({ db: services.db, temporal: services.client });
  const admin: ClaimAdmin = { email: newEmail('admin'), role: 'ADMIN' };

  /** A version-2 request with a fresh title; `overrides` add routing. */
  const request = (overrides: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
    version: 2,
    title: `Who may decide ${randomUUID()}`,
    amount: 120,
    currency: 'EUR',
    requester: 'ops@example.com',
    ...overrides,
  });

  /** Starts approvalWorkflow with `req` (remembered for cleanup), without waiting for its row. */
  async function startRequest(services: Services, taskQueue: string, req: unknown): Promise<WorkflowHandle<typeof approvalWorkflow>> {
    const workflowId = `who-${randomUUID()}`;
    services.started.push(workflowId);
    return services.client.workflow.start<typeof approvalWorkflow>('approvalWorkflow', {
      workflowId,
      taskQueue,
      args: [req as ApprovalRequest],
    });
  }

  /** Starts approvalWorkflow and waits for its pending row. */
  async function startPending(taskQueue: string, req: ApprovalRequest) {
    const handle = await startRequest(services, taskQueue, req);
    return { handle, pending: await waitForPendingApproval(services.db, handle.workflowId) };
  }

  const approve = (id: string, email: string, comment?: string): Promise<DecidedApproval> =>
    decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id, comment }) }, { email });
  const reject = (id: string, email: string, reason: string): Promise<DecidedApproval> =>
    decideApproval(deps(), { decision: 'REJECTED', ...rejectInputSchema.parse({ id, reason }) }, { email });

  async function heartbeatOf(workflowId: string, runId: string) {
    const truth = await readApprovalTruth(services.client, { workflowId, runId, activityId: APPROVAL_ACTIVITY_ID });
    assert.equal(truth.state, 'PENDING');
    return truth.heartbeatDetails;
  }

  const votesOf = (id: string) =>
    services.db.approvalVote.findMany({
      where: { approvalRequestId: id },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      select: { voter: true, actor: true, attempt: true, path: true, comment: true, values: true, at: true },
    });
  const eventsOf = (id: string) =>
    services.db.auditEvent.findMany({
      where: { approvalRequestId: id },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      select: { action: true, actor: true, path: true, details: true },
    });

  /** Everything a refused command must leave alone: the row, its votes, its audit trail. */
  async function snapshot(workflowId: string, id: string) {
    return { row: await findApproval(services.db, workflowId), votes: await votesOf(id), events: await eventsOf(id) };
  }

  // -------------------------------------------------------------------------
  // Quorum
  // -------------------------------------------------------------------------

  test('a quorum of 2: the first approval is recorded and shown in the heartbeat details, the same person twice is refused, the second completes it', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const ana = await newReviewer(db, 'ana');
      const ben = await newReviewer(db, 'ben');
      const { handle, pending } = await startPending(taskQueue, request({ quorum: 2 }));
      assert.equal(pending.quorum, 2);
      assert.equal(pending.approvals, 0);

      const first = await approve(pending.id, ana, 'looks right');
      assert.equal(first.status, 'PENDING');
      assert.deepEqual(first.progress, { approvals: 1, quorum: 2 });
      assert.equal(first.decidedBy, ana);
      assert.equal(first.onBehalfOf, null);
      assert.equal(first.recorded, true);

      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'PENDING');
      assert.equal(row?.approvals, 1);
      assert.equal(row?.decidedBy, null);
      assert.ok(row?.taskToken, 'the token stays: the activity still waits');
      const votes = await votesOf(pending.id);
      assert.equal(votes.length, 1);
      assert.deepEqual(
        votes.map((v) => [v.voter, v.actor, v.attempt, v.path, v.comment]),
        [[ana, ana, 1, 'DASHBOARD', 'looks right']],
      );
      const firstAt = votes[0]?.at.toISOString();
      assert.deepEqual(await heartbeatOf(handle.workflowId, pending.runId), {
        claimedBy: null,
        claimedAt: null,
        progress: { approvals: 1, quorum: 2, approvers: [{ reviewer: ana, at: firstAt, comment: 'looks right' }] },
      });
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      assert.deepEqual(await approvalClosings(handle), [], 'Temporal was not completed');

      // Ana again: one person counts once.
      const before = await snapshot(handle.workflowId, pending.id);
      await assert.rejects(approve(pending.id, ana), isCode('NOT_ELIGIBLE', /already approved this request \(1 of 2 approvals/));
      assert.deepEqual(await snapshot(handle.workflowId, pending.id), before);

      const second = await approve(pending.id, ben);
      assert.equal(second.status, 'APPROVED');
      assert.deepEqual(second.progress, { approvals: 2, quorum: 2 });

      const outcome: ApprovalOutcome = await handle.result();
      assert.equal(outcome.status, 'APPROVED');
      assert.ok(outcome.status === 'APPROVED');
      assert.equal(outcome.decidedBy, ben);
      assert.equal(outcome.via, VIA_COUNTERSIGN);
      assert.deepEqual(
        outcome.approvers?.map((a) => [a.reviewer, a.onBehalfOf, a.comment]),
        [
          [ana, undefined, 'looks right'],
          [ben, undefined, undefined],
        ],
      );
      assert.deepEqual(await approvalClosings(handle), ['COMPLETED']);

      const decided = await findApproval(db, handle.workflowId);
      assert.equal(decided?.status, 'APPROVED');
      assert.equal(decided?.approvals, 2);
      assert.equal(decided?.decidedBy, ben);
      assert.equal(decided?.decisionPath, 'DASHBOARD');
      assert.equal(decided?.taskToken, null);
      assert.deepEqual(
        (await votesOf(pending.id)).map((v) => v.voter),
        [ana, ben],
      );
      const events = await eventsOf(pending.id);
      assert.deepEqual(
        events.map((e) => `${e.action} ${e.actor} ${e.path}`),
        ['REQUESTED worker WORKER', `APPROVAL_RECORDED ${ana} DASHBOARD`, `APPROVED ${ben} DASHBOARD`],
      );
      assert.deepEqual(
        events.slice(1).map((e) => e.details),
        [
          { approvals: 1, quorum: 2 },
          { approvals: 2, quorum: 2 },
        ],
      );
    });
  });

  test('two reviewers approving a quorum-2 request at the same moment: Temporal is completed once, both votes count', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const reviewers = [await newReviewer(db, 'same-a'), await newReviewer(db, 'same-b')];
      const { handle, pending } = await startPending(taskQueue, request({ quorum: 2 }));

      const decided = await Promise.all(reviewers.map((email) => approve(pending.id, email)));
      assert.deepEqual(decided.map((d) => d.status).sort(), ['APPROVED', 'PENDING']);
      const completer = decided.find((d) => d.status === 'APPROVED')?.decidedBy;

      const outcome = await handle.result();
      assert.ok(outcome.status === 'APPROVED');
      assert.equal(outcome.decidedBy, completer);
      assert.deepEqual(outcome.approvers?.map((a) => a.reviewer).sort(), [...reviewers].sort());
      const { events } = await handle.fetchHistory();
      assert.equal((events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length, 2, 'the approval and the outcome record');
      assert.deepEqual(await approvalClosings(handle), ['COMPLETED'], 'the approval activity completed exactly once');

      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.approvals, 2);
      assert.deepEqual((await votesOf(pending.id)).map((v) => v.voter).sort(), [...reviewers].sort());
      assert.deepEqual(
        (await eventsOf(pending.id)).map((e) => e.action),
        ['REQUESTED', 'APPROVAL_RECORDED', 'APPROVED'],
      );
    });
  });

  test('a claim holder whose approval does not complete the quorum lets go of the claim, so the others can give theirs', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const ana = await newReviewer(db, 'ana');
      const ben = await newReviewer(db, 'ben');
      const { handle, pending } = await startPending(taskQueue, request({ quorum: 2 }));
      await claimApproval(deps(), { id: pending.id }, { email: ana });
      await assert.rejects(approve(pending.id, ben), isCode('CLAIMED'));

      assert.equal((await approve(pending.id, ana)).status, 'PENDING');
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.claimedBy, null);
      assert.equal(row?.claimedAt, null);
      const heartbeat = (await heartbeatOf(handle.workflowId, pending.runId)) as { claimedBy: unknown; progress: { approvals: number } };
      assert.equal(heartbeat.claimedBy, null);
      assert.equal(heartbeat.progress.approvals, 1);
      const recorded = (await eventsOf(pending.id)).find((e) => e.action === 'APPROVAL_RECORDED');
      assert.deepEqual(recorded?.details, { approvals: 1, quorum: 2, releasedClaim: true });

      assert.equal((await approve(pending.id, ben)).status, 'APPROVED');
      assert.ok((await handle.result()).status === 'APPROVED');
    });
  });

  test('any eligible rejection rejects a partially approved request', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const ana = await newReviewer(db, 'ana');
      const rita = await newReviewer(db, 'rita');
      const { handle, pending } = await startPending(taskQueue, request({ quorum: 2 }));
      assert.equal((await approve(pending.id, ana)).status, 'PENDING');

      const rejected = await reject(pending.id, rita, 'Not in budget');
      assert.equal(rejected.status, 'REJECTED');

      const outcome = await handle.result();
      assert.ok(outcome.status === 'REJECTED');
      assert.equal(outcome.decidedBy, rita);
      assert.equal(outcome.reason, 'Not in budget');
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'REJECTED');
      assert.equal(row?.decidedBy, rita);
      assert.equal(row?.reason, 'Not in budget');
      assert.equal(row?.decisionPath, 'DASHBOARD');
      assert.equal(row?.approvals, 1, 'the approval given stays on record');
      assert.deepEqual(
        (await eventsOf(pending.id)).map((e) => `${e.action} ${e.actor}`),
        ['REQUESTED worker', `APPROVAL_RECORDED ${ana}`, `REJECTED ${rita}`],
      );
    });
  });

  // -------------------------------------------------------------------------
  // Four eyes
  // -------------------------------------------------------------------------

  test('four eyes: the requester may neither approve nor claim their own request, and nothing changes', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const requester = await newReviewer(db, 'requester');
      const other = await newReviewer(db, 'other');
      // Spelled differently by the workflow: four eyes compares emails in one spelling.
      const { handle, pending } = await startPending(taskQueue, request({ requester: `  ${requester.toUpperCase()} ` }));
      assert.equal(pending.requester, requester);
      assert.equal(pending.fourEyes, true);

      const before = await snapshot(handle.workflowId, pending.id);
      const fourEyes = /You requested this, so someone else must decide it \(four eyes\)/;
      await assert.rejects(approve(pending.id, requester), isCode('NOT_ELIGIBLE', fourEyes));
      await assert.rejects(reject(pending.id, requester, 'mine'), isCode('NOT_ELIGIBLE', fourEyes));
      await assert.rejects(claimApproval(deps(), { id: pending.id }, { email: requester }), isCode('NOT_ELIGIBLE', fourEyes));
      await assert.rejects(
        reassignClaim(deps(), { id: pending.id, to: requester }, admin),
        isCode('NOT_ELIGIBLE', new RegExp(`^${escape(requester)} may not decide this request: .*four eyes`)),
      );
      assert.deepEqual(await snapshot(handle.workflowId, pending.id), before);

      // Anyone else may.
      assert.equal((await approve(pending.id, other)).status, 'APPROVED');
      assert.ok((await handle.result()).status === 'APPROVED');
    });
  });

  // -------------------------------------------------------------------------
  // Routing
  // -------------------------------------------------------------------------

  test('routed to a group: a member may decide, anyone else is refused with a message naming the group', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const finance = await newGroup(db, 'finance');
      const member = await newReviewer(db, 'member', { groups: [finance] });
      const outsider = await newReviewer(db, 'outsider', { groups: [await newGroup(db, 'ops')] });
      const { handle, pending } = await startPending(taskQueue, request({ approvers: { groups: [finance] } }));
      assert.deepEqual(pending.approverGroups, [finance]);
      assert.deepEqual(pending.approverUsers, []);

      const before = await snapshot(handle.workflowId, pending.id);
      const onlyFinance = new RegExp(`^Only ${escape(finance)} \\(group\\) may decide this request\\.$`);
      await assert.rejects(approve(pending.id, outsider), isCode('NOT_ELIGIBLE', onlyFinance));
      await assert.rejects(reject(pending.id, outsider, 'no'), isCode('NOT_ELIGIBLE', onlyFinance));
      assert.deepEqual(await snapshot(handle.workflowId, pending.id), before);

      assert.equal((await approve(pending.id, member)).status, 'APPROVED');
      const outcome = await handle.result();
      assert.ok(outcome.status === 'APPROVED');
      assert.equal(outcome.decidedBy, member);
    });
  });

  test('routed to people by email: only they may decide', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const named = await newReviewer(db, 'named');
      const other = await newReviewer(db, 'other');
      // The contract takes emails in any case; the row holds them lower-cased.
      const { handle, pending } = await startPending(taskQueue, request({ approvers: { users: [named.toUpperCase()] } }));
      assert.deepEqual(pending.approverUsers, [named]);

      await assert.rejects(
        approve(pending.id, other),
        isCode('NOT_ELIGIBLE', new RegExp(`^Only ${escape(named)} may decide this request\\.$`)),
      );
      assert.equal(await db.approvalVote.count({ where: { approvalRequestId: pending.id } }), 0);
      assert.equal((await approve(pending.id, named)).status, 'APPROVED');
      assert.ok((await handle.result()).status === 'APPROVED');
    });
  });

  test('a bulk decision refuses the items its decider may not decide, one by one, and decides the others', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const finance = await newGroup(db, 'finance');
      const reviewer = await newReviewer(db, 'bulk');
      const routed = await startPending(taskQueue, request({ approvers: { groups: [finance] } }));
      const open = await startPending(taskQueue, request());

      const results = await decideApprovals(
        deps(),
        { decision: 'APPROVED', ids: [routed.pending.id, open.pending.id], comment: undefined },
        { email: reviewer },
      );
      assert.deepEqual(
        results.map((r) => [r.id, r.outcome === 'refused' ? r.code : r.outcome === 'decided' ? r.status : r.outcome]),
        [
          [routed.pending.id, 'NOT_ELIGIBLE'],
          [open.pending.id, 'APPROVED'],
        ],
      );
      const refused = results[0];
      assert.ok(refused?.outcome === 'refused');
      assert.match(refused.message, new RegExp(`^Only ${escape(finance)} \\(group\\) may decide this request\\.$`));

      assert.equal((await findApproval(db, routed.handle.workflowId))?.status, 'PENDING');
      assert.deepEqual(await approvalClosings(routed.handle), []);
      const outcome = await open.handle.result();
      assert.ok(outcome.status === 'APPROVED');
      assert.equal(outcome.decidedBy, reviewer);
    });
  });

  test('a reviewer who may not decide a request may not claim it, nor may an admin hand it to them', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const finance = await newGroup(db, 'finance');
      const member = await newReviewer(db, 'member', { groups: [finance] });
      const outsider = await newReviewer(db, 'outsider');
      const { handle, pending } = await startPending(taskQueue, request({ approvers: { groups: [finance] } }));

      const before = await snapshot(handle.workflowId, pending.id);
      const heartbeatBefore = await heartbeatOf(handle.workflowId, pending.runId);
      await assert.rejects(
        claimApproval(deps(), { id: pending.id }, { email: outsider }),
        isCode('NOT_ELIGIBLE', new RegExp(`^Only ${escape(finance)} \\(group\\) may decide this request\\.$`)),
      );
      await assert.rejects(
        reassignClaim(deps(), { id: pending.id, to: outsider }, admin),
        isCode(
          'NOT_ELIGIBLE',
          new RegExp(`^${escape(outsider)} may not decide this request: Only ${escape(finance)} \\(group\\) may decide this request\\.$`),
        ),
      );
      assert.deepEqual(await snapshot(handle.workflowId, pending.id), before);
      assert.deepEqual(await heartbeatOf(handle.workflowId, pending.runId), heartbeatBefore);

      // A member may hold it, given by an admin.
      const moved = await reassignClaim(deps(), { id: pending.id, to: member }, admin);
      assert.equal(moved.claimedBy, member);
    });
  });

  // -------------------------------------------------------------------------
  // Named policies
  // -------------------------------------------------------------------------

  test('a named policy: its groups route the request, and its amount rules set the quorum', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const finance = await newGroup(db, 'finance');
      const policy = `policy-${randomBytes(4).toString('hex')}`;
      await db.policy.create({
        data: { name: policy, approverGroups: [finance], quorumRules: [{ amountOver: 10_000, quorum: 2 }] },
      });

      const large = await startPending(taskQueue, request({ policy, amount: 20_000 }));
      assert.equal(large.pending.policyName, policy);
      assert.equal(large.pending.quorum, 2);
      assert.deepEqual(large.pending.approverGroups, [finance]);
      assert.equal(large.pending.fourEyes, true);

      const small = await startPending(taskQueue, request({ policy, amount: 500 }));
      assert.equal(small.pending.policyName, policy);
      assert.equal(small.pending.quorum, 1);
      assert.deepEqual(small.pending.approverGroups, [finance]);

      // A request may ask for more than its policy, never for less.
      const more = await startPending(taskQueue, request({ policy, amount: 500, quorum: 3 }));
      assert.equal(more.pending.quorum, 3);
    });
  });

  // -------------------------------------------------------------------------
  // Refused requests
  // -------------------------------------------------------------------------

  test('a request that breaks the routing rules fails the activity non-retryably, naming the field, and writes no row', async () => {
    const { db } = services;
    const finance = await newGroup(db, 'finance');
    const missing = `missing-${randomBytes(4).toString('hex')}`;
    const cases: { name: string; req: unknown; names: RegExp }[] = [
      { name: 'an unknown policy', req: request({ policy: missing }), names: new RegExp(`policy: no policy is named "${missing}"`) },
      {
        name: 'an unknown group to approve',
        req: request({ approvers: { groups: [finance, missing] } }),
        names: new RegExp(`approvers\\.groups: no group is named "${missing}"`),
      },
      {
        name: 'an unknown group to escalate to',
        req: request({ approvers: { groups: [finance] }, escalateTo: { groups: [missing] } }),
        names: new RegExp(`escalateTo\\.groups: no group is named "${missing}"`),
      },
      { name: 'a quorum of 0', req: request({ quorum: 0 }), names: /quorum: must be at least 1/ },
      {
        name: 'a malformed decision schema',
        req: { ...request(), decision: { type: 'object', properties: { amount: { type: 'money' } } } },
        names: /decision\.properties\.amount/,
      },
      {
        name: 'a version-2 field without version 2',
        req: { title: 'No version', quorum: 2 },
        names: /quorum: needs version: 2 in the request/,
      },
    ];
    await withWorker(services, async (taskQueue) => {
      for (const { name, req, names } of cases) {
        const handle = await startRequest(services, taskQueue, req);
        const failure = await expectInvalidRequestFailure(handle);
        assert.equal(failure.nonRetryable, true, name);
        assert.match(failure.message, /^Invalid approval request: /, name);
        assert.match(failure.message, names, `${name}: ${failure.message}`);
        assert.equal(await findApproval(db, handle.workflowId), null, `${name}: no row`);
      }
    });
  });

  // -------------------------------------------------------------------------
  // Delegation
  // -------------------------------------------------------------------------

  test('delegation: while V is away, U decides for V; the vote, the row, the result and the audit trail say "U for V"; once back, U is refused', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const finance = await newGroup(db, 'finance');
      const u = await newReviewer(db, 'delegate');
      const v = await newReviewer(db, 'away', { groups: [finance] });
      const uId = (await db.user.findUniqueOrThrow({ where: { email: u } })).id;
      await db.user.update({ where: { email: v }, data: { awayUntil: new Date(Date.now() + 3_600_000), delegateId: uId } });

      const { handle, pending } = await startPending(taskQueue, request({ approvers: { groups: [finance] } }));
      const decided = await approve(pending.id, u, 'for V');
      assert.equal(decided.status, 'APPROVED');
      assert.equal(decided.decidedBy, u);
      assert.equal(decided.onBehalfOf, v);

      const votes = await votesOf(pending.id);
      assert.deepEqual(
        votes.map((vote) => [vote.voter, vote.actor]),
        [[v, u]],
      );
      const row = await findApproval(db, handle.workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.equal(row?.decidedBy, u);
      assert.equal(row?.decidedFor, v);
      const outcome = await handle.result();
      assert.ok(outcome.status === 'APPROVED');
      assert.equal(outcome.decidedBy, u);
      assert.equal(outcome.onBehalfOf, v);
      assert.deepEqual(
        outcome.approvers?.map((a) => [a.reviewer, a.onBehalfOf]),
        [[u, v]],
      );
      const approved = (await eventsOf(pending.id)).find((e) => e.action === 'APPROVED');
      assert.equal(approved?.actor, u);
      assert.deepEqual(approved?.details, { onBehalfOf: v });
      // The workflow's own record leaves the dashboard's decision as it was.
      assert.equal((await findApproval(db, handle.workflowId))?.decidedFor, v);

      // V is back: U is just U again, and not in the group.
      await db.user.update({ where: { email: v }, data: { awayUntil: new Date(Date.now() - 1_000) } });
      const next = await startPending(taskQueue, request({ approvers: { groups: [finance] } }));
      const before = await snapshot(next.handle.workflowId, next.pending.id);
      await assert.rejects(
        approve(next.pending.id, u),
        isCode('NOT_ELIGIBLE', new RegExp(`^Only ${escape(finance)} \\(group\\) may decide this request\\.$`)),
      );
      assert.deepEqual(await snapshot(next.handle.workflowId, next.pending.id), before);
    });
  });

  // -------------------------------------------------------------------------
  // Escalation
  // -------------------------------------------------------------------------

  test('escalation: the people it escalates to may decide from the second window on, and approvals given in the first carry over', async () => {
    const { db } = services;
    const finance = await newGroup(db, 'finance');
    const member = await newReviewer(db, 'member', { groups: [finance] });
    const escalated = await newReviewer(db, 'escalated');
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle, pending } = await startPending(
          taskQueue,
          request({ approvers: { groups: [finance] }, escalateTo: { users: [escalated] }, quorum: 2 }),
        );
        assert.equal(pending.attempt, 1);
        assert.deepEqual(pending.escalateUsers, [escalated]);

        await assert.rejects(
          approve(pending.id, escalated),
          isCode('NOT_ELIGIBLE', new RegExp(`^Only ${escape(finance)} \\(group\\) may decide this request\\.$`)),
        );
        assert.equal((await approve(pending.id, member)).status, 'PENDING');

        const second = await waitFor(
          'attempt 2 of the approval',
          async () => {
            const row = await findApproval(db, handle.workflowId);
            return row && row.attempt >= 2 && row.taskToken ? row : undefined;
          },
          { timeoutMs: 15_000 },
        );
        assert.equal(second.attempt, 2);
        assert.equal(second.status, 'PENDING');
        assert.equal(second.approvals, 1, 'the approval of window 1 carries over');
        // The re-issued attempt tells Temporal the progress it carries over.
        const progress = await waitFor('the carried-over progress in the heartbeat details', async () => {
          const details = (await heartbeatOf(handle.workflowId, pending.runId)) as { progress?: { approvals: number } } | undefined;
          return details?.progress;
        });
        assert.equal(progress.approvals, 1);

        const decided = await approve(pending.id, escalated);
        assert.equal(decided.status, 'APPROVED');
        assert.deepEqual(decided.progress, { approvals: 2, quorum: 2 });
        const outcome = await handle.result();
        assert.ok(outcome.status === 'APPROVED');
        assert.deepEqual(
          outcome.approvers?.map((a) => a.reviewer),
          [member, escalated],
        );
        assert.deepEqual(
          (await votesOf(pending.id)).map((v) => [v.voter, v.attempt]),
          [
            [member, 1],
            [escalated, 2],
          ],
        );
        const row = await findApproval(db, handle.workflowId);
        assert.equal(row?.status, 'APPROVED');
        assert.equal(row?.attempt, 2);
        assert.equal(row?.approvals, 2);
      },
      { approvalWindowMs: 3_000, approvalWindows: 3 },
    );
  });

  // -------------------------------------------------------------------------
  // Typed decisions
  // -------------------------------------------------------------------------

  test('typed decisions: the reviewer edits the agent tool call, and the workflow runs the tool with what was approved', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const reviewer = await newReviewer(db, 'editor');
      const workflowId = `agent-${randomUUID()}`;
      services.started.push(workflowId);
      const args = { to: 'customer@example.com', subject: 'Your refund', body: 'Hello,\nyour refund is on its way.' };
      const handle = await services.client.workflow.start<typeof agentToolWorkflow>('agentToolWorkflow', {
        workflowId,
        taskQueue,
        args: [{ tool: 'send_email', args }],
      });
      const pending = await waitForPendingApproval(db, workflowId);
      assert.equal(pending.workflowType, 'agentToolWorkflow');

      const form = (values: Partial<typeof args>) => ({
        'values.to': values.to ?? args.to,
        'values.subject': values.subject ?? args.subject,
        'values.body': values.body ?? args.body,
      });
      const decideWith = (valuesForm: Record<string, string>) =>
        decideApproval(deps(), { decision: 'APPROVED', ...approveInputSchema.parse({ id: pending.id }), valuesForm }, { email: reviewer });

      // Values that fail the form are refused, field by field, and change nothing.
      const before = await snapshot(workflowId, pending.id);
      const refusedWith = (fieldErrors: Record<string, RegExp>) => (error: unknown) => {
        assert.ok(error instanceof InvalidValuesError, String(error));
        assert.equal(error.code, 'INVALID_VALUES');
        assert.deepEqual(Object.keys(error.fieldErrors).sort(), Object.keys(fieldErrors).sort());
        for (const [field, message] of Object.entries(fieldErrors)) assert.match(error.fieldErrors[field] ?? '', message, field);
        return true;
      };
      await assert.rejects(decideWith(form({ subject: '' })), refusedWith({ 'values.subject': /^Subject is required$/ }));
      await assert.rejects(
        decideWith(form({ to: `${'x'.repeat(200)}@example.com`, subject: '' })),
        refusedWith({ 'values.to': /^To must be at most 200 characters$/, 'values.subject': /required/ }),
      );
      assert.deepEqual(await snapshot(workflowId, pending.id), before);

      const decided = await decideWith(form({ subject: 'Edited subject' }));
      assert.equal(decided.status, 'APPROVED');

      const result: AgentToolResult = await handle.result();
      assert.ok(result.status === 'EXECUTED', JSON.stringify(result));
      assert.deepEqual(result.args, { ...args, subject: 'Edited subject' });
      assert.equal(result.approvedBy, reviewer);
      assert.deepEqual(
        result.approvers.map((a) => a.reviewer),
        [reviewer],
      );
      const row = await findApproval(db, workflowId);
      assert.equal(row?.status, 'APPROVED');
      assert.deepEqual(row?.values, { ...args, subject: 'Edited subject' });
      assert.deepEqual(
        (await votesOf(pending.id)).map((v) => v.values),
        [{ ...args, subject: 'Edited subject' }],
      );
    });
  });

  // -------------------------------------------------------------------------
  // Deactivated users
  // -------------------------------------------------------------------------

  test('a deactivated user may neither decide nor claim, and nothing changes', async () => {
    const { db } = services;
    await withWorker(services, async (taskQueue) => {
      const gone = await newReviewer(db, 'gone');
      const stranger = newEmail('stranger');
      const { handle, pending } = await startPending(taskQueue, request());
      await db.user.update({ where: { email: gone }, data: { active: false, deactivatedAt: new Date() } });

      const before = await snapshot(handle.workflowId, pending.id);
      for (const email of [gone, stranger]) {
        await assert.rejects(approve(pending.id, email), isCode('NOT_ELIGIBLE', /^Your account is not active\./), email);
        await assert.rejects(reject(pending.id, email, 'no'), isCode('NOT_ELIGIBLE', /^Your account is not active\./), email);
        await assert.rejects(claimApproval(deps(), { id: pending.id }, { email }), isCode('NOT_ELIGIBLE'), email);
      }
      await assert.rejects(reassignClaim(deps(), { id: pending.id, to: gone }, admin), isCode('NOT_FOUND', /No active reviewer or admin/));
      assert.deepEqual(await snapshot(handle.workflowId, pending.id), before);
    });
  });
});
