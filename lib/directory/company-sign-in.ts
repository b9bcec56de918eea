// A company sign-in (OpenID Connect) brings the directory in line with the
// provider, in one transaction: the person is found by their email or created
// (with no password), their role follows the admin groups when the provider
// manages roles, and their memberships of the managed groups follow the
// groups claim. Every change is audited, by "company sign-in", path EXTERNAL.
import type { SessionUser } from '../auth/users';
import { planMemberships, type OidcIdentity, type OidcMapping } from '../auth/oidc-claims';
import type { Db } from '../db';
import { recordDirectoryEvent, type Tx } from './audit';

/** The audit events' actor: the change came from the provider, not from an admin. */
export const COMPANY_SIGN_IN_ACTOR = 'company sign-in';

export type CompanySignInOutcome = { ok: true; user: SessionUser } | { ok: false; refusal: 'AccountDeactivated' };

const audit = (tx: Tx, action: Parameters<typeof recordDirectoryEvent>[1]['action'], details: Record<string, string | string[]>) =>
  recordDirectoryEvent(tx, { actor: COMPANY_SIGN_IN_ACTOR, action, path: 'EXTERNAL', details });

/**
 * Signs a person in from the provider's word. A deactivated person stays
 * refused, and nothing about them changes. Two sign-ins of one person at once
 * are serialised on their row, so each change is made and audited once.
 */
export async function syncCompanyUser(db: Db, identity: OidcIdentity, mapping: OidcMapping): Promise<CompanySignInOutcome> {
  return db.$transaction(async (tx) => {
    const { email } = identity;
    const created =
      (
        await tx.user.createMany({
          data: [{ email, name: identity.name, role: identity.role ?? 'REVIEWER', passwordHash: null }],
          skipDuplicates: true,
        })
      ).count === 1;
    const [user] = await tx.$queryRaw<{ id: string; name: string | null; role: SessionUser['role']; active: boolean }[]>`
      SELECT id, name, role::text AS role, active FROM users WHERE email = ${email} FOR UPDATE`;
    if (!user) throw new Error(`The user ${email} was neither found nor created.`);
    if (!user.active) return { ok: false, refusal: 'AccountDeactivated' };

    let role = user.role;
    if (identity.role !== null && identity.role !== role) {
      await tx.user.update({ where: { id: user.id }, data: { role: identity.role } });
      await audit(tx, 'ROLE_CHANGED', { email, from: role, to: identity.role });
      role = identity.role;
    }
    // A name only where Countersign has none: one an admin or the person chose stays.
    if (user.name === null && identity.name !== null) await tx.user.update({ where: { id: user.id }, data: { name: identity.name } });

    const added = await syncMemberships(tx, user.id, email, identity.groups, mapping, !created);
    if (created) await audit(tx, 'USER_CREATED', { email, role, groups: added });
    return { ok: true, user: { id: user.id, email, name: user.name ?? identity.name, role } };
  });
}

/**
 * Adds and removes memberships of the managed groups; returns the groups
 * joined. The groups read are locked FOR SHARE, so a group an admin deletes
 * meanwhile is either gone before (ignored) or deleted after (with the
 * membership). Each change is audited when `auditEach` (a new person's are in
 * their USER_CREATED event instead).
 */
async function syncMemberships(
  tx: Tx,
  userId: string,
  email: string,
  claimed: readonly string[],
  mapping: OidcMapping,
  auditEach: boolean,
): Promise<string[]> {
  const current = await tx.$queryRaw<{ name: string }[]>`
    SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ${userId}`;
  const existing = claimed.length
    ? await tx.$queryRaw<
        { id: string; name: string }[]
      >`SELECT id, name FROM groups WHERE name = ANY(${[...claimed]}) ORDER BY id FOR SHARE`
    : [];
  const plan = planMemberships({
    current: current.map((group) => group.name),
    claimed,
    existing: existing.map((group) => group.name),
    managed: mapping.managedGroups,
  });
  const added: string[] = [];
  for (const name of plan.add) {
    const group = existing.find((candidate) => candidate.name === name);
    if (!group) continue;
    const { count } = await tx.groupMember.createMany({ data: [{ groupId: group.id, userId }], skipDuplicates: true });
    if (count === 0) continue;
    added.push(name);
    if (auditEach) await audit(tx, 'MEMBER_ADDED', { group: name, email });
  }
  for (const name of plan.remove) {
    const { count } = await tx.groupMember.deleteMany({ where: { userId, group: { name } } });
    if (count > 0 && auditEach) await audit(tx, 'MEMBER_REMOVED', { group: name, email });
  }
  return added;
}
