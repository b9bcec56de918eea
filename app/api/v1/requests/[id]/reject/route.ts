// POST /api/v1/requests/{id}/reject: through decideApproval, with a required reason.
import { decideApproval, rejectInputSchema } from '@/lib/approvals/commands/decide';
import { ApiError } from '@/lib/api/errors';
import { apiDeps, apiRoute, fieldsOf, readBody, requestIdOf, respond } from '@/lib/api/handler';
import { decisionResultSchema, rejectBodySchema } from '@/lib/api/schemas';
import { decisionView } from '@/lib/api/views';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>('decide', async ({ request, principal, params }) => {
  const id = requestIdOf(params.id);
  const body = await readBody(request, rejectBodySchema, {});
  const input = rejectInputSchema.safeParse({ id, reason: body.reason });
  if (!input.success) throw new ApiError('invalid_request', 'The body does not fit the schema.', { fields: fieldsOf(input.error) });
  const decided = await decideApproval(
    await apiDeps(),
    { decision: 'REJECTED', ...input.data },
    { email: principal.email, path: 'API', through: { apiKeyId: principal.keyId } },
  );
  return respond(decisionResultSchema, decisionView(decided));
});
