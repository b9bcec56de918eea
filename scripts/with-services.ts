// `tsx scripts/with-services.ts -- <command...>`: runs a command (the
// integration and end-to-end tests) against a throwaway PostgreSQL and
// Temporal dev server, then stops both and deletes their data. Exits with the
// command's exit code.
//
// `--external-db` uses the PostgreSQL at DATABASE_URL instead of starting one
// (migrated and seeded the same way): CI runs the integration suite against
// Debian's own server this way, proving nothing needs the embedded one. It is
// a flag, never implied by DATABASE_URL alone, so a shell that points at a
// development database never gets test data written into it by accident.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEV_DB } from '../lib/database-url';
import { createDb } from '../lib/db';
import { seedDemoUsers } from '../lib/auth/users';
import { withoutTemporalSecurity } from '../lib/temporal-connection';
import { startPostgres } from './postgres';
import { freePorts, killGroup, migrateDatabase } from './processes';
import { ensureTemporal, startTemporalServer } from './temporal';

const STOP_GRACE_MS = 10_000;

const log = (line: string) => console.log(`[services] ${line}`);

class Interrupted extends Error {}

/** `prisma migrate deploy`, quietly: its output is shown only when it fails. */
async function migrate(databaseUrl: string): Promise<void> {
  const output: string[] = [];
  try {
    await migrateDatabase({ ...process.env, DATABASE_URL: databaseUrl }, (line) => output.push(line));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}:\n${output.join('\n')}`);
  }
}

async function main(): Promise<number> {
  let args = process.argv.slice(2);
  const externalDb = args[0] === '--external-db';
  if (externalDb) args = args.slice(1);
  const command = args[0] === '--' ? args.slice(1) : args;
  const [program, ...programArgs] = command;
  if (!program) {
    console.error('Usage: tsx scripts/with-services.ts [--external-db] -- <command> [args...]');
    return 2;
  }

  const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
  let signalled: NodeJS.Signals | undefined;
  let commandPid: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // The command runs in its own process group, so a terminal's Ctrl-C
    // reaches it only through here: once, and before the servers stop.
    signalled ??= signal;
    if (commandPid !== undefined) killGroup(commandPid, signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const checkpoint = () => {
    if (signalled) throw new Interrupted();
  };

  try {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-services-'));
    // mkdtemp makes it 0700; as root, PostgreSQL runs as the postgres user and must get through it.
    fs.chmodSync(tmp, 0o755);
    cleanups.push({ name: 'temp dir', run: () => fs.rmSync(tmp, { recursive: true, force: true }) });

    const [pgPort = 0, temporalPort = 0, webPort = 0] = await freePorts(3);
    const databaseUrl = externalDb ? externalDatabaseUrl() : await startEmbedded(tmp, pgPort, cleanups);
    checkpoint();

    await migrate(databaseUrl);
    const db = createDb(databaseUrl);
    try {
      await seedDemoUsers(db);
    } finally {
      await db.$disconnect();
    }
    log(`postgres: ${redacted(databaseUrl)} (${externalDb ? 'external, ' : ''}migrated, demo users)`);
    checkpoint();

    const bin = path.resolve(ensureTemporal(log));
    const temporal = await startTemporalServer({
      bin,
      port: temporalPort,
      dbFile: path.join(tmp, 'temporal.db'),
      log: (line) => log(`temporal: ${line}`),
    });
    cleanups.push({ name: 'temporal', run: () => temporal.stop() });
    log(`temporal: ${temporal.address} (namespace default, headless)`);
    checkpoint();

    const child = spawn(program, programArgs, {
      stdio: 'inherit',
      // Own process group: stopping it also stops what it spawned (next start
      // under Playwright, say) before the servers those talk to go away.
      detached: true,
      env: {
        // Its own dev server is plain: a shell's Temporal Cloud settings must not reach the tests.
        ...withoutTemporalSecurity(process.env),
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_CLI: bin,
        NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
        NEXT_TELEMETRY_DISABLED: '1',
        // The e2e tests serve the app here, so two runs never collide.
        E2E_PORT: process.env.E2E_PORT ?? String(webPort),
      },
    });
    commandPid = child.pid;
    const pid = child.pid;
    const exitCode = await new Promise<number>((resolve) => {
      child.once('error', (error) => {
        console.error(`[services] could not run ${program}: ${error.message}`);
        resolve(127);
      });
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
    });
    if (pid !== undefined) await reapGroup(pid);
    return exitCode;
  } catch (error) {
    // Interrupted, or a start-up step (migrate, say) that the same Ctrl-C killed.
    if (signalled) return 128 + os.constants.signals[signalled];
    console.error(`[services] ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
      try {
        await cleanup.run();
      } catch (error) {
        console.error(`[services] could not clean up ${cleanup.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** A throwaway embedded PostgreSQL in tmp, stopped (and its data removed) by the cleanups. */
async function startEmbedded(tmp: string, port: number, cleanups: { name: string; run: () => Promise<void> | void }[]): Promise<string> {
  const postgres = await startPostgres({
    ...DEV_DB,
    dataDir: path.join(tmp, 'postgres'),
    port,
    // A fresh cluster every time: only trouble is worth a line.
    log: (line) => {
      if (!line.startsWith('initialising a new PostgreSQL cluster')) log(`postgres: ${line}`);
    },
  });
  cleanups.push({ name: 'postgres', run: () => postgres.stop() });
  if (!postgres.dataDir.startsWith(tmp + path.sep)) {
    // Moved where the postgres user can reach it (a private TMPDIR, as root): throwaway all the same.
    cleanups.splice(cleanups.length - 1, 0, {
      name: 'postgres data',
      run: () => fs.rmSync(postgres.dataDir, { recursive: true, force: true }),
    });
  }
  return postgres.url;
}

function externalDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('--external-db needs DATABASE_URL: the PostgreSQL to run against (its database is migrated and written to)');
  return url;
}

/** The URL without its password, for the log. */
function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Stops what the command left running in its process group. */
async function reapGroup(pid: number): Promise<void> {
  if (!killGroup(pid, 'SIGTERM')) return;
  const until = Date.now() + STOP_GRACE_MS;
  while (killGroup(pid, 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  killGroup(pid, 'SIGKILL');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
