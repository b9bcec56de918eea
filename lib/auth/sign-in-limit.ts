// Failed sign-ins, counted per account and per client address in PostgreSQL
// (so every web process shares the counts), each with a doubling block.
// An attempt is counted before its password is checked, atomically, and given
// back if it succeeds: a burst of parallel guesses cannot outrun the count.
import 'server-only';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { databaseEnv, databasePoolEnv } from '../env';
import { LIMITS_TABLE, SIGN_IN_LIMITS, type LimitRule, type LimitScope } from './sign-in-rules';

/** How long blocks are remembered for the doubling. */
const BACKOFF_MEMORY_SECONDS = 24 * 60 * 60;

export type SignInAttempt =
  | { allowed: false; retryAfterSeconds: number }
  | {
      allowed: true;
      /** The password was right: the account starts afresh, and the attempt does not count against the address. */
      succeeded(): Promise<void>;
    };

export interface SignInLimiter {
  /** Counts an attempt, or refuses it while the account or the address is blocked. */
  attempt(who: { email: string; address: string }): Promise<SignInAttempt>;
}

interface Counter {
  rule: LimitRule;
  /** Failed attempts in the window; forced over the limit until a block ends. */
  failures: RateLimiterPostgres;
  /** The block in force: only its starter writes it, so its end is exact. */
  blocked: RateLimiterPostgres;
  /** Blocks within a day, for the doubling. */
  blockCount: RateLimiterPostgres;
}

/** Keys hold no email: a hash of the normalised one (attackers' guesses stay out of the table). */
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

const isLimitAnswer = (value: unknown): value is RateLimiterRes => value instanceof RateLimiterRes;

export function createSignInLimiter(pool: Pool): SignInLimiter {
  const counter = (scope: LimitScope): Counter => {
    const rule = SIGN_IN_LIMITS[scope];
    const store = { storeClient: pool, storeType: 'pool', tableName: LIMITS_TABLE, tableCreated: true };
    return {
      rule,
      failures: new RateLimiterPostgres({ ...store, keyPrefix: scope, points: rule.failures, duration: rule.windowSeconds }),
      blocked: new RateLimiterPostgres({ ...store, keyPrefix: `${scope}-blocked`, points: 1, duration: rule.maxBlockSeconds }),
      blockCount: new RateLimiterPostgres({ ...store, keyPrefix: `${scope}-blocks`, points: 1, duration: BACKOFF_MEMORY_SECONDS }),
    };
  };
  const counters: Record<LimitScope, Counter> = { account: counter('account'), address: counter('address') };

  /** Seconds left of the block on the key, or 0. */
  async function blockedFor({ blocked }: Counter, key: string): Promise<number> {
    const block = await blocked.get(key);
    return block ? Math.ceil(block.msBeforeNext / 1000) : 0;
  }

  /**
   * The attempt that went over the limit starts the block, doubling with each
   * one of the day; its count then starts afresh when the block ends. One that
   * raced it over answers the block if written by now, else the shortest one
   * (a retry then learns the rest).
   */
  async function startBlock(counter: Counter, key: string, over: RateLimiterRes): Promise<number> {
    const { rule, failures, blocked, blockCount } = counter;
    if (over.consumedPoints !== rule.failures + 1) return (await blockedFor(counter, key)) || rule.firstBlockSeconds;
    const { consumedPoints: nth } = await blockCount.penalty(key);
    const seconds = Math.min(rule.firstBlockSeconds * 2 ** (nth - 1), rule.maxBlockSeconds);
    await Promise.all([blocked.block(key, seconds), failures.block(key, seconds)]);
    return seconds;
  }

  return {
    async attempt({ email, address }) {
      const account = { counter: counters.account, key: accountKey(email) };
      const client = { counter: counters.address, key: address };
      const keys = [account, client];
      // A block is answered from a read: refused attempts neither count nor extend it.
      const waits = await Promise.all(keys.map(({ counter, key }) => blockedFor(counter, key)));
      if (Math.max(...waits) > 0) return { allowed: false, retryAfterSeconds: Math.max(...waits) };

      const counted = await Promise.all(
        keys.map(async (entry) => {
          try {
            await entry.counter.failures.consume(entry.key);
            return { ...entry, over: null };
          } catch (error) {
            if (!isLimitAnswer(error)) throw error; // the database, not the limit
            return { ...entry, over: error };
          }
        }),
      );
      const refused = counted.flatMap(({ counter, key, over }) => (over ? [startBlock(counter, key, over)] : []));
      if (refused.length > 0) {
        const blocks = await Promise.all(refused);
        // Not attempted after all: the keys still under their limit get their point back.
        await Promise.all(counted.filter(({ over }) => !over).map(({ counter, key }) => counter.failures.reward(key)));
        return { allowed: false, retryAfterSeconds: Math.max(...blocks) };
      }
      return {
        allowed: true,
        async succeeded() {
          await Promise.all([
            account.counter.failures.delete(account.key),
            account.counter.blockCount.delete(account.key),
            client.counter.failures.reward(client.key),
          ]);
        },
      };
    },
  };
}

/** Small, and bounded like the main pool: a stalled database refuses a sign-in in time instead of hanging it. */
function signInPool(): Pool {
  const { DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT } = databasePoolEnv();
  return new Pool({
    connectionString: databaseEnv().DATABASE_URL,
    max: 4,
    connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT,
    statement_timeout: DATABASE_STATEMENT_TIMEOUT,
  });
}

const globalForLimiter = globalThis as unknown as { countersignSignInLimiter?: SignInLimiter; countersignLimitsPool?: Pool };

/** The one small pool of a process for the sign-in limiter's store (rate-limiter-flexible; Prisma's is for everything else). */
function getLimitsPool(): Pool {
  globalForLimiter.countersignLimitsPool ??= signInPool();
  return globalForLimiter.countersignLimitsPool;
}

/** One per process, on the limits' pool. */
export function getSignInLimiter(): SignInLimiter {
  globalForLimiter.countersignSignInLimiter ??= createSignInLimiter(getLimitsPool());
  return globalForLimiter.countersignSignInLimiter;
}
