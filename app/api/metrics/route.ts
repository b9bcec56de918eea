// Prometheus metrics for whoever holds METRICS_TOKEN (lib/metrics/endpoint.ts).
import { metricsResponse } from '@/lib/metrics/endpoint';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return metricsResponse(request);
}
