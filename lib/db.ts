// The one Prisma client of a process. The task token column is omitted from
// every query by default: code that needs it asks for it by name.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { databaseEnv, databasePoolEnv } from './env';

/**
 * A process's pool. Nothing waits without end: not for a connection, not for
 * a statement (a row lock included), so a slow Temporal or database turns
 * into errors a person can read instead of a site that hangs.
 */
export interface PoolSettings {
  /** Connections (DATABASE_POOL_SIZE). Claims may hold half across Temporal (commands/in-flight.ts); pages keep the rest. */
  size: number;
  /**
   * The longest wait for a connection (DATABASE_CONNECT_TIMEOUT): pg-pool's
   * connectionTimeoutMillis bounds both the wait for an idle one when the pool
   * is full and the opening of a new one.
   */
  connectTimeoutMs: number;
  /** PostgreSQL's statement_timeout on each connection (DATABASE_STATEMENT_TIMEOUT): the wait for a row lock counts. */
  statementTimeoutMs: number;
}

export function poolSettingsFromEnv(): PoolSettings {
  const env = databasePoolEnv();
  return {
    size: env.DATABASE_POOL_SIZE,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT,
  };
}

const settingsOf = new WeakMap<object, PoolSettings>();

/** A client with its own pool: the environment's settings unless `overrides` says otherwise (tests, scripts). */
export function createDb(url: string = databaseEnv().DATABASE_URL, overrides: Partial<PoolSettings> = {}) {
  const settings: PoolSettings = { ...poolSettingsFromEnv(), ...overrides };
  const db = new PrismaClient({
    adapter: new PrismaPg({
      connectionString: url,
      max: settings.size,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      statement_timeout: settings.statementTimeoutMs,
    }),
    omit: { approvalRequest: { taskToken: true } },
  });
  settingsOf.set(db, settings);
  return db;
}

export type Db = ReturnType<typeof createDb>;

/** The settings `db`'s pool was made with. */
export function poolSettings(db: Db): PoolSettings {
  return settingsOf.get(db) ?? poolSettingsFromEnv();
}

/**
 * The database could not take the work in time: no connection within the
 * connect timeout, a statement cut off by the statement timeout, or a
 * transaction that could not start in time. Worth "busy, try again", never a
 * raw driver message.
 */
export function isDatabaseBusy(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (BUSY_MESSAGES.some((pattern) => pattern.test(cause.message))) return true;
    const code = (cause as { code?: unknown }).code;
    if (code === 'P2024' || code === 'P2028' || code === '57014') return true;
  }
  return false;
}

const BUSY_MESSAGES = [
  // pg-pool: no connection within connectionTimeoutMillis, idle or new.
  /timeout exceeded when trying to connect/,
  /Connection terminated due to connection timeout/,
  // PostgreSQL 57014, as Prisma's driver adapter reports it.
  /canceling statement due to statement timeout/,
];

const globalForDb = globalThis as unknown as { countersignDb?: Db };

/** Lazily created, and kept on globalThis so dev hot reloads reuse it. */
export function getDb(): Db {
  globalForDb.countersignDb ??= createDb();
  return globalForDb.countersignDb;
}
