// GET /api/v1/requests: the inbox's list, as the key's user sees it.
import { loadActor } from '@/lib/approvals/policy/actor';
import { parseInboxQuery } from '@/lib/approvals/reads/inbox/params';
import { listInbox } from '@/lib/approvals/reads/inbox/list';
import { ApiError } from '@/lib/api/errors';
import { apiRoute, fieldsOf, respond } from '@/lib/api/handler';
import { listQuerySchema, requestListSchema } from '@/lib/api/schemas';
import { listView } from '@/lib/api/views';
import { getDb } from '@/lib/db';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute('read', async ({ request, principal }) => {
  const search = new URL(request.url).searchParams;
  const raw = Object.fromEntries(search.entries());
  const checked = listQuerySchema.safeParse(raw);
  if (!checked.success) throw new ApiError('invalid_request', 'A query parameter is not valid.', { fields: fieldsOf(checked.error) });
  // The inbox's own parser, strictly: a value it would ignore in a link is an error here.
  const { query, issues } = parseInboxQuery(search);
  if (issues.length > 0) {
    const fields = Object.fromEntries(issues.map((issue) => [issue.param || 'query', issue.message]));
    throw new ApiError('invalid_request', 'A query parameter is not valid.', { fields });
  }
  const db = getDb();
  const now = new Date();
  const actor = await loadActor(db, principal.email, now);
  if (!actor) throw new ApiError('inactive_user', "This API key's user no longer exists.");
  return respond(requestListSchema, listView(await listInbox(db, query, actor, now)));
});
