// Named policies: who may decide, as data admins manage at /admin/policies. A
// request names a policy by name (./routing.ts combines the two), so a name is
// fixed once created, and a policy a pending request names cannot be deleted.
// Every change is an audit event with no request, written with the change.
import { Prisma } from '@prisma/client';
import { z } from 'zod';
import { isAdmin, notAllowed, type Role } from '../../auth/access';
import { CodedError } from '../../coded-error';
import { NAME_MESSAGE, NAME_PATTERN, plainText, QUORUM_MAX, ROUTING_LIST_MAX } from '../../contract/approval';
import { AMOUNT_MAX } from '../../contract/limits';
import type { Db } from '../../db';
import { readQuorumRules, type QuorumRule } from './routing';
import { formatAmountOver } from './words';

export type PolicyErrorCode = 'INVALID' | 'NOT_FOUND' | 'CONFLICT';

const HTTP_STATUS: Record<PolicyErrorCode, number> = { INVALID: 400, NOT_FOUND: 404, CONFLICT: 409 };

/** A refused policy change; `field` names the form field at fault, when one is. */
export class PolicyError extends CodedError<PolicyErrorCode> {
  override readonly name = 'PolicyError';

  constructor(
    code: PolicyErrorCode,
    message: string,
    readonly field?: keyof PolicyInput,
  ) {
    super(code, message);
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

/** Who changes policies: their email is the audit event's actor. */
export interface PolicyAdmin {
  email: string;
  role: Role;
}

export const DESCRIPTION_MAX = 500;
/** Amount rules one policy may hold. */
export const QUORUM_RULES_MAX = 10;
/** Rule rows a form may send (blank rows are dropped; more than QUORUM_RULES_MAX filled ones are refused). */
const RULE_ROWS_READ = 20;

const APPROVALS_RULE = `must be a whole number from 1 to ${QUORUM_MAX}`;

/** A form's text as a number: blank is undefined (missing), anything else NaN unless it reads as one ("10,000" does). */
function toNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().replace(/[,_\s]/g, '');
  return text === '' ? undefined : Number(text);
}

const isBlank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** A list of names or emails, given as an array or as text separated by commas, semicolons or new lines. */
function toList(value: unknown): unknown {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'string') return value;
  return value
    .split(/[\s,;]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

const unique = <T>(items: T[]) => [...new Set(items)];

const groupsSchema = z.preprocess(
  toList,
  z
    .array(z.string())
    .max(ROUTING_LIST_MAX, `at most ${ROUTING_LIST_MAX} groups`)
    .transform(unique)
    .superRefine((names, ctx) => {
      const bad = names.find((name) => !NAME_PATTERN.test(name));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `“${bad}” is not a group name: a group name ${NAME_MESSAGE}` });
    }),
);

const EMAIL_MAX = 200;
const emailSchema = z.email().max(EMAIL_MAX);

const usersSchema = z.preprocess(
  toList,
  z
    .array(z.string())
    .max(ROUTING_LIST_MAX, `at most ${ROUTING_LIST_MAX} people`)
    .transform((emails) => unique(emails.map((email) => email.trim().toLowerCase())))
    .superRefine((emails, ctx) => {
      const bad = emails.find((email) => !emailSchema.safeParse(email).success);
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `“${bad.slice(0, 60)}” is not an email address` });
    }),
);

const quorumSchema = z.preprocess(
  toNumber,
  z
    .number({ error: (issue) => (issue.input === undefined ? `give a number of approvals from 1 to ${QUORUM_MAX}` : APPROVALS_RULE) })
    .int(APPROVALS_RULE)
    .min(1, APPROVALS_RULE)
    .max(QUORUM_MAX, APPROVALS_RULE),
);

/**
 * Amount rules as rows "over [amount] → [n] approvals": rows with neither are
 * dropped; a problem names its row (1-based, as the form shows them). Stored
 * lowest threshold first.
 */
