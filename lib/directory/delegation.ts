// Delegation: "away until T, my requests go to U". While now < away_until the
// delegate may decide in the delegator's place (lib/approvals reads it through
// ./people.ts). Nobody delegates to themselves, to someone inactive, or into a
// loop (U, or whoever U delegates to, delegating back to me).
import { z } from 'zod';
import type { Db } from '../db';
import { formatTimestamp } from '../format';
import { recordDirectoryEvent, type Actor, type Tx } from './audit';
import { conflict, invalid, notFound } from './errors';

const CHOOSE_DELEGATE = 'choose who decides for you';

export const setDelegationSchema = z.object({
  // The browser sends the chosen local time as an ISO instant, with its zone (Z or an offset).
  awayUntil: z.iso.datetime({ offset: true, error: 'choose the date and time you are back' }),
  delegate: z
    .string({ error: CHOOSE_DELEGATE })
    .trim()
    .toLowerCase()
    .min(1, CHOOSE_DELEGATE)
    .max(200, CHOOSE_DELEGATE)
    .email(CHOOSE_DELEGATE),
});
export type SetDelegationInput = z.input<typeof setDelegationSchema>;

/** A year ahead of `now`, by the calendar. */
export function latestAwayUntil(now: Date): Date {
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + 1);
  return latest;
}

/** How far a chain of delegations is followed looking for a loop; longer chains than this are refused too. */
const MAX_CHAIN = 20;

/** Does following delegations in force from `startId` lead back to `targetId`? */
async function leadsBackTo(tx: Tx, startId: string, targetId: string, now: Date): Promise<boolean> {
  const rows = await tx.$queryRaw<{ found: boolean }[]>`
    WITH RECURSIVE chain(id, depth) AS (
      SELECT ${startId}::text, 0
      UNION
      SELECT u.delegate_id, c.depth + 1 FROM chain c JOIN users u ON u.id = c.id
      WHERE u.delegate_id IS NOT NULL AND u.away_until > ${now} AND u.active AND c.depth < ${MAX_CHAIN}
    )
    SELECT EXISTS (SELECT 1 FROM chain WHERE id = ${targetId}) AS found`;
  return rows[0]?.found ?? false;
}

export interface Delegation {
  delegate: string;
  awayUntil: Date;
}

export async function setDelegation(db: Db, actor: Actor, input: SetDelegationInput, now = new Date()): Promise<Delegation> {
  const parsed = setDelegationSchema.parse(input);
  const awayUntil = new Date(parsed.awayUntil);
  if (awayUntil <= now) throw invalid('Choose a time in the future for when you are back.');
  if (awayUntil > latestAwayUntil(now)) throw invalid('Choose a time at most a year from now.');
  if (parsed.delegate === actor.email) throw invalid('You cannot delegate to yourself: choose someone else.');
  return db.$transaction(async (tx) => {
    const delegate = await tx.user.findUnique({ where: { email: parsed.delegate }, select: { id: true, email: true, active: true } });
    if (!delegate) throw notFound(`Nobody has the email ${parsed.delegate}.`);
    if (delegate.id === actor.id) throw invalid('You cannot delegate to yourself: choose someone else.');
    if (!delegate.active) throw conflict(`${delegate.email} is deactivated: choose someone else.`);
    // Both rows, in one order: A→B and B→A set at once cannot both pass the loop check.
    await tx.$queryRaw`SELECT id FROM users WHERE id IN (${actor.id}, ${delegate.id}) ORDER BY id FOR UPDATE`;
    if (await leadsBackTo(tx, delegate.id, actor.id, now)) {
      throw conflict(
        `${delegate.email} is away and their requests come to you: choose someone else, or ask them to end their delegation first.`,
      );
    }
    await tx.user.update({ where: { id: actor.id }, data: { awayUntil, delegateId: delegate.id } });
    await recordDirectoryEvent(tx, {
      actor: actor.email,
      action: 'DELEGATION_SET',
      details: { delegate: delegate.email, awayUntil: awayUntil.toISOString() },
    });
    return { delegate: delegate.email, awayUntil };
  });
}

/** Ends the actor's delegation now; `changed` is false when none was in force. */
export async function clearDelegation(db: Db, actor: Actor, now = new Date()): Promise<{ changed: boolean; delegate: string | null }> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: actor.id },
      select: { awayUntil: true, delegate: { select: { email: true } } },
    });
    if (!user) throw notFound('No such user.');
    await tx.user.update({ where: { id: actor.id }, data: { awayUntil: null, delegateId: null } });
    const inForce = user.awayUntil !== null && user.awayUntil > now && user.delegate !== null;
    if (!inForce) return { changed: false, delegate: null };
    const delegate = user.delegate?.email ?? null;
    await recordDirectoryEvent(tx, {
      actor: actor.email,
      action: 'DELEGATION_CLEARED',
      details: { delegate, awayUntil: user.awayUntil?.toISOString() ?? null },
    });
    return { changed: true, delegate };
  });
}

export interface DelegationView {
  /** The actor's own delegation while in force. */
  current: { delegate: string; delegateName: string | null; delegateActive: boolean; awayUntil: Date } | null;
  /** Active people who are away now and whose requests come to the actor. */
  delegators: { email: string; name: string | null; awayUntil: Date }[];
  /** Whom the actor may choose: active people other than themselves. */
  candidates: { email: string; name: string | null }[];
}

export async function loadDelegation(db: Db, actor: Actor, now = new Date()): Promise<DelegationView> {
  const [me, delegators, candidates] = await Promise.all([
    db.user.findUnique({
      where: { id: actor.id },
      select: { awayUntil: true, delegate: { select: { email: true, name: true, active: true } } },
    }),
    db.user.findMany({
      where: { delegateId: actor.id, active: true, awayUntil: { gt: now } },
      orderBy: { awayUntil: 'asc' },
      select: { email: true, name: true, awayUntil: true },
    }),
    db.user.findMany({
      where: { active: true, id: { not: actor.id } },
      orderBy: { email: 'asc' },
      take: 2000,
      select: { email: true, name: true },
    }),
  ]);
  const current =
    me?.awayUntil && me.awayUntil > now && me.delegate
      ? { delegate: me.delegate.email, delegateName: me.delegate.name, delegateActive: me.delegate.active, awayUntil: me.awayUntil }
      : null;
  return {
    current,
    delegators: delegators.flatMap((d) => (d.awayUntil ? [{ email: d.email, name: d.name, awayUntil: d.awayUntil }] : [])),
    candidates,
  };
}

/** "until 2026-12-24 17:00:00 UTC", for messages. */
export const describeUntil = (date: Date) => `until ${formatTimestamp(date)}`;
