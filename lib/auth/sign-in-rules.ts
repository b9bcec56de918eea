// How many failed sign-ins are allowed, and what a refused one is told. Pure:
// the limiter (./sign-in-limit.ts), the sign-in route and the tests share it.

/** The table of prisma/migrations/…_sign_in_limits: sign-in counts and blocks, and the API's per-key count (lib/api/rate-limit.ts). */
export const LIMITS_TABLE = 'sign_in_limits';

export interface LimitRule {
  /** Failed attempts allowed within the window; the next one starts a block. */
  failures: number;
  windowSeconds: number;
  /** The first block; each further one within a day doubles, up to the maximum. */
  firstBlockSeconds: number;
  maxBlockSeconds: number;
}

export const SIGN_IN_LIMITS = {
  account: { failures: 5, windowSeconds: 15 * 60, firstBlockSeconds: 60, maxBlockSeconds: 60 * 60 },
  // Many accounts from one place (one password tried everywhere). An office behind one address
  // shares it, hence the margin.
  address: { failures: 30, windowSeconds: 15 * 60, firstBlockSeconds: 5 * 60, maxBlockSeconds: 60 * 60 },
} as const satisfies Record<string, LimitRule>;

export type LimitScope = keyof typeof SIGN_IN_LIMITS;

export function tooManyAttempts(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}
