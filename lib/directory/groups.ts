// Groups: named sets of people that policies and requests route to by name.
// A group is never renamed (requests keep the name they were routed with), and
// it cannot be deleted while a policy or a pending request still names it.
import { Prisma } from '@prisma/client';
import { z } from 'zod';
import type { Db } from '../db';
import { recordDirectoryEvent, requireAdmin, type Actor, type Tx } from './audit';
import { conflict, listInWords, notFound } from './errors';

export const GROUP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const GROUP_NAME_RULE = 'a group name is 1–63 lowercase letters, digits and dashes, starting with a letter or digit';

export const groupNameSchema = z.string({ error: 'a group name is required' }).trim().regex(GROUP_NAME, GROUP_NAME_RULE);

export const newGroupSchema = z.object({
  name: groupNameSchema,
  description: z
    .string()
    .trim()
    .max(300, 'the description must be at most 300 characters')
    .nullish()
    .transform((text) => text || null),
});
export type NewGroup = z.input<typeof newGroupSchema>;

export const groupRefSchema = z.object({ group: groupNameSchema });
export type GroupRef = z.input<typeof groupRefSchema>;

export const memberSchema = z.object({
  group: groupNameSchema,
  email: z.string({ error: 'choose a person' }).trim().toLowerCase().min(1, 'choose a person').max(200).email('choose a person'),
});
export type MemberInput = z.input<typeof memberSchema>;

export interface GroupMemberView {
  email: string;
  name: string | null;
  active: boolean;
}

export interface GroupView {
  name: string;
  description: string | null;
  createdAt: Date;
  members: GroupMemberView[];
}

/** Every group with its members, by name (admins only). */
export async function listGroups(db: Db, actor: Actor): Promise<GroupView[]> {
  requireAdmin(actor);
  const groups = await db.group.findMany({
    orderBy: { name: 'asc' },
    select: {
      name: true,
      description: true,
      createdAt: true,
      members: { select: { user: { select: { email: true, name: true, active: true } } }, orderBy: { user: { email: 'asc' } } },
    },
  });
  return groups.map((group) => ({ ...group, members: group.members.map((m) => m.user) }));
}

/** The names of every group, for forms that choose among them. */
export async function listGroupNames(db: Db): Promise<string[]> {
  const groups = await db.group.findMany({ orderBy: { name: 'asc' }, select: { name: true } });
  return groups.map((group) => group.name);
}

/** Refuses the names that are not groups, naming them all. */
export async function requireGroups(db: Db | Tx, names: readonly string[]): Promise<{ id: string; name: string }[]> {
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return [];
  const found = await db.group.findMany({ where: { name: { in: wanted } }, select: { id: true, name: true } });
  const missing = wanted.filter((name) => !found.some((group) => group.name === name));
  if (missing.length) throw notFound(`No group is called ${listInWords(missing)}. Create ${missing.length === 1 ? 'it' : 'them'} first.`);
  return found;
}

export async function createGroup(db: Db, actor: Actor, input: NewGroup): Promise<GroupView> {
  requireAdmin(actor);
  const group = newGroupSchema.parse(input);
  try {
    return await db.$transaction(async (tx) => {
      const created = await tx.group.create({ data: group, select: { name: true, description: true, createdAt: true } });
      await recordDirectoryEvent(tx, {
        actor: actor.email,
        action: 'GROUP_CREATED',
        details: { group: group.name, description: group.description },
      });
      return { ...created, members: [] };
    });
  } catch (error) {
    // Two admins creating one name: the unique index lets one through (under the driver adapter P2002 has no target).
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw conflict(`A group called ${group.name} exists already.`);
    }
    throw error;
  }
}

