// POST /api/v1/requests/{id}/claim: the key's user holds the request.
import { claimApproval } from '@/lib/approvals/commands/claim';
import { claimRoute } from '@/lib/api/claim-route';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = claimRoute(claimApproval);
