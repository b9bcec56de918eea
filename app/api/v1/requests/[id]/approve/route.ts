// POST /api/v1/requests/{id}/approve: through decideApproval, as every decision is.
import { approveInputSchema, decideApproval } from '@/lib/approvals/commands/decide';
import { ApiError } from '@/lib/api/errors';
import { apiDeps, apiRoute, fieldsOf, readBody, requestIdOf, respond } from '@/lib/api/handler';
import { approveBodySchema, decisionResultSchema } from '@/lib/api/schemas';
import { decisionView } from '@/lib/api/views';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>('decide', async ({ request, principal, params }) => {
  const id = requestIdOf(params.id);
  const body = await readBody(request, approveBodySchema, {});
  const input = approveInputSchema.safeParse({ id, comment: body.comment });
  if (!input.success) throw new ApiError('invalid_request', 'The body does not fit the schema.', { fields: fieldsOf(input.error) });
  const decided = await decideApproval(
    await apiDeps(),
    { decision: 'APPROVED', ...input.data, ...(body.values !== undefined ? { values: body.values } : {}) },
    { email: principal.email, path: 'API', through: { apiKeyId: principal.keyId } },
  );
  return respond(decisionResultSchema, decisionView(decided));
});
