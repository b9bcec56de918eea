// One-time set-password links: an invite for a new person, or a reset an admin
// sends. The link carries 32 random bytes; only their SHA-256 is stored, so
// the database alone cannot produce a working link. A link is good for 7
// days and one use, and a newer one replaces any earlier unused one.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN } from '../auth/passwords';
import type { Db } from '../db';
import { recordDirectoryEvent, requireAdmin, type Actor, type Tx } from './audit';
import { conflict, DirectoryError, notFound } from './errors';

export const LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** base64url of 32 bytes: 43 characters, no padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The path of a link; the page that serves it is app/invite/[token]. */
export const linkPath = (token: string): string => `/invite/${token}`;

export interface IssuedLink {
  /** The secret part of the link: shown once, never stored. */
  token: string;
  expiresAt: Date;
}

/**
 * Stores a new link for `userId` and ends any earlier unused one (its expiry
 * becomes now, so it reads as expired), inside the caller's transaction.
 */
export async function storeLink(tx: Tx, userId: string, createdBy: string, now = new Date()): Promise<IssuedLink> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
  await tx.passwordToken.updateMany({ where: { userId, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
  await tx.passwordToken.create({ data: { userId, tokenHash: hashToken(token), expiresAt, createdBy } });
  return { token, expiresAt };
}

export const userRefSchema = z.object({
  userId: z.string({ error: 'Unknown user' }).trim().min(1, 'Unknown user').max(64, 'Unknown user'),
});
export type UserRef = z.input<typeof userRefSchema>;

/** An admin issues a new link for an existing, active person (a password reset); earlier unused links stop working. */
export async function issuePasswordLink(db: Db, actor: Actor, input: UserRef, now = new Date()): Promise<IssuedLink & { email: string }> {
  requireAdmin(actor);
  const { userId } = userRefSchema.parse(input);
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, active: true, passwordHash: true } });
    if (!user) throw notFound('No such user.');
    if (!user.active) throw conflict(`${user.email} is deactivated: reactivate them before sending a link.`);
    const link = await storeLink(tx, user.id, actor.email, now);
    await recordDirectoryEvent(tx, {
      actor: actor.email,
      action: 'LINK_ISSUED',
      details: { email: user.email, kind: user.passwordHash ? 'reset' : 'invite', expiresAt: link.expiresAt.toISOString() },
    });
    return { ...link, email: user.email };
  });
}

export type LinkState =
  { status: 'valid'; email: string; name: string | null; invited: boolean; expiresAt: Date } | { status: 'used' | 'expired' | 'unknown' };

/** What a link is good for, without changing anything (the invite page's first look). */
export async function inspectPasswordLink(db: Db | Tx, token: string, now = new Date()): Promise<LinkState> {
  if (!TOKEN_PATTERN.test(token)) return { status: 'unknown' };
  const row = await db.passwordToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { usedAt: true, expiresAt: true, user: { select: { email: true, name: true, active: true, passwordHash: true } } },
  });
  if (!row || !row.user.active) return { status: 'unknown' };
  if (row.usedAt) return { status: 'used' };
  if (row.expiresAt <= now) return { status: 'expired' };
  return { status: 'valid', email: row.user.email, name: row.user.name, invited: row.user.passwordHash === null, expiresAt: row.expiresAt };
}

/** What each unusable link tells the person: plainly, and what to do next. */
export const LINK_REFUSALS: Record<Exclude<LinkState['status'], 'valid'>, string> = {
  used: 'This link has been used already. Sign in with the password you set, or ask an admin for a new link.',
  expired: 'This link has expired, or a newer link replaced it. Ask an admin for a new one.',
  unknown: 'This link is not valid. Check that you copied all of it, or ask an admin for a new one.',
};

export class LinkRefused extends DirectoryError {
  constructor(readonly status: Exclude<LinkState['status'], 'valid'>) {
    super(status === 'unknown' ? 'NOT_FOUND' : 'CONFLICT', LINK_REFUSALS[status]);
  }
}

export const setPasswordSchema = z
  .object({
    token: z.string().max(100),
    password: z
      .string({ error: 'choose a password' })
      .min(PASSWORD_MIN, `the password must be at least ${PASSWORD_MIN} characters`)
      .max(PASSWORD_MAX, `the password must be at most ${PASSWORD_MAX} characters`),
    confirm: z.string({ error: 'repeat the password' }).max(PASSWORD_MAX),
  })
  .refine((input) => input.password === input.confirm, { path: ['confirm'], message: 'the two passwords differ' });
export type SetPasswordInput = z.input<typeof setPasswordSchema>;

/**
 * Sets the person's password through their link and uses the link up: at most
 * once, however many tabs send it. A used, expired or unknown link changes
 * nothing and says why.
 */
export async function setPasswordWithLink(db: Db, input: SetPasswordInput, now = new Date()): Promise<{ email: string }> {
  const { token, password } = setPasswordSchema.parse(input);
  const before = await inspectPasswordLink(db, token, now);
  if (before.status !== 'valid') throw new LinkRefused(before.status);
  // Hashed before the transaction: argon2 takes a while, and no lock need wait for it.
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    // The one statement that takes the link: a second sender finds it used and changes nothing.
    const taken = await tx.$queryRaw<{ user_id: string }[]>`
      UPDATE password_tokens SET used_at = ${now}
      WHERE token_hash = ${hashToken(token)} AND used_at IS NULL AND expires_at > ${now}
      RETURNING user_id`;
    const userId = taken[0]?.user_id;
    if (!userId) {
      const again = await inspectPasswordLink(tx, token, now);
      throw new LinkRefused(again.status === 'valid' ? 'used' : again.status);
    }
    const user = await tx.user.update({ where: { id: userId }, data: { passwordHash }, select: { email: true, active: true } });
    if (!user.active) throw new LinkRefused('unknown');
    await recordDirectoryEvent(tx, { actor: user.email, action: 'PASSWORD_SET', details: { email: user.email, via: 'link' } });
    return { email: user.email };
  });
}
