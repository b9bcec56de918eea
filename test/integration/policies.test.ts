// Named policies (lib/approvals/policy/policies.ts) against a real PostgreSQL:
// what an admin may create, change and delete, what is refused and why, the
// audit trail, and how routing (resolveRouting) reads policies and groups.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AccessError } from '../../lib/auth/access';
import {
  createPolicy,
  deletePolicy,
  getPolicy,
  listPolicies,
  PolicyError,
  updatePolicy,
  type PolicyAdmin,
  type PolicyInput,
} from '../../lib/approvals/policy/policies';
import { InvalidRoutingError, resolveRouting } from '../../lib/approvals/policy/routing';
import { approvalRequestSchema } from '../../lib/contract/approval';
import type { Db } from '../../lib/db';
import { newEmail, newGroup, openDb } from './helpers';

const newPolicyName = (label = 'policy') => `${label}-${randomBytes(4).toString('hex')}`;

/** A PolicyError with this code (and field, when given) whose message matches. */
function refusal(code: PolicyError['code'], message: RegExp, field?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof PolicyError, `expected a PolicyError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    if (field) assert.equal(error.field, field);
    return true;
  };
}

const forbidden = (error: unknown) => error instanceof AccessError && error.code === 'FORBIDDEN';

describe('named policies', { timeout: 120_000 }, () => {
  let db: Db;
  let admin: PolicyAdmin;
  let finance: string;
  let ops: string;

  before(async () => {
    db = await openDb();
    admin = { email: newEmail('admin'), role: 'ADMIN' };
    finance = await newGroup(db, 'finance');
    ops = await newGroup(db, 'ops');
  });
  after(async () => {
    await db.$disconnect();
  });

  const input = (fields: Partial<PolicyInput> = {}): PolicyInput => ({
    name: newPolicyName(),
    description: 'Payments above the petty-cash limit',
    approverGroups: [finance],
    approverUsers: ['CFO@Example.com'],
    quorum: 1,
    quorumRules: [{ amountOver: 10_000, quorum: 2 }],
    fourEyes: true,
    escalateGroups: [ops],
    escalateUsers: [],
    ...fields,
  });

  const eventsOf = (name: string) =>
    db.auditEvent.findMany({
      where: { approvalRequestId: null, action: { startsWith: 'POLICY_' }, details: { path: ['policy'], equals: name } },
      orderBy: { at: 'asc' },
    });

  /** A pending request row that names `policyName`, written directly (as the activity would). */
  async function pendingRequestNaming(policyName: string, status: 'PENDING' | 'APPROVED' = 'PENDING') {
    const now = new Date();
    return db.approvalRequest.create({
      data: {
        workflowId: `policy-test-${randomUUID()}`,
        runId: randomUUID(),
        activityId: 'approval',
        attempt: 1,
        request: { version: 2, title: 'Pay invoice', policy: policyName },
        title: 'Pay invoice',
        requestedAt: now,
        deadline: new Date(now.getTime() + 3_600_000),
        policyName,
        status,
      },
      select: { id: true },
    });
  }

  describe('create', () => {
    test('stores every field, emails lower-cased, and is listed and found by name', async () => {
      const created = await createPolicy(db, admin, input({ name: newPolicyName('large-payments') }));
      assert.deepEqual(created.approverUsers, ['cfo@example.com']);
      assert.deepEqual(created.quorumRules, [{ amountOver: 10_000, quorum: 2 }]);
      const found = await getPolicy(db, created.name);
      assert.ok(found);
      assert.deepEqual(
        { ...found, createdAt: undefined, updatedAt: undefined },
        { ...created, createdAt: undefined, updatedAt: undefined },
      );
      const listed = (await listPolicies(db)).find((p) => p.name === created.name);
      assert.ok(listed, 'the new policy is listed');
      assert.equal(listed.pendingRequests, 0);
    });

    test('takes a form’s text: lists by comma or line, numbers as text, blank rule rows dropped', async () => {
      const created = await createPolicy(
        db,
        admin,
        input({
          approverGroups: [finance, finance],
          approverUsers: 'a@example.com, B@example.com\na@example.com',
          quorum: '2',
          quorumRules: [
            { amountOver: '100,000', quorum: '4' },
            { amountOver: '', quorum: '' },
            { amountOver: '10000', quorum: '3' },
          ],
          escalateUsers: '',
        }),
      );
      assert.deepEqual(created.approverGroups, [finance]);
      assert.deepEqual(created.approverUsers, ['a@example.com', 'b@example.com']);
      assert.equal(created.quorum, 2);
      assert.deepEqual(created.quorumRules, [
        { amountOver: 10_000, quorum: 3 },
        { amountOver: 100_000, quorum: 4 },
      ]);
      assert.deepEqual(created.escalateUsers, []);
    });

    test('four eyes is on unless told, and no approvers means any reviewer', async () => {
      const { fourEyes: _omitted, ...rest } = input({ approverGroups: [], approverUsers: [] });
      const created = await createPolicy(db, admin, rest);
      assert.equal(created.fourEyes, true);
      assert.deepEqual([created.approverGroups, created.approverUsers], [[], []]);
    });

    test('writes a POLICY_CREATED audit event with the policy’s fields', async () => {
      const created = await createPolicy(db, admin, input());
      const [event, ...more] = await eventsOf(created.name);
      assert.equal(more.length, 0);
      assert.ok(event);
      assert.equal(event.action, 'POLICY_CREATED');
      assert.equal(event.actor, admin.email);
      assert.equal(event.path, 'DASHBOARD');
      assert.equal(event.approvalRequestId, null);
      assert.deepEqual(event.details, {
        policy: created.name,
        description: 'Payments above the petty-cash limit',
        approverGroups: [finance],
        approverUsers: ['cfo@example.com'],
        quorum: 1,
        quorumRules: [{ amountOver: 10_000, quorum: 2 }],
        fourEyes: true,
        escalateGroups: [ops],
        escalateUsers: [],
      });
    });

    test('a name already taken is a conflict', async () => {
      const name = newPolicyName();
      await createPolicy(db, admin, input({ name }));
      await assert.rejects(createPolicy(db, admin, input({ name })), refusal('CONFLICT', /exists already/, 'name'));
    });
  });

  describe('validation', () => {
    test('an unknown approver group is refused, naming it and its field, and nothing is written', async () => {
      const name = newPolicyName();
      const ghost = `ghost-${randomBytes(3).toString('hex')}`;
      await assert.rejects(
        createPolicy(db, admin, input({ name, approverGroups: [finance, ghost] })),
        refusal('INVALID', new RegExp(`No group is named “${ghost}”`), 'approverGroups'),
      );
      assert.equal(await getPolicy(db, name), null);
      assert.deepEqual(await eventsOf(name), []);
    });

    test('an unknown escalation group is refused on its own field', async () => {
      const ghost = `ghost-${randomBytes(3).toString('hex')}`;
      await assert.rejects(
        createPolicy(db, admin, input({ escalateGroups: [ghost] })),
        refusal('INVALID', new RegExp(ghost), 'escalateGroups'),
      );
    });

    test('a quorum outside 1..20 is refused', async () => {
      for (const quorum of [0, 21, 1.5, '', 'two']) {
        await assert.rejects(createPolicy(db, admin, input({ quorum })), refusal('INVALID', /quorum: /, 'quorum'), `quorum ${quorum}`);
      }
    });

    test('two rules for the same amount are refused, naming the row', async () => {
      const rules = [
        { amountOver: 5000, quorum: 2 },
        { amountOver: '5,000', quorum: 3 },
      ];
      await assert.rejects(
        createPolicy(db, admin, input({ quorumRules: rules })),
        refusal('INVALID', /rule 2: there is already a rule for amounts over 5,000/, 'quorumRules'),
      );
    });

    test('rules: a negative amount, a bad quorum, a half-filled row, more than 10', async () => {
      const cases: [PolicyInput['quorumRules'], RegExp][] = [
        [[{ amountOver: -1, quorum: 2 }], /rule 1: the amount must be 0 or more/],
        [[{ amountOver: 10, quorum: 0 }], /rule 1: approvals must be a whole number from 1 to 20/],
        [[{ amountOver: 10, quorum: 21 }], /rule 1: approvals must be/],
        [
          [
            { amountOver: '', quorum: '' },
            { amountOver: '10', quorum: '' },
          ],
          /rule 2: give the number of approvals/,
        ],
        [Array.from({ length: 11 }, (_, i) => ({ amountOver: i * 100, quorum: 2 })), /at most 10 amount rules/],
      ];
      for (const [quorumRules, message] of cases) {
        await assert.rejects(createPolicy(db, admin, input({ quorumRules })), refusal('INVALID', message, 'quorumRules'));
      }
    });

    test('a bad name, a long description, a bad email, too many people', async () => {
      await assert.rejects(createPolicy(db, admin, input({ name: 'Large Payments' })), refusal('INVALID', /name: /, 'name'));
      await assert.rejects(createPolicy(db, admin, input({ description: 'x'.repeat(501) })), refusal('INVALID', /at most 500/));
      await assert.rejects(
        createPolicy(db, admin, input({ approverUsers: 'ok@example.com, not-an-email' })),
        refusal('INVALID', /“not-an-email” is not an email address/, 'approverUsers'),
      );
      const many = Array.from({ length: 51 }, (_, i) => `p${i}@example.com`);
      await assert.rejects(
        createPolicy(db, admin, input({ escalateUsers: many })),
        refusal('INVALID', /at most 50 people/, 'escalateUsers'),
      );
    });
  });

  describe('admins only', () => {
    test('a reviewer may not create, update or delete a policy', async () => {
      const reviewer: PolicyAdmin = { email: newEmail(), role: 'REVIEWER' };
      const existing = await createPolicy(db, admin, input());
      await assert.rejects(createPolicy(db, reviewer, input()), forbidden);
      await assert.rejects(updatePolicy(db, reviewer, input({ name: existing.name, quorum: 3 })), forbidden);
      await assert.rejects(deletePolicy(db, reviewer, existing.name), forbidden);
      assert.equal((await getPolicy(db, existing.name))?.quorum, 1);
    });
  });

  describe('update', () => {
    test('changes every field but the name, and audits what changed', async () => {
      const created = await createPolicy(db, admin, input());
      const { policy, changed } = await updatePolicy(
        db,
        admin,
        input({ name: created.name, quorum: 2, fourEyes: false, escalateGroups: [], quorumRules: [] }),
      );
      assert.deepEqual([...changed].sort(), ['escalateGroups', 'fourEyes', 'quorum', 'quorumRules']);
      assert.equal(policy.quorum, 2);
      assert.equal(policy.fourEyes, false);
      assert.deepEqual(policy.escalateGroups, []);
      const events = await eventsOf(created.name);
      assert.deepEqual(
        events.map((e) => e.action),
        ['POLICY_CREATED', 'POLICY_UPDATED'],
      );
      assert.deepEqual((events[1]?.details as Record<string, unknown>).quorum, 2);
      assert.deepEqual((events[1]?.details as Record<string, unknown>).changed, changed);
    });

    test('the same fields again change nothing and write no event', async () => {
      const fields = input();
      await createPolicy(db, admin, fields);
      const { changed } = await updatePolicy(db, admin, fields);
      assert.deepEqual(changed, []);
      assert.equal((await eventsOf(fields.name)).length, 1);
    });

    test('a policy that does not exist is not found; a refused change leaves it as it was', async () => {
      await assert.rejects(updatePolicy(db, admin, input({ name: newPolicyName('nobody') })), refusal('NOT_FOUND', /No policy is named/));
      const created = await createPolicy(db, admin, input());
      await assert.rejects(updatePolicy(db, admin, input({ name: created.name, quorum: 0 })), refusal('INVALID', /quorum/));
      await assert.rejects(
        updatePolicy(db, admin, input({ name: created.name, quorum: 3, approverGroups: ['no-such-group-here'] })),
        refusal('INVALID', /no-such-group-here/, 'approverGroups'),
      );
      assert.equal((await getPolicy(db, created.name))?.quorum, 1);
      assert.equal((await eventsOf(created.name)).length, 1);
    });
  });

  describe('delete', () => {
    test('deletes a policy no pending request names, and audits it', async () => {
      const created = await createPolicy(db, admin, input());
      await pendingRequestNaming(created.name, 'APPROVED');
      const deleted = await deletePolicy(db, admin, created.name);
      assert.equal(deleted.name, created.name);
      assert.equal(await getPolicy(db, created.name), null);
      const events = await eventsOf(created.name);
      assert.deepEqual(
        events.map((e) => [e.action, e.actor]),
        [
          ['POLICY_CREATED', admin.email],
          ['POLICY_DELETED', admin.email],
        ],
      );
      assert.equal((events[1]?.details as Record<string, unknown>).quorum, 1);
    });

    test('is refused while pending requests name it, saying how many', async () => {
      const created = await createPolicy(db, admin, input());
      await pendingRequestNaming(created.name);
      await assert.rejects(deletePolicy(db, admin, created.name), refusal('CONFLICT', /1 pending request names it/));
      await pendingRequestNaming(created.name);
      await assert.rejects(deletePolicy(db, admin, created.name), refusal('CONFLICT', /2 pending requests name it/));
      assert.ok(await getPolicy(db, created.name));
      assert.equal((await listPolicies(db)).find((p) => p.name === created.name)?.pendingRequests, 2);
      assert.deepEqual(
        (await eventsOf(created.name)).map((e) => e.action),
        ['POLICY_CREATED'],
      );
    });

    test('a policy that does not exist is not found', async () => {
      await assert.rejects(deletePolicy(db, admin, newPolicyName('gone')), refusal('NOT_FOUND', /No policy is named/));
      await assert.rejects(deletePolicy(db, admin, 'Not A Name'), refusal('NOT_FOUND', /No policy is named/));
    });
  });

  describe('resolveRouting reads policies and groups', () => {
    const request = (fields: Record<string, unknown>) => approvalRequestSchema.parse({ version: 2, title: 'Pay invoice', ...fields });

    test('an unknown policy is refused, naming the field', async () => {
      const name = newPolicyName('missing');
      await assert.rejects(resolveRouting(db, request({ policy: name })), (error: unknown) => {
        assert.ok(error instanceof InvalidRoutingError);
        assert.equal(error.httpStatus, 400);
        assert.equal(error.message, `policy: no policy is named "${name}"`);
        return true;
      });
    });

    test('an unknown group is refused, naming the field', async () => {
      const ghost = `ghost-${randomBytes(3).toString('hex')}`;
      await assert.rejects(resolveRouting(db, request({ approvers: { groups: [finance, ghost] } })), (error: unknown) => {
        assert.ok(error instanceof InvalidRoutingError);
        assert.equal(error.message, `approvers.groups: no group is named "${ghost}"`);
        return true;
      });
      await assert.rejects(
        resolveRouting(db, request({ escalateTo: { groups: [ghost] } })),
        (error: unknown) => error instanceof InvalidRoutingError && error.message === `escalateTo.groups: no group is named "${ghost}"`,
      );
    });

    test('a named policy’s amount rule raises the quorum, and its approvers apply', async () => {
      const policy = await createPolicy(db, admin, input({ quorum: 1, quorumRules: [{ amountOver: 10_000, quorum: 2 }] }));
      const small = await resolveRouting(db, request({ policy: policy.name, amount: 10_000 }));
      const large = await resolveRouting(db, request({ policy: policy.name, amount: 24_000 }));
      assert.equal(small.quorum, 1);
      assert.equal(large.quorum, 2);
      assert.deepEqual(large, {
        policyName: policy.name,
        quorum: 2,
        fourEyes: true,
        approverGroups: [finance],
        approverUsers: ['cfo@example.com'],
        escalateGroups: [ops],
        escalateUsers: [],
      });
    });

    test('a change to a policy applies to the next resolution', async () => {
      const policy = await createPolicy(db, admin, input());
      await updatePolicy(db, admin, input({ name: policy.name, quorum: 3, fourEyes: false }));
      const routing = await resolveRouting(db, request({ policy: policy.name, amount: 1 }));
      assert.equal(routing.quorum, 3);
      assert.equal(routing.fourEyes, false);
    });
  });
});
