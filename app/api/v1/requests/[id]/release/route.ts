// POST /api/v1/requests/{id}/release: the key's user lets go of their claim.
import { releaseClaim } from '@/lib/approvals/commands/claim';
import { claimRoute } from '@/lib/api/claim-route';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = claimRoute(releaseClaim);
