// The person deciding, as eligibility needs them: their groups, and the
// colleagues who are away now and delegate to them.
import type { Db } from '../../db';
import { notEligible } from '../errors';
import type { Actor, Person } from './eligibility';

type PersonRow = { email: string; role: Person['role']; active: boolean; groups: string[] };

/**
 * The actor by email; null when no such user exists. One query (the person,
 * their groups, and the people away now who delegate to them, with theirs):
 * every decision reads it first.
 */
export async function loadActor(db: Db, email: string, now = new Date()): Promise<Actor | null> {
  const rows = await db.$queryRaw<(PersonRow & { delegators: PersonRow[] })[]>`
    SELECT u.email, u.role::text AS role, u.active,
      ARRAY(SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id ORDER BY g.name) AS groups,
      coalesce((
        SELECT json_agg(json_build_object(
            'email', d.email, 'role', d.role, 'active', d.active,
            'groups', ARRAY(SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = d.id ORDER BY g.name)
          ) ORDER BY d.email)
        FROM users d WHERE d.delegate_id = u.id AND d.active AND d.away_until > ${now}
      ), '[]'::json) AS delegators
    FROM users u WHERE u.email = ${email}`;
  const row = rows[0];
  if (!row) return null;
  return { email: row.email, role: row.role, active: row.active, groups: row.groups, delegators: row.delegators };
}

/** The acting user, as eligibility needs them; refused when they are gone or deactivated. */
export async function requireActor(deps: { db: Db }, decider: { email: string }): Promise<Actor> {
  const actor = await loadActor(deps.db, decider.email);
  if (!actor || !actor.active) throw notEligible('Your account is not active. Sign in again, or ask an admin.');
  return actor;
}
