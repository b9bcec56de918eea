// Who may decide, in words (lib/approvals/policy/words.ts): a named policy on
// the admin's list, and a request's resolved routing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Routing } from '../../lib/approvals/policy/routing';
import {
  describePolicy,
  describeRouting,
  effectiveRules,
  formatAmountOver,
  type DescribablePolicy,
} from '../../lib/approvals/policy/words';

const policy = (fields: Partial<DescribablePolicy> = {}): DescribablePolicy => ({
  quorum: 1,
  quorumRules: [],
  fourEyes: true,
  approverGroups: [],
  approverUsers: [],
  escalateGroups: [],
  escalateUsers: [],
  ...fields,
});

const routing = (fields: Partial<Routing & { attempt: number }> = {}): Routing & { attempt: number } => ({
  policyName: null,
  quorum: 1,
  fourEyes: true,
  approverGroups: [],
  approverUsers: [],
  escalateGroups: [],
  escalateUsers: [],
  attempt: 1,
  ...fields,
});

describe('describePolicy', () => {
  test('groups and people, an amount rule, four eyes and escalation', () => {
    const words = describePolicy(
      policy({
        approverGroups: ['finance'],
        approverUsers: ['alice@example.com'],
        quorumRules: [{ amountOver: 10_000, quorum: 2 }],
        escalateGroups: ['ops'],
      }),
    );
    assert.equal(
      words,
      'Any 1 of finance (group) or alice@example.com; 2 when the amount is over 10,000. ' +
        'The requester may not approve their own request. From the second window, ops (group) may decide too.',
    );
  });

  test('no approvers means any reviewer', () => {
    assert.equal(describePolicy(policy()), 'Any reviewer. The requester may not approve their own request.');
    assert.match(describePolicy(policy({ quorum: 2 })), /^Any 2 reviewers\./);
  });

  test('three names read as a list', () => {
    const words = describePolicy(policy({ quorum: 2, approverGroups: ['finance', 'legal'], approverUsers: ['cfo@example.com'] }));
    assert.match(words, /^Any 2 of finance \(group\), legal \(group\) or cfo@example\.com\./);
  });

  test('four eyes off is said so', () => {
    assert.match(describePolicy(policy({ fourEyes: false })), /The requester may approve their own request \(four eyes is off\)\./);
  });

  test('several rules, lowest first, and escalation to groups and people', () => {
    const words = describePolicy(
      policy({
        approverGroups: ['finance'],
        quorumRules: [
          { amountOver: 1_000_000, quorum: 3 },
          { amountOver: 10_000.5, quorum: 2 },
        ],
        escalateGroups: ['ops'],
        escalateUsers: ['boss@example.com'],
      }),
    );
    assert.match(words, /; 2 when the amount is over 10,000\.5, 3 when it is over 1,000,000\./);
    assert.match(words, /From the second window, ops \(group\) and boss@example\.com may decide too\.$/);
  });

  test('a rule that can never win is left out', () => {
    const words = describePolicy(policy({ quorum: 2, quorumRules: [{ amountOver: 500, quorum: 2 }] }));
    assert.equal(words, 'Any 2 reviewers. The requester may not approve their own request.');
  });

  test('reads the rules as stored (JSON); unreadable ones are none', () => {
    assert.equal(describePolicy(policy({ quorumRules: 'garbage' })), 'Any reviewer. The requester may not approve their own request.');
  });
});

describe('effectiveRules', () => {
  test('keeps the rules that raise the quorum, lowest threshold first', () => {
    const rules = [
      { amountOver: 50_000, quorum: 2 },
      { amountOver: 10_000, quorum: 3 },
      { amountOver: 100_000, quorum: 4 },
      { amountOver: 0, quorum: 1 },
    ];
    assert.deepEqual(effectiveRules(1, rules), [
      { amountOver: 10_000, quorum: 3 },
      { amountOver: 100_000, quorum: 4 },
    ]);
  });
});

describe('formatAmountOver', () => {
  test('groups thousands and keeps cents only when there are some', () => {
    assert.equal(formatAmountOver(10_000), '10,000');
    assert.equal(formatAmountOver(0), '0');
    assert.equal(formatAmountOver(1234.5), '1,234.5');
  });
});

describe('describeRouting', () => {
  test('a quorum from a group, four eyes, escalated now', () => {
    assert.equal(
      describeRouting(routing({ quorum: 2, approverGroups: ['finance'], escalateGroups: ['ops'], attempt: 2 })),
      'Needs 2 distinct approvals from finance (group). Four eyes: the requester may not approve. ' +
        'Escalates to ops (group) from the second window (escalated now).',
    );
  });

  test('in the first window it is not escalated yet', () => {
    const words = describeRouting(routing({ approverUsers: ['alice@example.com'], escalateUsers: ['boss@example.com'] }));
    assert.equal(
      words,
      'Needs 1 approval from alice@example.com. Four eyes: the requester may not approve. Escalates to boss@example.com from the second window.',
    );
  });

  test('any reviewer, no escalation', () => {
    assert.equal(describeRouting(routing()), 'Needs 1 approval from any reviewer. Four eyes: the requester may not approve.');
    assert.match(describeRouting(routing({ quorum: 3 })), /^Needs 3 distinct approvals from any reviewers\./);
  });

  test('four eyes off', () => {
    assert.match(describeRouting(routing({ fourEyes: false })), /Four eyes is off: the requester may approve too\./);
  });

  test('groups and people together', () => {
    assert.match(
      describeRouting(routing({ approverGroups: ['finance', 'legal'], approverUsers: ['cfo@example.com'] })),
      /^Needs 1 approval from finance \(group\), legal \(group\) or cfo@example\.com\./,
    );
  });
});
