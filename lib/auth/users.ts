// Users and their passwords (bcrypt hashes; the plain password is never stored).
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import type { Db } from '../db';
import { roleSchema, type Role } from './access';

export const PASSWORD_MIN = 12;

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('a valid email address is required').max(200),
  password: z.string().min(PASSWORD_MIN, `the password must be at least ${PASSWORD_MIN} characters`).max(200),
  role: roleSchema,
  name: z.string().trim().max(200).optional(),
});
export type NewUser = z.input<typeof newUserSchema>;

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

const BCRYPT_COST = 10;
// Compared against when the email is unknown, so both paths take the same time.
const DUMMY_HASH = bcrypt.hashSync('countersign-no-such-user', BCRYPT_COST);

export async function createUser(db: Db, input: NewUser): Promise<SessionUser> {
  const user = newUserSchema.parse(input);
  const created = await db.user.create({
    data: { email: user.email, name: user.name ?? null, role: user.role, passwordHash: await bcrypt.hash(user.password, BCRYPT_COST) },
    select: { id: true, email: true, name: true, role: true },
  });
  return created;
}

export async function verifyCredentials(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) return null;
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
