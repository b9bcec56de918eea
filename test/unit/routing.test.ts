// How a request's own routing fields combine with the policy it names
// (lib/approvals/policy/routing.ts, combineRouting): the rule the README's
// "Who may decide" table states.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { combineRouting, readQuorumRules, type PolicyRouting } from '../../lib/approvals/policy/routing';
import { approvalRequestSchema, type ApprovalRequest } from '../../lib/contract/approval';

/** A request as the contract reads it (version 2 unless told). */
const request = (fields: Record<string, unknown> = {}): ApprovalRequest =>
  approvalRequestSchema.parse({ version: 2, title: 'Pay invoice INV-1', ...fields });

const policy = (fields: Partial<PolicyRouting> = {}): PolicyRouting => ({
  name: 'large-payments',
  quorum: 1,
  quorumRules: [],
  fourEyes: true,
  approverGroups: ['finance'],
  approverUsers: ['cfo@example.com'],
  escalateGroups: ['ops'],
  escalateUsers: [],
  ...fields,
});

describe('combineRouting', () => {
  test('a version-1 request means any reviewer, one approval, four eyes on', () => {
    const v1 = approvalRequestSchema.parse({ title: 'Old style', amount: 50_000, requester: 'a@example.com' });
    assert.deepEqual(combineRouting(v1, null), {
      policyName: null,
      quorum: 1,
      fourEyes: true,
      approverGroups: [],
      approverUsers: [],
      escalateGroups: [],
      escalateUsers: [],
    });
  });

  test('without a policy, the request’s own fields apply and four eyes is on', () => {
    const routing = combineRouting(
      request({ approvers: { groups: ['finance'] }, quorum: 2, escalateTo: { users: ['boss@example.com'] } }),
      null,
    );
    assert.deepEqual(routing, {
      policyName: null,
      quorum: 2,
      fourEyes: true,
      approverGroups: ['finance'],
      approverUsers: [],
      escalateGroups: [],
      escalateUsers: ['boss@example.com'],
    });
  });

  test('a request naming only a policy takes the policy’s approvers and escalation', () => {
    const routing = combineRouting(request({ policy: 'large-payments' }), policy());
    assert.equal(routing.policyName, 'large-payments');
    assert.deepEqual(routing.approverGroups, ['finance']);
    assert.deepEqual(routing.approverUsers, ['cfo@example.com']);
    assert.deepEqual(routing.escalateGroups, ['ops']);
    assert.deepEqual(routing.escalateUsers, []);
  });

  test('the request’s own approvers replace the policy’s, both groups and people', () => {
    const routing = combineRouting(request({ policy: 'large-payments', approvers: { users: ['alice@example.com'] } }), policy());
    assert.deepEqual(routing.approverGroups, []);
    assert.deepEqual(routing.approverUsers, ['alice@example.com']);
    // Escalation it did not give stays the policy's.
    assert.deepEqual(routing.escalateGroups, ['ops']);
  });

  test('the request’s own escalation replaces the policy’s', () => {
    const routing = combineRouting(request({ policy: 'large-payments', escalateTo: { groups: ['board'] } }), policy());
    assert.deepEqual(routing.escalateGroups, ['board']);
    assert.deepEqual(routing.escalateUsers, []);
    assert.deepEqual(routing.approverGroups, ['finance']);
  });

  test('names listed twice count once', () => {
    const routing = combineRouting(
      request({ approvers: { groups: ['finance', 'finance'], users: ['a@example.com', 'A@example.com'] } }),
      null,
    );
    assert.deepEqual(routing.approverGroups, ['finance']);
    assert.deepEqual(routing.approverUsers, ['a@example.com']);
  });

  describe('quorum: the highest of the request’s, the policy’s and the amount rules that apply', () => {
    const rules = [
      { amountOver: 10_000, quorum: 2 },
      { amountOver: 100_000, quorum: 3 },
    ];

    test('the policy’s quorum is a floor the request cannot lower', () => {
      assert.equal(combineRouting(request({ policy: 'p', quorum: 1 }), policy({ quorum: 2 })).quorum, 2);
    });

    test('the request may raise it above the policy’s', () => {
      assert.equal(combineRouting(request({ policy: 'p', quorum: 4 }), policy({ quorum: 2 })).quorum, 4);
    });

    test('an amount rule applies to amounts strictly over its threshold', () => {
      const at = (amount: number) => combineRouting(request({ policy: 'p', amount }), policy({ quorumRules: rules })).quorum;
      assert.equal(at(9_999.99), 1);
      assert.equal(at(10_000), 1, 'exactly the threshold is not over it');
      assert.equal(at(10_000.01), 2);
      assert.equal(at(100_000), 2);
      assert.equal(at(100_001), 3);
    });

    test('the highest rule that applies wins, whatever the order the rules are stored in', () => {
      const reversed = [...rules].reverse();
      assert.equal(combineRouting(request({ policy: 'p', amount: 500_000 }), policy({ quorumRules: reversed })).quorum, 3);
    });

    test('a rule never lowers the quorum below the policy’s or the request’s', () => {
      const low = [{ amountOver: 0, quorum: 1 }];
      assert.equal(combineRouting(request({ policy: 'p', amount: 50 }), policy({ quorum: 2, quorumRules: low })).quorum, 2);
      assert.equal(combineRouting(request({ policy: 'p', amount: 50, quorum: 3 }), policy({ quorumRules: low })).quorum, 3);
    });

    test('a request without an amount gets no amount rule', () => {
      assert.equal(combineRouting(request({ policy: 'p' }), policy({ quorumRules: [{ amountOver: 0, quorum: 5 }] })).quorum, 1);
    });

    test('rules that cannot be read count as none', () => {
      assert.equal(combineRouting(request({ policy: 'p', amount: 1e6 }), policy({ quorumRules: 'nonsense' })).quorum, 1);
      assert.deepEqual(readQuorumRules([{ amountOver: -1, quorum: 2 }]), []);
    });
  });

  describe('four eyes comes from the policy', () => {
    test('a policy may turn it off', () => {
      assert.equal(combineRouting(request({ policy: 'p' }), policy({ fourEyes: false })).fourEyes, false);
    });

    test('it is on without a policy, and no request field turns it off', () => {
      assert.equal(combineRouting(request({ approvers: { groups: ['finance'] } }), null).fourEyes, true);
      const sneaky = { ...request(), fourEyes: false } as ApprovalRequest;
      assert.equal(combineRouting(sneaky, null).fourEyes, true);
      assert.equal(combineRouting(sneaky, policy()).fourEyes, true);
    });
  });
});

test('an empty approvers or escalateTo (a Go client sending nulls) names no one: the policy’s people stand', () => {
  const routed = combineRouting(
    request({ version: 2, policy: 'p', approvers: {}, escalateTo: { groups: [] } }),
    policy({ approverGroups: ['finance'], escalateGroups: ['ops'] }),
  );
  assert.deepEqual(routed.approverGroups, ['finance']);
  assert.deepEqual(routed.escalateGroups, ['ops']);
});
