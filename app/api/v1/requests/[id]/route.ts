// GET /api/v1/requests/{id}: one request, its routing, progress and timeline (never its task token).
import { getApproval } from '@/lib/approvals/reads/queries';
import { ApiError } from '@/lib/api/errors';
import { apiRoute, requestIdOf, respond } from '@/lib/api/handler';
import { requestDetailSchema } from '@/lib/api/schemas';
import { detailView } from '@/lib/api/views';
import { getDb } from '@/lib/db';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>('read', async ({ params }) => {
  const detail = await getApproval(getDb(), requestIdOf(params.id));
  if (!detail) throw new ApiError('not_found', 'No such approval request.');
  return respond(requestDetailSchema, detailView(detail));
});
