// GET /api/metrics: Prometheus text for whoever holds METRICS_TOKEN. Without
// the setting the endpoint does not exist (404); without the right token it
// refuses (401), telling nothing about what it would have served.
import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { getDb, type Db } from '../db';
import { metricsEnv } from '../env';
import { publishDatabaseMetrics, readDatabaseMetrics } from './database';
import { servedRegistry } from './registry';

const NO_STORE = { 'cache-control': 'no-store' };

/** An error's message on one line (Prisma's span several), for the log. */
const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether `authorization` is "Bearer <token>". Compares digests of equal
 * length in constant time, so the answer's timing says nothing about how much
 * of a guess was right (nor the token's length).
 */
export function bearerMatches(authorization: string | null, token: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  return timingSafeEqual(sha256(given ?? ''), sha256(token)) && given !== undefined;
}

function plain(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE, ...headers } });
}

/** The token, or why there is none to check against. */
function configuredToken(): { token: string } | { off: true } | { invalid: string } {
  try {
    const { METRICS_TOKEN } = metricsEnv();
    return METRICS_TOKEN ? { token: METRICS_TOKEN } : { off: true };
  } catch (error) {
    return { invalid: error instanceof Error ? error.message : String(error) };
  }
}

export async function metricsResponse(request: Request, db: Db = getDb()): Promise<Response> {
  const configured = configuredToken();
  if ('off' in configured) return plain(404, 'Not found.');
  if ('invalid' in configured) {
    console.error(`[metrics] not serving: ${configured.invalid}`);
    return plain(500, 'Metrics are misconfigured: the server log names the setting.');
  }
  if (!bearerMatches(request.headers.get('authorization'), configured.token)) {
    return plain(401, 'Send the metrics token as "Authorization: Bearer <token>".', {
      'www-authenticate': 'Bearer realm="countersign-metrics"',
    });
  }
  try {
    publishDatabaseMetrics(await readDatabaseMetrics(db));
  } catch (error) {
    // Serving the last values would show a stale backlog as current: no answer (Prometheus records `up` 0) is clearer.
    console.error(`[metrics] the database did not answer: ${oneLine(error)}`);
    return plain(503, 'The database did not answer, so there are no metrics this time.');
  }
  const registry = servedRegistry();
  return new Response(await registry.metrics(), { status: 200, headers: { 'content-type': registry.contentType, ...NO_STORE } });
}
