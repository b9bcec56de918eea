// Who may decide a request, resolved once when it arrives (and again at each
// re-issued window): the request's own fields combined with the policy it
// names. The rule, also in the README ("Who may decide"):
// - approvers and escalateTo: the request's own when it names anyone, else the policy's
//   (an empty `approvers: {}`, as a Go client may send, names no one: the policy's stand);
// - quorum: the highest of the request's, the policy's, and the policy's amount rules that apply;
// - four eyes: the policy's setting; on when no policy is named. A request cannot turn it off.
// A version-1 request (no routing fields) means any reviewer, one approval.
import { z } from 'zod';
import type { ApprovalRequest } from '../../contract/approval';
import { CodedError } from '../../coded-error';
import type { Db } from '../../db';

export interface Routing {
  policyName: string | null;
  quorum: number;
  fourEyes: boolean;
  approverGroups: string[];
  approverUsers: string[];
  escalateGroups: string[];
  escalateUsers: string[];
}

export const ANY_REVIEWER: Routing = {
  policyName: null,
  quorum: 1,
  fourEyes: true,
  approverGroups: [],
  approverUsers: [],
  escalateGroups: [],
  escalateUsers: [],
};

/** A policy's amount rule: requests for more than `amountOver` need `quorum` approvals. */
export const quorumRuleSchema = z.object({
  amountOver: z.number().finite().nonnegative(),
  quorum: z.number().int().min(1),
});
export type QuorumRule = z.infer<typeof quorumRuleSchema>;

/** The rules as stored (JSON); anything unreadable counts as no rule. */
export function readQuorumRules(json: unknown): QuorumRule[] {
  const parsed = z.array(quorumRuleSchema).safeParse(json);
  return parsed.success ? parsed.data : [];
}

/** A request that names what does not exist: the workflow's bug, never retried. */
export class InvalidRoutingError extends CodedError<'INVALID_ROUTING'> {
  override readonly name = 'InvalidRoutingError';
  get httpStatus(): number {
    return 400;
  }
}

/** The policy fields routing reads (a Prisma Policy row has them all). */
export interface PolicyRouting {
  name: string;
  quorum: number;
  quorumRules: unknown;
  fourEyes: boolean;
  approverGroups: string[];
  approverUsers: string[];
  escalateGroups: string[];
  escalateUsers: string[];
}

/** Pure: the routing of `request` under `policy` (already looked up by its name, or null). */
export function combineRouting(request: ApprovalRequest, policy: PolicyRouting | null): Routing {
  const own = namesAnyone(request.approvers) ? request.approvers : undefined;
  const ownEscalation = namesAnyone(request.escalateTo) ? request.escalateTo : undefined;
  const ruleQuorums = policy
    ? readQuorumRules(policy.quorumRules)
        .filter((rule) => request.amount !== undefined && request.amount > rule.amountOver)
        .map((rule) => rule.quorum)
    : [];
  return {
    policyName: policy?.name ?? null,
    quorum: Math.max(request.quorum ?? 1, policy?.quorum ?? 1, ...ruleQuorums),
    fourEyes: policy?.fourEyes ?? true,
    approverGroups: unique(own ? (own.groups ?? []) : (policy?.approverGroups ?? [])),
    approverUsers: unique(own ? (own.users ?? []) : (policy?.approverUsers ?? [])),
    escalateGroups: unique(ownEscalation ? (ownEscalation.groups ?? []) : (policy?.escalateGroups ?? [])),
    escalateUsers: unique(ownEscalation ? (ownEscalation.users ?? []) : (policy?.escalateUsers ?? [])),
  };
}

const unique = (names: string[]) => [...new Set(names)];

const namesAnyone = (list: { groups?: string[]; users?: string[] } | undefined) =>
  (list?.groups?.length ?? 0) + (list?.users?.length ?? 0) > 0;

type Reader = Pick<Db, 'group' | '$queryRaw'>;

/**
 * Looks up the policy and checks every group named exists; throws
 * InvalidRoutingError naming the field otherwise. People named by email are
 * not checked: they may be invited later (until then the request is flagged
 * when it cannot reach its quorum).
 */
export async function resolveRouting(db: Reader, request: ApprovalRequest): Promise<Routing> {
  let policy: PolicyRouting | null = null;
  if (request.policy !== undefined) {
    // FOR SHARE: a policy being deleted meanwhile either waits for this request's write, or is gone here.
    const rows = await db.$queryRaw<PolicyRouting[]>`
      SELECT name, quorum, quorum_rules AS "quorumRules", four_eyes AS "fourEyes",
        approver_groups AS "approverGroups", approver_users AS "approverUsers",
        escalate_groups AS "escalateGroups", escalate_users AS "escalateUsers"
      FROM policies WHERE name = ${request.policy} FOR SHARE`;
    policy = rows[0] ?? null;
    if (!policy) throw new InvalidRoutingError('INVALID_ROUTING', `policy: no policy is named "${request.policy}"`);
  }
  const named: [string, string[] | undefined][] = [
    ['approvers.groups', request.approvers?.groups],
    ['escalateTo.groups', request.escalateTo?.groups],
  ];
  const wanted = [...new Set(named.flatMap(([, groups]) => groups ?? []))];
  if (wanted.length) {
    const found = new Set((await db.group.findMany({ where: { name: { in: wanted } }, select: { name: true } })).map((g) => g.name));
    const problems = named.flatMap(([field, groups]) =>
      (groups ?? []).filter((g) => !found.has(g)).map((g) => `${field}: no group is named "${g}"`),
    );
    if (problems.length) throw new InvalidRoutingError('INVALID_ROUTING', problems.join('; '));
  }
  return combineRouting(request, policy);
}
