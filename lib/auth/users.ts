// Users and their passwords (hashes from ./passwords; the plain password is never stored).
import { z } from 'zod';
import type { Db } from '../db';
import { roleSchema, type Role } from './access';
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './passwords';

export { PASSWORD_MAX, PASSWORD_MIN };

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('a valid email address is required').max(200),
  password: z
    .string()
    .min(PASSWORD_MIN, `the password must be at least ${PASSWORD_MIN} characters`)
    .max(PASSWORD_MAX, `the password must be at most ${PASSWORD_MAX} characters`),
  role: roleSchema,
  name: z.string().trim().max(200).optional(),
});
export type NewUser = z.input<typeof newUserSchema>;

/** What the sign-in form sends. The cap is checked before any hashing (lib/auth/credentials-route.ts). */
export const credentialsSchema = z.object({
  email: z.string().trim().email().max(200),
  password: z.string().min(1).max(PASSWORD_MAX, `the password must be at most ${PASSWORD_MAX} characters`),
});

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

export async function createUser(db: Db, input: NewUser): Promise<SessionUser> {
  const user = newUserSchema.parse(input);
  const created = await db.user.create({
    data: { email: user.email, name: user.name ?? null, role: user.role, passwordHash: await hashPassword(user.password) },
    select: { id: true, email: true, name: true, role: true },
  });
  return created;
}

/**
 * The user whose password this is, or null. A deactivated user, and one
 * invited who has not set a password yet, never signs in (at the same cost as
 * a wrong password). A hash of an older kind is replaced by a current one on
 * the way: the password is known only now.
 */
export async function verifyCredentials(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  const { ok, outdated } = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !ok || !user.active) return null;
  if (outdated) {
    // Only if the hash is still the one verified: a password changed meanwhile stays.
    await db.user.updateMany({
      where: { id: user.id, passwordHash: user.passwordHash },
      data: { passwordHash: await hashPassword(password) },
    });
  }
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** Known demo identities: created by the dev/seed path only, never by a production start. */
export const DEMO_USERS = [
  { email: 'reviewer@example.com', password: 'countersign-reviewer', role: 'REVIEWER', name: 'Riley Reviewer' },
  { email: 'admin@example.com', password: 'countersign-admin', role: 'ADMIN', name: 'Ada Admin' },
] as const satisfies readonly NewUser[];

/** Creates the demo users when the users table is empty. Returns whether it did. */
export async function seedDemoUsers(db: Db): Promise<boolean> {
  if ((await db.user.count()) > 0) return false;
  for (const user of DEMO_USERS) await createUser(db, user);
  return true;
}