const quorumRulesSchema = z
  .array(z.object({ amountOver: z.unknown(), quorum: z.unknown() }), { error: 'the amount rules are not a list' })
  .max(RULE_ROWS_READ, `at most ${QUORUM_RULES_MAX} amount rules`)
  .default([])
  .transform((rows, ctx): QuorumRule[] => {
    const rules: QuorumRule[] = [];
    const problem = (row: number, message: string) => ctx.addIssue({ code: 'custom', message: `rule ${row + 1}: ${message}` });
    rows.forEach((row, i) => {
      if (isBlank(row.amountOver) && isBlank(row.quorum)) return;
      const amountOver = toNumber(row.amountOver);
      const quorum = toNumber(row.quorum);
      if (amountOver === undefined) return problem(i, 'give the amount it applies over, such as 10000');
      if (typeof amountOver !== 'number' || !Number.isFinite(amountOver)) return problem(i, 'the amount must be a number, such as 10000');
      if (amountOver < 0) return problem(i, 'the amount must be 0 or more');
      if (amountOver > AMOUNT_MAX) return problem(i, 'the amount must be at most 1e15');
      if (quorum === undefined) return problem(i, 'give the number of approvals it needs');
      if (typeof quorum !== 'number' || !Number.isInteger(quorum) || quorum < 1 || quorum > QUORUM_MAX) {
        return problem(i, `approvals ${APPROVALS_RULE}`);
      }
      const same = rules.find((rule) => rule.amountOver === amountOver);
      if (same) return problem(i, `there is already a rule for amounts over ${formatAmountOver(amountOver)}: one rule per amount`);
      rules.push({ amountOver, quorum });
    });
    if (rules.length > QUORUM_RULES_MAX) {
      ctx.addIssue({ code: 'custom', message: `at most ${QUORUM_RULES_MAX} amount rules, not ${rules.length}` });
    }
    return rules.sort((a, b) => a.amountOver - b.amountOver);
  });

/**
 * A policy as a form or a caller sends it. Lists may be arrays or text
 * (commas or new lines); numbers may be text. Four eyes is on unless told.
 */
export const policyInputSchema = z.object({
  name: z.string({ error: 'a name is required' }).trim().regex(NAME_PATTERN, `the name ${NAME_MESSAGE}`),
  description: z.preprocess(
    (value) => (isBlank(value) ? null : value),
    plainText('the description').trim().max(DESCRIPTION_MAX, `the description must be at most ${DESCRIPTION_MAX} characters`).nullable(),
  ),
  approverGroups: groupsSchema,
  approverUsers: usersSchema,
  quorum: quorumSchema,
  quorumRules: quorumRulesSchema,
  fourEyes: z.boolean().default(true),
  escalateGroups: groupsSchema,
  escalateUsers: usersSchema,
});
export type PolicyInput = z.input<typeof policyInputSchema>;
export type PolicyFields = z.output<typeof policyInputSchema>;

/** What the policy form sends, as text: read back into the form when it is refused. */
export interface PolicyFormValues {
  name?: string;
  description?: string;
  approverGroups: string[];
  approverUsers?: string;
  quorum?: string;
  quorumRules: { amountOver: string; quorum: string }[];
  fourEyes: boolean;
  escalateGroups: string[];
  escalateUsers?: string;
}

/**
 * The policy form's fields: groups are checkboxes (one entry each), rules are
 * rows `quorumRules.<i>.amountOver` and `quorumRules.<i>.quorum`, four eyes a
 * checkbox. A field the form never sent stays undefined, so the action says so.
 */
