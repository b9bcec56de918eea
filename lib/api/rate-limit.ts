// Requests per API key, counted in PostgreSQL (every web process shares the
// count) on the sign-in limits' table and pool, under the `api` key prefix.
import 'server-only';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { getLimitsPool, LIMITS_TABLE } from '../auth/sign-in-limit';
import { ApiError } from './errors';

/** Requests per key per window, unless API_RATE_LIMIT says otherwise. */
export const API_RATE_LIMIT_DEFAULT = 300;
export const API_RATE_WINDOW_SECONDS = 60;

const limitSchema = z.coerce.number().int().min(1).max(1_000_000).default(API_RATE_LIMIT_DEFAULT);

export interface ApiRateLimiter {
  /** Counts one request of the key, or throws a 429 ApiError with Retry-After. */
  consume(keyId: string): Promise<void>;
}

export function createApiRateLimiter(pool: Pool, points: number, durationSeconds = API_RATE_WINDOW_SECONDS): ApiRateLimiter {
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: LIMITS_TABLE,
    tableCreated: true,
    keyPrefix: 'api',
    points,
    duration: durationSeconds,
  });
  return {
    async consume(keyId) {
      try {
        await limiter.consume(keyId);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error; // the database, not the limit
        throw new ApiError(
          'rate_limited',
          `This key may make ${points} requests per ${durationSeconds} seconds. Wait, then try again.`,
          undefined,
          Math.ceil(error.msBeforeNext / 1000),
        );
      }
    },
  };
}

const globalForLimiter = globalThis as unknown as { countersignApiLimiter?: ApiRateLimiter };

/** One per process; API_RATE_LIMIT (requests per key per minute) is read once. */
export function getApiRateLimiter(): ApiRateLimiter {
  if (!globalForLimiter.countersignApiLimiter) {
    const parsed = limitSchema.safeParse(process.env.API_RATE_LIMIT || undefined);
    if (!parsed.success)
      throw new Error(`API_RATE_LIMIT must be a whole number of requests per minute, not "${process.env.API_RATE_LIMIT}"`);
    globalForLimiter.countersignApiLimiter = createApiRateLimiter(getLimitsPool(), parsed.data);
  }
  return globalForLimiter.countersignApiLimiter;
}
