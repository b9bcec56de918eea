// Who else may decide a pending request: the active people its routing names
// (by group or email; the escalation people from window 2), less those who
// have approved in its current run and its requester under four eyes. The
// request page lists them; the domain still checks each decider itself.
import type { Db } from '../../db';
import { isAnyReviewer, type RoutedRequest } from '../policy/eligibility';

/** Names the request page lists before "and N more". */
export const ELIGIBLE_PEOPLE_SHOWN = 20;

export interface EligiblePeople {
  /** Routed to any reviewer: `people` is everyone active, and a page says "any reviewer" instead. */
  anyReviewer: boolean;
  /** The first `limit` emails, in order. */
  people: string[];
  /** How many there are in all. */
  total: number;
}

/**
 * The people who may approve `request` now and have not yet. With `atAnyWindow`,
 * the escalation people count whatever the window: who could still approve it
 * at all (the count behind "can never reach its quorum").
 */
export async function listEligiblePeople(
  db: Db,
  request: RoutedRequest & { id: string; runId: string },
  { limit = ELIGIBLE_PEOPLE_SHOWN, atAnyWindow = false }: { limit?: number; atAnyWindow?: boolean } = {},
): Promise<EligiblePeople> {
  const anyReviewer = isAnyReviewer(request);
  const escalation = atAnyWindow || request.attempt >= 2;
  const groups = [...request.approverGroups, ...(escalation ? request.escalateGroups : [])];
  const users = [...request.approverUsers, ...(escalation ? request.escalateUsers : [])];
  const rows = await db.$queryRaw<{ email: string; total: number }[]>`
    SELECT u.email, (count(*) OVER ())::int AS total FROM users u
    WHERE u.active
      AND (
        CAST(${anyReviewer} AS boolean)
        OR u.email = ANY(CAST(${users} AS text[]))
        OR EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
          WHERE gm.user_id = u.id AND g.name = ANY(CAST(${groups} AS text[])))
      )
      AND NOT (CAST(${request.fourEyes} AS boolean) AND u.email IS NOT DISTINCT FROM CAST(${request.requester} AS text))
      AND NOT EXISTS (SELECT 1 FROM approval_votes v WHERE v.approval_request_id = CAST(${request.id} AS uuid)
        AND v.run_id = ${request.runId} AND (v.voter = u.email OR v.actor = u.email))
    ORDER BY u.email
    LIMIT ${limit}`;
  return { anyReviewer, people: rows.map((r) => r.email), total: rows[0]?.total ?? 0 };
}
