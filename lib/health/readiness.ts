// Whether this web process can serve: PostgreSQL answers, every migration this
// build ships is applied, and Temporal answers. GET /api/ready asks it for load
// balancers and Kubernetes readiness probes; each check has a short deadline,
// so a probe gets its answer before it gives up.
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isGrpcDeadlineError, isGrpcServiceError, type Client } from '@temporalio/client';
import type { Db } from '../db';
import { grpcStatusOf } from '../metrics/registry';

/** Each check answers within this, or fails; the three run at once. */
export const READY_CHECK_DEADLINE_MS = 2_000;

/**
 * The migrations this build expects: prisma/migrations, read relative to the
 * working directory, as `npm start` (which applies them first) and `next start`
 * run from the project's root. A deployment that leaves the folder out is
 * never ready, and says so, rather than guessing.
 */
export const MIGRATIONS_DIR = path.join(process.cwd(), 'prisma', 'migrations');

export interface CheckResult {
  ok: boolean;
  /** What failed, in words an operator can act on: never a connection string, token or raw driver dump. */
  error?: string;
  ms: number;
}

export interface Readiness {
  ready: boolean;
  checks: { database: CheckResult; migrations: CheckResult; temporal: CheckResult };
}

export interface ReadinessDeps {
  db: Db;
  temporal: () => Promise<Client>;
  migrationsDir?: string;
  deadlineMs?: number;
}

class CheckFailed extends Error {}

/** An error's message on one line (Prisma's span several), for the log. */
const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();

/** Error codes carry no secrets (ECONNREFUSED, 28P01, 57P03); messages may carry a host or a user, so they stay in the log. */
function codeOf(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (isGrpcServiceError(cause)) return grpcStatusOf(cause);
    const code = (cause as { code?: unknown }).code;
    if ((typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) || typeof code === 'number') return String(code);
  }
  return undefined;
}

const notInTime = (what: string, deadlineMs: number) => `${what} did not answer within ${deadlineMs / 1000} s`;

/** Runs one check under the deadline, timing it, and turns any failure into a sentence. */
async function check(what: string, deadlineMs: number, run: () => Promise<void>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(notInTime(what, deadlineMs))), deadlineMs);
  });
  try {
    await Promise.race([run(), late]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const code = codeOf(error);
    const message = error instanceof CheckFailed ? error.message : `${what} failed${code ? ` (${code})` : ''}; the server log says more`;
    if (!(error instanceof CheckFailed)) console.error(`[ready] ${what}: ${oneLine(error)}`);
    return { ok: false, error: message, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** The migration folders of this build (those with a migration.sql, as `prisma migrate deploy` reads them). */
export async function expectedMigrations(dir: string = MIGRATIONS_DIR): Promise<string[]> {
  let entries: Dirent[];
  try {
    // Read where the app runs, not traced into the build: the folder ships beside it (`npm start` migrates from it).
    entries = await fs.readdir(/*turbopackIgnore: true*/ dir, { withFileTypes: true });
  } catch {
    throw new CheckFailed(`the migrations folder is missing (${path.relative(process.cwd(), dir) || dir}): run from the project's root`);
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const sql = await fs.stat(/*turbopackIgnore: true*/ path.join(dir, entry.name, 'migration.sql')).catch(() => undefined);
    if (sql?.isFile()) names.push(entry.name);
  }
  return names.sort();
}

/** The expected migrations the database has not finished applying (rolled-back ones count as not applied). */
export async function missingMigrations(db: Db, expected: readonly string[]): Promise<string[]> {
  // to_regclass: a database never migrated has no _prisma_migrations table, and then every migration is missing.
  const [table] = await db.$queryRaw<{ exists: boolean }[]>`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists`;
  if (!table?.exists) return [...expected];
  const rows = await db.$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  const applied = new Set(rows.map((row) => row.migration_name));
  return expected.filter((name) => !applied.has(name));
}

const listed = (names: readonly string[]) =>
  names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');

export async function checkReadiness({
  db,
  temporal,
  migrationsDir = MIGRATIONS_DIR,
  deadlineMs = READY_CHECK_DEADLINE_MS,
}: ReadinessDeps): Promise<Readiness> {
  const [database, migrations, temporalCheck] = await Promise.all([
    check('PostgreSQL', deadlineMs, async () => {
      await db.$queryRaw`SELECT 1`;
    }),
    check('PostgreSQL (migrations)', deadlineMs, async () => {
      const missing = await missingMigrations(db, await expectedMigrations(migrationsDir));
      if (missing.length > 0) throw new CheckFailed(`not applied: ${listed(missing)} (run \`npm run db:migrate\`)`);
    }),
    check('Temporal', deadlineMs, async () => {
      const client = await temporal();
      try {
        await client.connection.withDeadline(Date.now() + deadlineMs, () => client.workflowService.getSystemInfo({}));
      } catch (error) {
        // The call's own deadline and the check's end together: either way, no answer in time.
        if (isGrpcDeadlineError(error)) throw new CheckFailed(notInTime('Temporal', deadlineMs));
        throw error;
      }
    }),
  ]);
  return { ready: database.ok && migrations.ok && temporalCheck.ok, checks: { database, migrations, temporal: temporalCheck } };
}
