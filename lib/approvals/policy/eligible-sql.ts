// Eligibility in SQL, for many rows at once: the inbox's "for me" and
// "waiting on me", and the flag on a request that can never reach its quorum.
// Says what ./eligibility.ts says for one row (test/integration/inbox-for-me.test.ts
// checks the two agree). Expressions read the request as `r`.
import { Prisma } from '@prisma/client';
import type { Actor, Person } from './eligibility';

const textArray = (values: string[]) => Prisma.sql`CAST(${values} AS text[])`;

/** `person` is routed to r (ignoring votes), and is not its requester under four eyes. */
function routedSql(person: Person): Prisma.Sql {
  const email = person.email;
  const groups = textArray(person.groups);
  return Prisma.sql`((
      (cardinality(r.approver_groups) = 0 AND cardinality(r.approver_users) = 0)
      OR ${email} = ANY(r.approver_users) OR r.approver_groups && ${groups}
      OR (r.attempt >= 2 AND (${email} = ANY(r.escalate_users) OR r.escalate_groups && ${groups}))
    ) AND NOT (r.four_eyes AND r.requester IS NOT DISTINCT FROM ${email}))`;
}

/** r is one `actor` may decide: as themselves, or for someone away who delegates to them. */
export function eligibleSql(actor: Actor): Prisma.Sql {
  if (!actor.active) return Prisma.sql`FALSE`;
  const people = [actor, ...actor.delegators.filter((d) => d.active)].map(routedSql);
  return Prisma.sql`(NOT (r.four_eyes AND r.requester IS NOT DISTINCT FROM ${actor.email}) AND (${Prisma.join(people, ' OR ')}))`;
}

/** `actor` has approved r in its current run (themselves, or someone for them). */
export function votedSql(actor: Pick<Actor, 'email'>): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM approval_votes v WHERE v.approval_request_id = r.id AND v.run_id = r.run_id
    AND (v.actor = ${actor.email} OR v.voter = ${actor.email}))`;
}

/**
 * r cannot reach its quorum: the approvals it has, plus the active people who
 * could still give one (its approvers and the people it escalates to, less
 * its requester under four eyes and whoever has approved), are fewer than the
 * quorum. Membership changes take effect at once: this is read, not stored.
 */
export const UNREACHABLE_SQL = Prisma.sql`(r.approvals + (
    SELECT count(*) FROM users u
    WHERE u.active
      AND (
        (cardinality(r.approver_groups) = 0 AND cardinality(r.approver_users) = 0)
        OR u.email = ANY(r.approver_users) OR u.email = ANY(r.escalate_users)
        OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
          WHERE gm.user_id = u.id AND (g.name = ANY(r.approver_groups) OR g.name = ANY(r.escalate_groups)))
      )
      AND NOT (r.four_eyes AND r.requester IS NOT DISTINCT FROM u.email)
      AND NOT EXISTS (SELECT 1 FROM approval_votes v WHERE v.approval_request_id = r.id AND v.run_id = r.run_id
        AND (v.voter = u.email OR v.actor = u.email))
  ) < r.quorum)`;
