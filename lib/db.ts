// The one Prisma client of a process. The task token column is omitted from
// every query by default: code that needs it asks for it by name.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { databaseEnv } from './env';

export function createDb(url: string = databaseEnv().DATABASE_URL) {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url }),
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
