// Liveness for load balancers and Kubernetes: the process serves requests.
// Nothing else is asked (no database, no Temporal), so a slow dependency never
// gets a live process restarted; /api/ready says whether it can do its work.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}
