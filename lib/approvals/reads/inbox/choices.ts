// What the inbox's filter form offers: the groups, and the request types
// (workflow types) present in the table.
import type { Db } from '../../../db';

/** At most this many of each are offered. */
export const INBOX_CHOICES_MAX = 50;

export interface InboxChoices {
  groups: string[];
  types: string[];
}

export async function listInboxChoices(db: Db): Promise<InboxChoices> {
  const [groups, types] = await Promise.all([
    db.group.findMany({ select: { name: true }, orderBy: { name: 'asc' }, take: INBOX_CHOICES_MAX }),
    // The distinct types by hopping along the (workflow_type, status) index, one probe per type,
    // instead of reading every row: there are few types and many requests.
    db.$queryRaw<{ type: string }[]>`
      WITH RECURSIVE types(type) AS (
        (SELECT workflow_type FROM approval_requests WHERE workflow_type IS NOT NULL ORDER BY workflow_type LIMIT 1)
        UNION ALL
        SELECT (SELECT a.workflow_type FROM approval_requests a WHERE a.workflow_type > t.type ORDER BY a.workflow_type LIMIT 1)
        FROM types t WHERE t.type IS NOT NULL
      )
      SELECT type FROM types WHERE type IS NOT NULL LIMIT ${INBOX_CHOICES_MAX}`,
  ]);
  return { groups: groups.map((g) => g.name), types: types.map((t) => t.type) };
}
