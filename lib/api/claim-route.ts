// POST /api/v1/requests/{id}/claim and /release: the same handler around a
// different command. No body is needed; one is still held to the size cap.
import 'server-only';
import type { claimApproval } from '../approvals/commands/claim';
import { apiDeps, apiRoute, readJson, requestIdOf, respond } from './handler';
import { claimResultSchema } from './schemas';
import { claimView } from './views';

/** claimApproval or releaseClaim: both take the request and the acting key's user. */
type ClaimCommand = typeof claimApproval;

export const claimRoute = (command: ClaimCommand) =>
  apiRoute<{ id: string }>('decide', async ({ request, principal, params }) => {
    const id = requestIdOf(params.id);
    await readJson(request);
    const change = await command(await apiDeps(), { id }, { email: principal.email, path: 'API', through: { apiKeyId: principal.keyId } });
    return respond(claimResultSchema, claimView(id, change));
  });