/** What still names a group: policies (as approvers or for escalation) and pending requests. */
export async function groupReferences(
  db: Db | Tx,
  name: string,
): Promise<{ policies: string[]; pendingRequests: { id: string; title: string }[] }> {
  const [policies, pendingRequests] = await Promise.all([
    db.policy.findMany({
      where: { OR: [{ approverGroups: { has: name } }, { escalateGroups: { has: name } }] },
      orderBy: { name: 'asc' },
      select: { name: true },
    }),
    db.approvalRequest.findMany({
      where: { status: 'PENDING', OR: [{ approverGroups: { has: name } }, { escalateGroups: { has: name } }] },
      orderBy: { deadline: 'asc' },
      select: { id: true, title: true },
    }),
  ]);
  return { policies: policies.map((p) => p.name), pendingRequests };
}

const SHOWN = 3;

function describeReferences(name: string, refs: Awaited<ReturnType<typeof groupReferences>>): string {
  const parts: string[] = [];
  if (refs.policies.length) parts.push(`${refs.policies.length === 1 ? 'policy' : 'policies'} ${listInWords(refs.policies)}`);
  const pending = refs.pendingRequests;
  if (pending.length) {
    const titles = pending.slice(0, SHOWN).map((r) => `“${r.title}”`);
    if (pending.length > SHOWN) titles.push(`${pending.length - SHOWN} more`);
    parts.push(`${pending.length === 1 ? 'the pending request' : `${pending.length} pending requests`} ${listInWords(titles)}`);
  }
  return `${name} cannot be deleted: it is used by ${listInWords(parts)}. Change those policies, or wait for those requests to close, first.`;
}

/** Deletes a group nothing names any more; its memberships go with it. */
export async function deleteGroup(db: Db, actor: Actor, input: GroupRef): Promise<{ name: string; members: number }> {
  requireAdmin(actor);
  const { group: name } = groupRefSchema.parse(input);
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM groups WHERE name = ${name} FOR UPDATE`;
    const group = locked[0];
    if (!group) throw notFound(`No group is called ${name}.`);
    const refs = await groupReferences(tx, name);
    if (refs.policies.length || refs.pendingRequests.length) throw conflict(describeReferences(name, refs));
    const members = await tx.groupMember.count({ where: { groupId: group.id } });
    await tx.group.delete({ where: { id: group.id } });
    await recordDirectoryEvent(tx, { actor: actor.email, action: 'GROUP_DELETED', details: { group: name, members } });
    return { name, members };
  });
}

/** Adds an active person to a group; `changed` is false when they were in it already. */
export async function addMember(db: Db, actor: Actor, input: MemberInput): Promise<{ changed: boolean }> {
  requireAdmin(actor);
  const { group: name, email } = memberSchema.parse(input);
  return db.$transaction(async (tx) => {
    const group = await tx.group.findUnique({ where: { name }, select: { id: true } });
    if (!group) throw notFound(`No group is called ${name}.`);
    const user = await tx.user.findUnique({ where: { email }, select: { id: true, active: true } });
    if (!user) throw notFound(`Nobody has the email ${email}.`);
    if (!user.active) throw conflict(`${email} is deactivated: reactivate them first.`);
    const added = await tx.groupMember.createMany({ data: [{ groupId: group.id, userId: user.id }], skipDuplicates: true });
    if (added.count === 0) return { changed: false };
    await recordDirectoryEvent(tx, { actor: actor.email, action: 'MEMBER_ADDED', details: { group: name, email } });
    return { changed: true };
  });
}

/** Takes a person out of a group; `changed` is false when they were not in it. */
export async function removeMember(db: Db, actor: Actor, input: MemberInput): Promise<{ changed: boolean }> {
  requireAdmin(actor);
  const { group: name, email } = memberSchema.parse(input);
  return db.$transaction(async (tx) => {
    const group = await tx.group.findUnique({ where: { name }, select: { id: true } });
    if (!group) throw notFound(`No group is called ${name}.`);
    const removed = await tx.groupMember.deleteMany({ where: { groupId: group.id, user: { email } } });
    if (removed.count === 0) return { changed: false };
    await recordDirectoryEvent(tx, { actor: actor.email, action: 'MEMBER_REMOVED', details: { group: name, email } });
    return { changed: true };
  });
}
