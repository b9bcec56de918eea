// Readiness for load balancers and Kubernetes: 200 when PostgreSQL and
// Temporal answer and every migration is applied, else 503 naming the check
// that failed (lib/health/readiness.ts). No sign-in (proxy.ts lists it public).
import { getDb } from '@/lib/db';
import { checkReadiness } from '@/lib/health/readiness';
import { getTemporalClient } from '@/lib/temporal';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const { ready, checks } = await checkReadiness({ db: getDb(), temporal: getTemporalClient });
  return Response.json(
    { status: ready ? 'ready' : 'not ready', checks },
    { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } },
  );
}
