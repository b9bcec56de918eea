// The person deciding, as eligibility needs them: their groups, and the
// colleagues who are away now and delegate to them.
import type { Db } from '../../db';
import { notEligible } from '../errors';
import type { Actor, Person } from './eligibility';

const PERSON = { email: true, role: true, active: true, memberships: { select: { group: { select: { name: true } } } } } as const;

type PersonRow = { email: string; role: Person['role']; active: boolean; memberships: { group: { name: string } }[] };

const toPerson = (row: PersonRow): Person => ({
  email: row.email,
  role: row.role,
  active: row.active,
  groups: row.memberships.map((m) => m.group.name).sort(),
});

/** The actor by email; null when no such user exists. */
export async function loadActor(db: Db, email: string, now = new Date()): Promise<Actor | null> {
  const row = await db.user.findUnique({
    where: { email },
    select: { ...PERSON, delegators: { where: { active: true, awayUntil: { gt: now } }, select: PERSON, orderBy: { email: 'asc' } } },
  });
  if (!row) return null;
  return { ...toPerson(row), delegators: row.delegators.map(toPerson) };
}

/** The acting user, as eligibility needs them; refused when they are gone or deactivated. */
export async function requireActor(deps: { db: Db }, decider: { email: string }): Promise<Actor> {
  const actor = await loadActor(deps.db, decider.email);
  if (!actor || !actor.active) throw notEligible('Your account is not active. Sign in again, or ask an admin.');
  return actor;
}
