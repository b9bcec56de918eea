// Requests per API key, counted in PostgreSQL (every web process shares the
// count) on the sign-in limits' table, under the `api:` key prefix, in a fixed
// window as rate-limiter-flexible counts there. The count is taken in the
// statement that finds the key (./keys.ts, authenticateApiKey): a request
// makes one round trip before its handler runs, and a request with a wrong
// secret is not counted against the key.
import { Prisma } from '@prisma/client';
import { z } from 'zod';
import { LIMITS_TABLE } from '../auth/sign-in-rules';
import { ApiError } from './errors';

/** Requests per key per window, unless API_RATE_LIMIT says otherwise. */
export const API_RATE_LIMIT_DEFAULT = 300;
export const API_RATE_WINDOW_SECONDS = 60;

const limitSchema = z.coerce.number().int().min(1).max(1_000_000).default(API_RATE_LIMIT_DEFAULT);

export interface ApiRateLimit {
  points: number;
  windowSeconds: number;
}

/** What counting one request left: the requests in the window so far, and the ms until it ends. */
export interface ApiRequestCount {
  points: number;
  msBeforeNext: number;
}

/**
 * SQL that counts one request of each key id `keyIds` selects (a subquery
 * yielding `id`), returning `points` and `ms_before_next`: a CTE's body.
 */
export function countRequestSql(keyIds: Prisma.Sql, limit: ApiRateLimit, now: Date): Prisma.Sql {
  const nowMs = now.getTime();
  const expire = nowMs + limit.windowSeconds * 1000;
  return Prisma.sql`
    INSERT INTO ${Prisma.raw(LIMITS_TABLE)} AS l (key, points, expire)
    SELECT 'api:' || counted.id, 1, ${expire}::bigint FROM (${keyIds}) AS counted
    ON CONFLICT (key) DO UPDATE SET
      points = CASE WHEN coalesce(l.expire, 0) <= ${nowMs}::bigint THEN 1 ELSE l.points + 1 END,
      expire = CASE WHEN coalesce(l.expire, 0) <= ${nowMs}::bigint THEN ${expire}::bigint ELSE l.expire END
    RETURNING points, (expire - ${nowMs}::bigint)::int AS ms_before_next`;
}

/** A 429 with Retry-After when the count is over the limit. */
export function enforceLimit(limit: ApiRateLimit, count: ApiRequestCount): void {
  if (count.points <= limit.points) return;
  throw new ApiError(
    'rate_limited',
    `This key may make ${limit.points} requests per ${limit.windowSeconds} seconds. Wait, then try again.`,
    undefined,
    Math.max(1, Math.ceil(count.msBeforeNext / 1000)),
  );
}

const globalForLimit = globalThis as unknown as { countersignApiRateLimit?: ApiRateLimit };

/** The process's limit; API_RATE_LIMIT (requests per key per minute) is read once. */
export function apiRateLimit(): ApiRateLimit {
  if (!globalForLimit.countersignApiRateLimit) {
    const parsed = limitSchema.safeParse(process.env.API_RATE_LIMIT || undefined);
    if (!parsed.success)
      throw new Error(`API_RATE_LIMIT must be a whole number of requests per minute, not "${process.env.API_RATE_LIMIT}"`);
    globalForLimit.countersignApiRateLimit = { points: parsed.data, windowSeconds: API_RATE_WINDOW_SECONDS };
  }
  return globalForLimit.countersignApiRateLimit;
}
