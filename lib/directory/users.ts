// People: admins invite them (a set-password link, never a password they
// see), change their role, deactivate and reactivate them. Two rules hold
// whatever the order of clicks: nobody changes or deactivates themselves, and
// the last active admin stays one.
import { Prisma } from '@prisma/client';
import { z } from 'zod';
import { roleSchema, type Role } from '../auth/access';
import { hashPassword } from '../auth/passwords';
import { newUserSchema, type NewUser, type SessionUser } from '../auth/users';
import type { Db } from '../db';
import { recordDirectoryEvent, requireAdmin, type Actor, type Tx } from './audit';
import { conflict, notFound } from './errors';
import { groupNameSchema, requireGroups } from './groups';
import { storeLink, userRefSchema, type IssuedLink, type UserRef } from './invites';

export const emailSchema = z
  .string({ error: 'an email address is required' })
  .trim()
  .toLowerCase()
  .min(1, 'an email address is required')
  .max(200, 'the email address must be at most 200 characters')
  .email('a valid email address is required');

const chooseRole = { error: 'choose reviewer or admin' };

export const inviteUserSchema = z.object({
  email: emailSchema,
  name: z
    .string()
    .trim()
    .max(200, 'the name must be at most 200 characters')
    .nullish()
    .transform((name) => name || null),
  role: z.enum(roleSchema.options, chooseRole),
  groups: z.array(groupNameSchema).max(100).default([]),
});
export type InviteUserInput = z.input<typeof inviteUserSchema>;

export const changeRoleSchema = z.object({ userId: userRefSchema.shape.userId, role: z.enum(roleSchema.options, chooseRole) });
export type ChangeRoleInput = z.input<typeof changeRoleSchema>;

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
const emailTaken = (email: string) => conflict(`A user with the email ${email} exists already.`);

/**
 * Creates a person with no password, in existing groups, and their first
 * link. The link's token is returned once, for the admin to pass on.
 */
