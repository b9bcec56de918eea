// The person deciding, as eligibility needs them: their groups, and the
// colleagues who are away now and delegate to them.
import { Prisma } from '@prisma/client';
import type { Db } from '../../db';
import { notEligible } from '../errors';
import type { Actor } from './eligibility';

/**
 * SQL for the actor with `email` as one JSON value (null when no such user):
 * the person, their groups, and the people away at `now` who delegate to
 * them, with theirs. A subquery, so a decision reads it beside its row.
 */
export function actorJsonSql(email: string, now: Date): Prisma.Sql {
  return Prisma.sql`(
    SELECT json_build_object(
      'email', u.email, 'role', u.role::text, 'active', u.active,
      'groups', ARRAY(SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id ORDER BY g.name),
      'delegators', coalesce((
        SELECT json_agg(json_build_object(
            'email', d.email, 'role', d.role, 'active', d.active,
            'groups', ARRAY(SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = d.id ORDER BY g.name)
          ) ORDER BY d.email)
        FROM users d WHERE d.delegate_id = u.id AND d.active AND d.away_until > ${now}
      ), '[]'::json))
    FROM users u WHERE u.email = ${email})`;
}

/** The actor by email; null when no such user exists. One query: every decision reads it first. */
export async function loadActor(db: Db, email: string, now = new Date()): Promise<Actor | null> {
  const rows = await db.$queryRaw<{ actor: Actor | null }[]>`SELECT ${actorJsonSql(email, now)} AS actor`;
  return rows[0]?.actor ?? null;
}

/** An actor who may act at all: refused when they are gone or deactivated. */
export function activeActor(actor: Actor | null): Actor {
  if (!actor || !actor.active) throw notEligible('Your account is not active. Sign in again, or ask an admin.');
  return actor;
}

/** The acting user, as eligibility needs them; refused when they are gone or deactivated. */
export async function requireActor(deps: { db: Db }, decider: { email: string }): Promise<Actor> {
  return activeActor(await loadActor(deps.db, decider.email));
}
