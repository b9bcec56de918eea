// POST /api/v1/requests/{id}/claim: the key's user holds the request.
import { claimApproval } from '@/lib/approvals/commands/claim';
import { apiDeps, apiRoute, readJson, requestIdOf, respond } from '@/lib/api/handler';
import { claimResultSchema } from '@/lib/api/schemas';
import { claimView } from '@/lib/api/views';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>('decide', async ({ request, principal, params }) => {
  const id = requestIdOf(params.id);
  await readJson(request); // no body is needed; one is still held to the size cap
  const change = await claimApproval(
    await apiDeps(),
    { id },
    { email: principal.email, path: 'API', through: { apiKeyId: principal.keyId } },
  );
  return respond(claimResultSchema, claimView(id, change));
});