export function readPolicyForm(formData: FormData): PolicyFormValues {
  const text = (key: string) => {
    const value = formData.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  const all = (key: string) => formData.getAll(key).filter((value): value is string => typeof value === 'string');
  const rows: { amountOver: string; quorum: string }[] = [];
  for (let i = 0; i < RULE_ROWS_READ; i++) {
    const amountOver = formData.get(`quorumRules.${i}.amountOver`);
    const quorum = formData.get(`quorumRules.${i}.quorum`);
    if (amountOver === null && quorum === null) break;
    rows.push({ amountOver: typeof amountOver === 'string' ? amountOver : '', quorum: typeof quorum === 'string' ? quorum : '' });
  }
  return {
    name: text('name'),
    description: text('description'),
    approverGroups: all('approverGroups'),
    approverUsers: text('approverUsers'),
    quorum: text('quorum'),
    quorumRules: rows,
    fourEyes: formData.get('fourEyes') === 'on',
    escalateGroups: all('escalateGroups'),
    escalateUsers: text('escalateUsers'),
  };
}

export interface PolicyView {
  name: string;
  description: string | null;
  approverGroups: string[];
  approverUsers: string[];
  quorum: number;
  quorumRules: QuorumRule[];
  fourEyes: boolean;
  escalateGroups: string[];
  escalateUsers: string[];
  createdAt: Date;
  updatedAt: Date;
}

const POLICY_SELECT = {
  name: true,
  description: true,
  approverGroups: true,
  approverUsers: true,
  quorum: true,
  quorumRules: true,
  fourEyes: true,
  escalateGroups: true,
  escalateUsers: true,
  createdAt: true,
  updatedAt: true,
} as const;

type PolicyRow = Omit<PolicyView, 'quorumRules'> & { quorumRules: unknown };

const toView = (row: PolicyRow): PolicyView => ({ ...row, quorumRules: readQuorumRules(row.quorumRules) });

/** Every policy by name, with how many pending requests name it. */
export async function listPolicies(db: Db): Promise<(PolicyView & { pendingRequests: number })[]> {
  const [rows, pending] = await Promise.all([
    db.policy.findMany({ orderBy: { name: 'asc' }, select: POLICY_SELECT }),
    db.approvalRequest.groupBy({ by: ['policyName'], where: { status: 'PENDING', policyName: { not: null } }, _count: { _all: true } }),
  ]);
  const counts = new Map(pending.map((group) => [group.policyName, group._count._all]));
  return rows.map((row) => ({ ...toView(row), pendingRequests: counts.get(row.name) ?? 0 }));
}

/** One policy by name; null when there is none. */
export async function getPolicy(db: Db, name: string): Promise<PolicyView | null> {
  if (!NAME_PATTERN.test(name)) return null;
  const row = await db.policy.findUnique({ where: { name }, select: POLICY_SELECT });
  return row ? toView(row) : null;
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

function requireAdmin(admin: PolicyAdmin): void {
  if (!isAdmin(admin)) throw notAllowed();
}

function parse(input: PolicyInput): PolicyFields {
  const parsed = policyInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  throw new PolicyError(
    'INVALID',
    `${typeof field === 'string' ? `${field}: ` : ''}${issue?.message ?? 'invalid policy'}`,
    typeof field === 'string' ? (field as keyof PolicyInput) : undefined,
  );
}

/**
 * Refuses groups that do not exist, naming them. The rows are locked FOR SHARE
 * until the change commits: a group being deleted meanwhile (lib/directory
 * locks it FOR UPDATE, then checks the policies naming it) either waits and
 * then sees this policy, or goes first and is not found here.
 */
async function requireGroups(tx: Tx, policy: PolicyFields): Promise<void> {
  const wanted = unique([...policy.approverGroups, ...policy.escalateGroups]);
  if (wanted.length === 0) return;
  const found = await tx.$queryRaw<{ name: string }[]>`SELECT name FROM groups WHERE name = ANY(CAST(${wanted} AS text[])) FOR SHARE`;
  const names = new Set(found.map((row) => row.name));
  for (const field of ['approverGroups', 'escalateGroups'] as const) {
    const missing = policy[field].filter((name) => !names.has(name));
    if (missing.length) {
      const list = missing.map((name) => `“${name}”`).join(', ');
      throw new PolicyError('INVALID', `No group is named ${list}. Create ${missing.length === 1 ? 'it' : 'them'} first.`, field);
    }
  }
}

/** The audit event's details: every field of the policy as it now is. */
const details = (policy: PolicyFields, extra: Record<string, Prisma.InputJsonValue> = {}): Prisma.InputJsonObject => ({
  policy: policy.name,
  description: policy.description,
  approverGroups: policy.approverGroups,
  approverUsers: policy.approverUsers,
  quorum: policy.quorum,
  quorumRules: policy.quorumRules,
  fourEyes: policy.fourEyes,
  escalateGroups: policy.escalateGroups,
  escalateUsers: policy.escalateUsers,
  ...extra,
});

type PolicyAction = 'POLICY_CREATED' | 'POLICY_UPDATED' | 'POLICY_DELETED';

function audit(tx: Tx, admin: PolicyAdmin, action: PolicyAction, data: Prisma.InputJsonObject) {
  return tx.auditEvent.create({ data: { approvalRequestId: null, actor: admin.email, action, path: 'DASHBOARD', details: data } });
}

const notFound = (name: string) => new PolicyError('NOT_FOUND', `No policy is named ${name}. It may have been deleted.`);

const fieldsOf = (policy: PolicyFields) => ({
  description: policy.description,
  approverGroups: policy.approverGroups,
  approverUsers: policy.approverUsers,
  quorum: policy.quorum,
  quorumRules: policy.quorumRules,
  fourEyes: policy.fourEyes,
  escalateGroups: policy.escalateGroups,
  escalateUsers: policy.escalateUsers,
});

export async function createPolicy(db: Db, admin: PolicyAdmin, input: PolicyInput): Promise<PolicyView> {
  requireAdmin(admin);
  const policy = parse(input);
  try {
    return await db.$transaction(async (tx) => {
      await requireGroups(tx, policy);
      const created = await tx.policy.create({ data: { name: policy.name, ...fieldsOf(policy) }, select: POLICY_SELECT });
      await audit(tx, admin, 'POLICY_CREATED', details(policy));
      return toView(created);
    });
  } catch (error) {
    // Two admins creating one name: the unique index lets one through.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new PolicyError('CONFLICT', `A policy named ${policy.name} exists already. Edit it, or choose another name.`, 'name');
    }
    throw error;
  }
}

type FieldName = keyof ReturnType<typeof fieldsOf>;

/** Changes every field but the name (requests refer to it); `changed` lists the fields that differ, none: nothing written. */
export async function updatePolicy(db: Db, admin: PolicyAdmin, input: PolicyInput): Promise<{ policy: PolicyView; changed: FieldName[] }> {
  requireAdmin(admin);
  const policy = parse(input);
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM policies WHERE name = ${policy.name} FOR UPDATE`;
    if (!locked[0]) throw notFound(policy.name);
    const before = await tx.policy.findUniqueOrThrow({ where: { name: policy.name }, select: POLICY_SELECT });
    const after = fieldsOf(policy);
    const previous: Record<FieldName, unknown> = { ...before, quorumRules: readQuorumRules(before.quorumRules) };
    const changed = (Object.keys(after) as FieldName[]).filter((field) => JSON.stringify(after[field]) !== JSON.stringify(previous[field]));
    if (changed.length === 0) return { policy: toView(before), changed };
    await requireGroups(tx, policy);
    const updated = await tx.policy.update({ where: { name: policy.name }, data: after, select: POLICY_SELECT });
    await audit(tx, admin, 'POLICY_UPDATED', details(policy, { changed }));
    return { policy: toView(updated), changed };
  });
}

/** Deletes a policy no pending request names; requests that name it later are refused (InvalidRoutingError). */
export async function deletePolicy(db: Db, admin: PolicyAdmin, name: string): Promise<PolicyView> {
  requireAdmin(admin);
  if (!NAME_PATTERN.test(name)) throw notFound(name);
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM policies WHERE name = ${name} FOR UPDATE`;
    if (!locked[0]) throw notFound(name);
    const pending = await tx.approvalRequest.count({ where: { status: 'PENDING', policyName: name } });
    if (pending > 0) {
      const requests = pending === 1 ? '1 pending request names it' : `${pending} pending requests name it`;
      throw new PolicyError(
        'CONFLICT',
        `${name} cannot be deleted: ${requests}. Wait for ${pending === 1 ? 'it' : 'them'} to close first.`,
      );
    }
    const deleted = await tx.policy.delete({ where: { name }, select: POLICY_SELECT });
    const view = toView(deleted);
    await audit(tx, admin, 'POLICY_DELETED', details(view));
    return view;
  });
}

/** The policy as its form shows it: lists one per line, numbers as text. */
export function policyFormValues(policy: PolicyView): PolicyFormValues {
  return {
    name: policy.name,
    description: policy.description ?? '',
    approverGroups: policy.approverGroups,
    approverUsers: policy.approverUsers.join('\n'),
    quorum: String(policy.quorum),
    quorumRules: policy.quorumRules.map((rule) => ({ amountOver: String(rule.amountOver), quorum: String(rule.quorum) })),
    fourEyes: policy.fourEyes,
    escalateGroups: policy.escalateGroups,
    escalateUsers: policy.escalateUsers.join('\n'),
  };
}
