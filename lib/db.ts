// The one Prisma client of a process. The task token column is omitted from
// every query by default: code that needs it asks for it by name.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { databaseEnv } from './env';

/**
 * Connections per process. pg's default of 10 is tight: a decision holds one
 * (its row lock) while Temporal answers, a bulk decision four, an admin page
 * render seven for a moment.
 */
const POOL_SIZE = 20;

export function createDb(url: string = databaseEnv().DATABASE_URL) {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: POOL_SIZE }),
    omit: { approvalRequest: { taskToken: true } },
  });
}

export type Db = ReturnType<typeof createDb>;

const globalForDb = globalThis as unknown as { countersignDb?: Db };

/** Lazily created, and kept on globalThis so dev hot reloads reuse it. */
export function getDb(): Db {
  globalForDb.countersignDb ??= createDb();
  return globalForDb.countersignDb;
}