export async function inviteUser(
  db: Db,
  actor: Actor,
  input: InviteUserInput,
  now = new Date(),
): Promise<IssuedLink & { id: string; email: string }> {
  requireAdmin(actor);
  const person = inviteUserSchema.parse(input);
  try {
    return await db.$transaction(async (tx) => {
      const groups = await requireGroups(tx, person.groups);
      const user = await tx.user.create({
        data: {
          email: person.email,
          name: person.name,
          role: person.role,
          passwordHash: null,
          memberships: { create: groups.map((group) => ({ groupId: group.id })) },
        },
        select: { id: true, email: true },
      });
      const link = await storeLink(tx, user.id, actor.email, now);
      await recordDirectoryEvent(tx, {
        actor: actor.email,
        action: 'USER_INVITED',
        details: {
          email: user.email,
          role: person.role,
          groups: groups.map((g) => g.name).sort(),
          expiresAt: link.expiresAt.toISOString(),
        },
      });
      return { ...user, ...link };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken(person.email);
    throw error;
  }
}

/**
 * The operator's way in (`npm run user`): a person with a password, in
 * existing groups, in one transaction. There is no signed-in actor: the
 * audit event names the script, on path EXTERNAL (outside the dashboard).
 */
export async function createUserWithGroups(
  db: Db,
  input: NewUser & { groups?: readonly string[] },
  actor = 'npm run user',
): Promise<SessionUser & { groups: string[] }> {
  const person = newUserSchema.parse(input);
  const names = z.array(groupNameSchema).parse(input.groups ?? []);
  await requireGroups(db, names);
  const passwordHash = await hashPassword(person.password);
  try {
    return await db.$transaction(async (tx) => {
      const groups = await requireGroups(tx, names);
      const user = await tx.user.create({
        data: {
          email: person.email,
          name: person.name ?? null,
          role: person.role,
          passwordHash,
          memberships: { create: groups.map((group) => ({ groupId: group.id })) },
        },
        select: { id: true, email: true, name: true, role: true },
      });
      const groupNames = groups.map((g) => g.name).sort();
      await recordDirectoryEvent(tx, {
        actor,
        action: 'USER_CREATED',
        path: 'EXTERNAL',
        details: { email: user.email, role: user.role, groups: groupNames },
      });
      return { ...user, groups: groupNames };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken(person.email);
    throw error;
  }
}

/**
 * Locks the rows of every active admin for the rest of the transaction, so
 * two admins demoting or deactivating each other at once are serialised: the
 * second sees the first's change and is refused as the last admin.
 */
async function lockActiveAdmins(tx: Tx): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE role = 'ADMIN' AND active ORDER BY id FOR UPDATE`;
  return rows.map((row) => row.id);
}

function refuseSelf(actor: Actor, userId: string, what: string): void {
  if (actor.id === userId) throw conflict(`You cannot ${what} yourself. Ask another admin.`);
}

const lastAdmin = (email: string, what: string) =>
  conflict(`${email} is the last active admin and cannot be ${what}. Make someone else an admin first.`);

export async function changeRole(db: Db, actor: Actor, input: ChangeRoleInput): Promise<{ email: string; role: Role; changed: boolean }> {
  requireAdmin(actor);
  const { userId, role } = changeRoleSchema.parse(input);
  if (actor.id === userId) throw conflict('You cannot change your own role. Ask another admin.');
  return db.$transaction(async (tx) => {
    const admins = await lockActiveAdmins(tx);
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true, role: true, active: true } });
    if (!user) throw notFound('No such user.');
    if (user.role === role) return { email: user.email, role, changed: false };
    if (user.role === 'ADMIN' && user.active && admins.filter((id) => id !== userId).length === 0) throw lastAdmin(user.email, 'demoted');
    await tx.user.update({ where: { id: userId }, data: { role } });
    await recordDirectoryEvent(tx, {
      actor: actor.email,
      action: 'ROLE_CHANGED',
      details: { email: user.email, from: user.role, to: role },
    });
    return { email: user.email, role, changed: true };
  });
}

export interface Deactivation {
  email: string;
  changed: boolean;
  /** Pending requests whose claim this released. */
  released: string[];
}

/**
 * Deactivates a person: their session ends at their next request (every
 * request reads their row), their unused links stop working, and the pending
 * requests they hold are released at once, each with its audit event.
 */
export async function deactivateUser(db: Db, actor: Actor, input: UserRef, now = new Date()): Promise<Deactivation> {
  requireAdmin(actor);
  const { userId } = userRefSchema.parse(input);
  refuseSelf(actor, userId, 'deactivate');
  return db.$transaction(async (tx) => {
    const admins = await lockActiveAdmins(tx);
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true, role: true, active: true } });
    if (!user) throw notFound('No such user.');
    if (!user.active) return { email: user.email, changed: false, released: [] };
    if (user.role === 'ADMIN' && admins.filter((id) => id !== userId).length === 0) throw lastAdmin(user.email, 'deactivated');
    await tx.user.update({ where: { id: userId }, data: { active: false, deactivatedAt: now } });
    await tx.passwordToken.updateMany({ where: { userId, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
    // Released in the database only: the pending activity's heartbeat details in
    // Temporal still name them until the next claim or decision heartbeats the
    // request (commands/claim.ts, commands/decide.ts), which rewrites them.
    const released = await tx.$queryRaw<{ id: string }[]>`
      UPDATE approval_requests SET claimed_by = NULL, claimed_at = NULL, updated_at = ${now}
      WHERE claimed_by = ${user.email} AND status = 'PENDING'
      RETURNING id::text AS id`;
    if (released.length) {
      await tx.auditEvent.createMany({
        data: released.map(({ id }) => ({
          approvalRequestId: id,
          actor: actor.email,
          action: 'RELEASED',
          path: 'DASHBOARD' as const,
          details: { from: user.email, reason: 'deactivated' },
        })),
      });
    }
    await recordDirectoryEvent(tx, {
      actor: actor.email,
      action: 'USER_DEACTIVATED',
      details: { email: user.email, releasedClaims: released.length },
    });
    return { email: user.email, changed: true, released: released.map((row) => row.id) };
  });
}

export async function reactivateUser(db: Db, actor: Actor, input: UserRef): Promise<{ email: string; changed: boolean }> {
  requireAdmin(actor);
  const { userId } = userRefSchema.parse(input);
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true } });
    if (!user) throw notFound('No such user.');
    const changed = await tx.user.updateMany({ where: { id: userId, active: false }, data: { active: true, deactivatedAt: null } });
    if (changed.count === 0) return { email: user.email, changed: false };
    await recordDirectoryEvent(tx, { actor: actor.email, action: 'USER_REACTIVATED', details: { email: user.email } });
    return { email: user.email, changed: true };
  });
}

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  active: boolean;
  deactivatedAt: Date | null;
  /** False while an invited person has not yet set a password through their link. */
  hasPassword: boolean;
  /** When their newest unused link expires, if they have one still good. */
  linkExpiresAt: Date | null;
  groups: string[];
  /** Their delegation, while it is in force. */
  away: { until: Date; delegate: string } | null;
  createdAt: Date;
}

/** Everyone, by email (admins only). */
export async function listUsers(db: Db, actor: Actor, now = new Date()): Promise<UserView[]> {
  requireAdmin(actor);
  const users = await db.user.findMany({
    orderBy: { email: 'asc' },
    take: 2000,
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      active: true,
      deactivatedAt: true,
      passwordHash: true,
      awayUntil: true,
      createdAt: true,
      delegate: { select: { email: true } },
      memberships: { select: { group: { select: { name: true } } } },
      passwordTokens: {
        where: { usedAt: null, expiresAt: { gt: now } },
        orderBy: { expiresAt: 'desc' },
        take: 1,
        select: { expiresAt: true },
      },
    },
  });
  return users.map(({ passwordHash, awayUntil, delegate, memberships, passwordTokens, ...user }) => ({
    ...user,
    hasPassword: passwordHash !== null,
    linkExpiresAt: passwordTokens[0]?.expiresAt ?? null,
    groups: memberships.map((m) => m.group.name).sort(),
    away: awayUntil && awayUntil > now && delegate ? { until: awayUntil, delegate: delegate.email } : null,
  }));
}

/** Active people, by email: whom a group or a delegation may name. */
export function listActiveUsers(db: Db): Promise<{ id: string; email: string; name: string | null }[]> {
  return db.user.findMany({
    where: { active: true },
    orderBy: { email: 'asc' },
    take: 2000,
    select: { id: true, email: true, name: true },
  });
}
