// Who may decide, in plain sentences: a named policy (the admin's list) and a
// request's resolved routing (the request page, the inbox). Pure: client
// components use it too.
import { isAnyReviewer, isEscalated } from './eligibility';
import { readQuorumRules, type PolicyRouting, type QuorumRule, type Routing } from './routing';

type Names = Pick<Routing, 'approverGroups' | 'approverUsers'>;

/** "finance (group)", "alice@example.com". */
const named = (groups: readonly string[], users: readonly string[]) => [...groups.map((g) => `${g} (group)`), ...users];

/** "a", "a or b", "a, b or c". */
function listed(items: readonly string[], last: 'or' | 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

/** 10000 → "10,000"; cents only when there are some. */
export const formatAmountOver = (amount: number) => amount.toLocaleString('en-US', { maximumFractionDigits: 2 });

/**
 * The amount rules that change anything, lowest threshold first: a rule whose
 * quorum is not above the base quorum and every lower threshold's quorum never
 * wins (the highest quorum that applies does).
 */
export function effectiveRules(quorum: number, rules: readonly QuorumRule[]): QuorumRule[] {
  let floor = quorum;
  const effective: QuorumRule[] = [];
  for (const rule of [...rules].sort((a, b) => a.amountOver - b.amountOver)) {
    if (rule.quorum <= floor) continue;
    effective.push(rule);
    floor = rule.quorum;
  }
  return effective;
}

/** "Any 1 of finance (group) or alice@example.com", "Any reviewer", "Any 2 reviewers". */
function whoOf(names: Names, quorum: number): string {
  if (isAnyReviewer(names)) return quorum === 1 ? 'Any reviewer' : `Any ${quorum} reviewers`;
  return `Any ${quorum} of ${listed(named(names.approverGroups, names.approverUsers), 'or')}`;
}

/** "; 2 when the amount is over 10,000, 3 when it is over 100,000" */
function rulesClause(rules: readonly QuorumRule[]): string {
  if (rules.length === 0) return '';
  const [first, ...rest] = rules.map((rule) => [rule.quorum, formatAmountOver(rule.amountOver)] as const);
  if (!first) return '';
  return `; ${first[0]} when the amount is over ${first[1]}${rest.map(([n, over]) => `, ${n} when it is over ${over}`).join('')}`;
}

/** The policy fields its description reads: a Policy row, or a policy view. */
export type DescribablePolicy = Omit<PolicyRouting, 'name'>;

/**
 * A policy in words: "Any 1 of finance (group) or alice@example.com; 2 when
 * the amount is over 10,000. The requester may not approve their own request.
 * From the second window, ops (group) may decide too."
 */
export function describePolicy(policy: DescribablePolicy): string {
  const rules = effectiveRules(policy.quorum, readQuorumRules(policy.quorumRules));
  const sentences = [
    `${whoOf(policy, policy.quorum)}${rulesClause(rules)}.`,
    policy.fourEyes
      ? 'The requester may not approve their own request.'
      : 'The requester may approve their own request (four eyes is off).',
  ];
  const later = named(policy.escalateGroups, policy.escalateUsers);
  if (later.length) sentences.push(`From the second window, ${listed(later, 'and')} may decide too.`);
  return sentences.join(' ');
}

/**
 * A request's resolved routing in words: "Needs 2 distinct approvals from
 * finance (group). Four eyes: the requester may not approve. Escalates to ops
 * (group) from the second window (escalated now)."
 */
export function describeRouting(routing: Routing & { attempt: number }): string {
  const { quorum } = routing;
  const needs = quorum === 1 ? 'Needs 1 approval' : `Needs ${quorum} distinct approvals`;
  const from = isAnyReviewer(routing)
    ? quorum === 1
      ? 'any reviewer'
      : 'any reviewers'
    : listed(named(routing.approverGroups, routing.approverUsers), 'or');
  const sentences = [
    `${needs} from ${from}.`,
    routing.fourEyes ? 'Four eyes: the requester may not approve.' : 'Four eyes is off: the requester may approve too.',
  ];
  const later = named(routing.escalateGroups, routing.escalateUsers);
  if (later.length) {
    sentences.push(`Escalates to ${listed(later, 'and')} from the second window${isEscalated(routing) ? ' (escalated now)' : ''}.`);
  }
  return sentences.join(' ');
}
