// `npm run dev`: PostgreSQL, Temporal, migrations, demo data, the worker and
// the web app from one command. The worker restarts when its code changes and
// after a crash. Ctrl-C stops them all, web first, database last.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { DEV_DB } from '../lib/database-url';
import { approvalsEnv, temporalEnv } from '../lib/env';
import { DEMO_USERS } from '../lib/auth/users';
import { TEMPORAL_SECURITY_SETTINGS } from '../lib/temporal-connection';
import { startPostgres } from './postgres';
import { killGroup, migrateDatabase, portAnswers } from './processes';
import { seed } from './seed';
import { ensureTemporal, startTemporalServer } from './temporal';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
/** How long a child gets to stop before its whole process group is killed. */
const STOP_GRACE_MS = 10_000;

// ---------------------------------------------------------------- output

const COLORS: Record<string, number> = { dev: 1, postgres: 34, temporal: 33, prisma: 90, seed: 32, mail: 92, worker: 35, web: 36 };
const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
// eslint-disable-next-line no-control-regex -- matching terminal escape codes is the point
const ANSI_CODE = /\x1b\[[0-9;?]*[A-Za-z]/g;

function prefixFor(name: string): string {
  const tag = `[${name}]`;
  return useColor ? `\x1b[${COLORS[name] ?? 0}m${tag}\x1b[0m` : tag;
}

function logger(name: string): (line: string) => void {
  const prefix = prefixFor(name);
  const plain = `[${name}] `;
  return (text) => {
    for (const line of text.replace(/\s+$/, '').split('\n')) {
      // The worker prefixes its own lines already.
      const rest = line.startsWith(plain) ? line.slice(plain.length) : line;
      process.stdout.write(`${prefix} ${rest}\n`);
    }
  };
}

const log = logger('dev');

function pipeLines(stream: Readable | null, write: (line: string) => void, keep: (line: string) => boolean = () => true): void {
  if (!stream) return;
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    // Blank lines and bare terminal codes (next dev's cursor reset) say nothing once prefixed.
    if (line.replace(ANSI_CODE, '').trim() && keep(line)) write(line);
  });
}

/**
 * Drops the warning Prisma prints on every run because the schema keeps its
 * datasource url next to the driver adapter (kept on purpose: see prisma.config.ts).
 */
function withoutPrismaUrlWarning(): (line: string) => boolean {
  let inWarning = false;
  return (line) => {
    if (line.startsWith('WARNING: Your schema specifies the following datasource properties')) inWarning = true;
    const keep = !inWarning;
    if (line.startsWith('We recommend you to remove those properties')) inWarning = false;
    return keep;
  };
}

// ---------------------------------------------------------------- settings

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  return port;
}

/** NEXTAUTH_SECRET, else one generated on the first run and kept in the data dir. */
function nextAuthSecret(dataDir: string): string {
  const fromEnv = process.env.NEXTAUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'nextauth-secret');
  try {
    const kept = fs.readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  // Kept, not regenerated: a new secret on every start would sign everyone out.
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  log(`generated NEXTAUTH_SECRET in ${file}`);
  return secret;
}

/** Fails early with a clear message instead of a crashed `next dev` after everything else started. */
function assertPortFree(port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is in use: stop what runs there, or set ${variable}.`) : error),
    );
    server.listen(port, () => server.close(() => resolve()));
  });
}

// ---------------------------------------------------------------- services

interface Service {
  name: string;
  stop(): Promise<void>;
}

/** Everything started so far, in start order; stopped in reverse. */
const services: Service[] = [];
let stopping = false;
let stopRequest: { code: number; at: number } | undefined;
let resolveStop: (code: number) => void = () => undefined;
const stopRequested = new Promise<number>((resolve) => (resolveStop = resolve));

/** Ends the run: a signal asks for exit code 0, a crashed child for 1. The first request wins. */
function requestStop(code: number, why: string): void {
  if (stopping || stopRequest) {
    // tsx relays a terminal's Ctrl-C too: only a later, deliberate repeat is worth a word.
    if (Date.now() - (stopRequest?.at ?? 0) > 2000) log(`${why}; already stopping`);
    return;
  }
  stopRequest = { code, at: Date.now() };
  (code === 0 ? log : logError)(`${why}; stopping everything`);
  resolveStop(code);
}

function logError(line: string): void {
  log(useColor ? `\x1b[31m${line}\x1b[0m` : line);
}

class Interrupted extends Error {}

/** Between start-up steps: give up if a stop was requested meanwhile. */
function checkpoint(): void {
  if (stopRequest) throw new Interrupted();
}

function watch(name: string, exited: Promise<void>): void {
  void exited.then(() => {
    if (!stopping) requestStop(1, `${name} exited unexpectedly`);
  });
}

/** A long-lived child process of dev's. */
interface Child extends Service {
  pid: number | undefined;
  /** Settles once the process has exited, however it ended. */
  exited: Promise<void>;
}

/**
 * Runs a long-lived child in its own process group, so stopping it also stops
 * whatever it spawned (next dev's server process, tsx's node child, esbuild).
 */
function spawnChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const write = logger(name);
  pipeLines(child.stdout, write);
  pipeLines(child.stderr, write);
  let exitedAlready = false;
  let stopAsked = false;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      write(`could not start ${command}: ${error.message}`);
      exitedAlready = true;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitedAlready = true;
      if (!stopping && !stopAsked) write(`exited (${signal ? `signal ${signal}` : `exit code ${code}`})`);
      resolve();
    });
  });
  // 'close' comes after 'exit', once the pipes are drained: the last lines
  // (the worker's "stopped") would be lost if we moved on at 'exit'.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const pid = child.pid;
  return {
    name,
    pid,
    exited,
    async stop() {
      stopAsked = true;
      if (pid === undefined) return;
      if (!exitedAlready) {
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => {
          write(`did not stop within ${STOP_GRACE_MS / 1000}s; killing it`);
          killGroup(pid, 'SIGKILL');
        }, STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      // Grandchildren that outlived the leader (they would also hold the pipes open).
      killGroup(pid, 'SIGKILL');
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    },
  };
}

/** A child whose exit ends the whole run. */
function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Service {
  const child = spawnChild(name, command, args, env);
  watch(name, child.exited);
  return child;
}

// ---------------------------------------------------------------- the worker

/** The wait before restarting a crashed worker: doubled for each crash in a row, up to the cap. */
const RESTART_BACKOFF_MS = { first: 1_000, max: 30_000 };
/** A worker that stayed up this long was healthy: its next crash starts the backoff over. */
const HEALTHY_AFTER_MS = 60_000;
/** An editor saves in several writes, a checkout touches many files: one restart per burst. */
const CHANGE_DEBOUNCE_MS = 300;

/** A folder's identity: the same path may come back as a new folder (a checkout, say). */
function folderIdentity(dir: string): string | undefined {
  try {
    const stat = fs.statSync(dir);
    return stat.isDirectory() ? `${stat.ino}:${stat.birthtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onChange` with the .ts files changed under `dirs` once a burst of
 * changes has settled; returns the function that stops watching. One watcher
 * per folder, not Node 20's `fs.watch(dir, { recursive: true })`: that one
 * watches each file, so it loses a file for good once an editor saves it by
 * renaming a new copy over it, and it misses a file created and deleted at once.
 */
function watchCode(dirs: string[], onChange: (files: string[]) => void): () => void {
  const folders = new Map<string, { watcher: fs.FSWatcher; identity: string }>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const settled = () => {
    const files = [...changed];
    changed.clear();
    onChange(files);
  };
  const note = (file: string) => {
    if (!file.endsWith('.ts')) return;
    changed.add(path.relative(ROOT, file));
    clearTimeout(timer);
    timer = setTimeout(settled, CHANGE_DEBOUNCE_MS);
  };
  const unwatch = (dir: string) => {
    for (const [folder, { watcher }] of folders) {
      if (folder === dir || folder.startsWith(dir + path.sep)) {
        watcher.close();
        folders.delete(folder);
      }
    }
  };
  /**
   * Starts, keeps or ends the watch on `dir` and the folders inside, as they
   * now are on disk. The files of a folder that `appeared` count as changed:
   * they were written before its watch began.
   */
  const sync = (dir: string, appeared: boolean) => {
    const identity = folderIdentity(dir);
    const known = folders.get(dir);
    if (known?.identity === identity) return;
    if (known) unwatch(dir);
    if (identity === undefined || closed) return;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, (_event, name) => {
        if (!name) return;
        const entry = path.join(dir, name);
        sync(entry, true); // a folder created, deleted or replaced; a file leaves it be
        note(entry);
      });
    } catch (error) {
      logError(`cannot watch ${path.relative(ROOT, dir)} for changes: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    watcher.on('error', () => unwatch(dir));
    folders.set(dir, { watcher, identity });
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return unwatch(dir); // gone again already
    }
    for (const entry of entries) {
      if (entry.isDirectory()) sync(path.join(dir, entry.name), appeared);
      else if (appeared) note(path.join(dir, entry.name));
    }
  };
  for (const dir of dirs) sync(dir, false);
  return () => {
    closed = true;
    clearTimeout(timer);
    for (const dir of dirs) unwatch(dir);
  };
}

function describeChange(files: string[]): string {
  return files.length > 1 ? `${files[0]} and ${files.length - 1} more` : (files[0] ?? 'a file');
}

interface WorkerSupervision {
  /** Starts one worker process. */
  start: () => Child;
  /** Folders of the code the worker runs: a change to a .ts file there restarts it. */
  watchDirs: string[];
  /** Settles when dev begins to stop: no worker starts after that. */
  halted: Promise<unknown>;
}

type WorkerEvent = { kind: 'exited' } | { kind: 'changed'; files: string[] } | { kind: 'waited' } | { kind: 'halted' };

/**
 * Keeps a worker running: restarts it when its code changes, and after a crash
 * once a backoff has passed (at once if its code changes meanwhile). Its
 * stop() stops the worker and the restarts.
 */
function superviseWorker({ start, watchDirs, halted }: WorkerSupervision): Service {
  let resolveStop: () => void = () => undefined;
  const stopCalled = new Promise<void>((resolve) => (resolveStop = resolve));
  let isHalted = false;
  const haltedEvent = Promise.race([halted, stopCalled]).then((): WorkerEvent => {
    isHalted = true;
    return { kind: 'halted' };
  });

  // The next burst of changes; a burst while nobody waits (a restart under
  // way) is dropped, since the worker then starting reads the new code anyway.
  let resolveChange: (event: WorkerEvent) => void = () => undefined;
  let nextChange = new Promise<WorkerEvent>((resolve) => (resolveChange = resolve));
  const unwatch = watchCode(watchDirs, (files) => {
    const resolve = resolveChange;
    nextChange = new Promise<WorkerEvent>((next) => (resolveChange = next));
    resolve({ kind: 'changed', files });
  });
  void haltedEvent.then(unwatch);

  const logChange = (files: string[]) => log(`worker code changed (${describeChange(files)}); restarting the worker`);

  const supervise = async () => {
    let backoffMs = RESTART_BACKOFF_MS.first;
    while (!isHalted) {
      const worker = start();
      const startedAt = Date.now();
      log(`worker started (pid ${worker.pid ?? 'unknown'})`);
      const event = await Promise.race([haltedEvent, nextChange, worker.exited.then((): WorkerEvent => ({ kind: 'exited' }))]);
      if (event.kind === 'halted') {
        // Stopped in its turn (web first, database last), not as soon as dev begins to stop.
        await stopCalled;
        await worker.stop();
        return;
      }
      if (event.kind === 'changed') logChange(event.files);
      // After a crash too: what the worker spawned may have outlived it.
      await worker.stop();
      if (event.kind === 'changed') {
        backoffMs = RESTART_BACKOFF_MS.first;
        continue;
      }
      if (Date.now() - startedAt >= HEALTHY_AFTER_MS) backoffMs = RESTART_BACKOFF_MS.first;
      logError(`worker exited unexpectedly; restarting it in ${backoffMs / 1000}s, or as soon as its code changes`);
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<WorkerEvent>((resolve) => (timer = setTimeout(() => resolve({ kind: 'waited' }), backoffMs)));
      const wake = await Promise.race([haltedEvent, nextChange, waited]);
      clearTimeout(timer);
      if (wake.kind === 'changed') {
        logChange(wake.files);
        backoffMs = RESTART_BACKOFF_MS.first;
      } else {
        backoffMs = Math.min(backoffMs * 2, RESTART_BACKOFF_MS.max);
      }
    }
  };
  const supervising = supervise();

  return {
    name: 'worker',
    async stop() {
      resolveStop();
      await supervising;
    },
  };
}

/** `prisma migrate deploy`, its output prefixed, less Prisma's every-run url warning. */
function migrate(env: NodeJS.ProcessEnv): Promise<void> {
  const write = logger('prisma');
  const keep = withoutPrismaUrlWarning();
  return migrateDatabase(env, (line) => {
    if (line.replace(ANSI_CODE, '').trim() && keep(line)) write(line);
  });
}

// ---------------------------------------------------------------- start-up

interface Running {
  webPort: number;
  temporalUiUrl: string | undefined;
  /** maildev's web UI, when dev runs it (no SMTP_URL given). */
  mailUiUrl: string | undefined;
  dataDir: string;
}

async function up(): Promise<Running> {
  // Bad settings stop us here, before anything starts.
  const { TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE } = temporalEnv();
  // The dev server this starts speaks plain gRPC: TLS settings meant for a
  // cluster (exported in this shell, say) would only make everything fail to connect.
  const tlsGiven = TEMPORAL_SECURITY_SETTINGS.filter((name) => process.env[name]);
  if (!process.env.TEMPORAL_ADDRESS && tlsGiven.length > 0) {
    throw new Error(
      `${tlsGiven.join(', ')} ${tlsGiven.length === 1 ? 'is' : 'are'} set, but TEMPORAL_ADDRESS is not: the Temporal dev server started here has no TLS. ` +
        'Unset them, or set TEMPORAL_ADDRESS to the cluster they are for.',
    );
  }
  approvalsEnv();
  const webPort = portFromEnv('PORT', 3000);
  const temporalPort = portFromEnv('TEMPORAL_PORT', 7233);
  const temporalUiPort = portFromEnv('TEMPORAL_UI_PORT', 8233);
  const mailSmtpPort = portFromEnv('MAILDEV_SMTP_PORT', 1025);
  const mailUiPort = portFromEnv('MAILDEV_WEB_PORT', 1080);
  portFromEnv('COUNTERSIGN_PG_PORT', 5433); // DEV_DB reads it; this only checks it
  const dataDir = path.resolve(process.env.COUNTERSIGN_DATA_DIR || path.join(ROOT, '.data'));
  fs.mkdirSync(dataDir, { recursive: true });
  await assertPortFree(webPort, 'PORT');

  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    log('using the database in DATABASE_URL');
  } else {
    const postgres = await startPostgres({ ...DEV_DB, dataDir: path.join(dataDir, 'postgres'), log: logger('postgres') });
    services.push({ name: 'postgres', stop: () => postgres.stop() });
    watch('postgres', postgres.exited);
    databaseUrl = postgres.url;
    logger('postgres')(`ready on 127.0.0.1:${DEV_DB.port} (data in ${postgres.dataDir})`);
  }
  checkpoint();

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  let temporalUiUrl = process.env.TEMPORAL_UI_URL;
  if (temporalAddress) {
    log(`using the Temporal server at TEMPORAL_ADDRESS=${temporalAddress}`);
  } else {
    const bin = ensureTemporal(logger('temporal'));
    checkpoint();
    const dbFile = path.join(dataDir, 'temporal.db');
    const temporal = await startTemporalServer({ bin, port: temporalPort, uiPort: temporalUiPort, dbFile, log: logger('temporal') });
    services.push({ name: 'temporal', stop: () => temporal.stop() });
    watch('temporal', temporal.exited);
    temporalAddress = temporal.address;
    temporalUiUrl = `http://localhost:${temporalUiPort}`;
    logger('temporal')(`ready on ${temporal.address}, UI on ${temporalUiUrl} (state in ${dbFile})`);
  }
  checkpoint();

  const baseEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: '1' };
  await migrate(baseEnv);
  checkpoint();
  await seed({ databaseUrl, temporalAddress, namespace: TEMPORAL_NAMESPACE, taskQueue: TEMPORAL_TASK_QUEUE, log: logger('seed') });
  checkpoint();

  // Mail: the SMTP_URL given, else maildev, which keeps every mail and shows it in its web UI.
  let smtpUrl = process.env.SMTP_URL;
  let mailUiUrl: string | undefined;
  if (smtpUrl) {
    log('sending mail through the server in SMTP_URL');
  } else {
    await assertPortFree(mailSmtpPort, 'MAILDEV_SMTP_PORT');
    await assertPortFree(mailUiPort, 'MAILDEV_WEB_PORT');
    const maildevArgs = ['--smtp', String(mailSmtpPort), '--web', String(mailUiPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1'];
    services.push(startChild('mail', path.join(BIN, 'maildev'), maildevArgs, { ...process.env }));
    smtpUrl = `smtp://127.0.0.1:${mailSmtpPort}`;
    mailUiUrl = `http://localhost:${mailUiPort}`;
    logger('mail')(`maildev: SMTP on ${smtpUrl}, mail shown at ${mailUiUrl}`);
  }
  checkpoint();

  const childEnv: NodeJS.ProcessEnv = {
    ...baseEnv,
    SMTP_URL: smtpUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL || `http://localhost:${webPort}`,
    NEXTAUTH_SECRET: nextAuthSecret(dataDir),
    ...(temporalUiUrl ? { TEMPORAL_UI_URL: temporalUiUrl } : {}),
    // Our output is a pipe; keep the children's colours when it ends on a terminal.
    ...(useColor ? { FORCE_COLOR: '1' } : {}),
  };
  // Plain node with tsx's loader, not the tsx CLI: the CLI gives its child 30 ms
  // to take a signal, and a worker busy with a sweep can miss that and be killed.
  services.push(
    superviseWorker({
      start: () => spawnChild('worker', process.execPath, ['--import', 'tsx', 'worker/main.ts'], childEnv),
      // The worker's own code and the lib/ modules it imports (contract, approvals, db, env).
      watchDirs: [path.join(ROOT, 'worker'), path.join(ROOT, 'lib')],
      halted: stopRequested,
    }),
  );
  services.push(
    startChild('web', path.join(BIN, 'next'), ['dev', '-H', process.env.HOST ?? '127.0.0.1', '-p', String(webPort)], {
      ...childEnv,
      PORT: String(webPort),
    }),
  );
  return { webPort, temporalUiUrl, mailUiUrl, dataDir };
}

function banner({ webPort, temporalUiUrl, mailUiUrl, dataDir }: Running): void {
  const lines = [
    '',
    'Countersign is running',
    `  Inbox        http://localhost:${webPort}/inbox`,
    `  Temporal UI  ${temporalUiUrl ?? '(the Temporal server in TEMPORAL_ADDRESS)'}`,
    `  Mail         ${mailUiUrl ?? '(the SMTP server in SMTP_URL)'}`,
    ...DEMO_USERS.map((u, i) => `  ${i === 0 ? 'Sign in as' : '          '}   ${u.email} / ${u.password}  (${u.role.toLowerCase()})`),
    `  Data         ${dataDir}`,
    '  New order    npm run request -- --customer ACME --amount 1200',
    '  Ctrl-C stops everything; the next run picks up where this one left off.',
    '',
  ];
  for (const line of lines) log(line);
}

async function stopAll(): Promise<void> {
  stopping = true;
  for (let service = services.pop(); service; service = services.pop()) {
    log(`stopping ${service.name}`);
    try {
      await service.stop();
    } catch (error) {
      logError(`could not stop ${service.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function main(): Promise<number> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => requestStop(0, `${signal} received`));
  }
  let code: number;
  try {
    const running = await up();
    void (async () => {
      // The banner once the web app answers, so its URLs are usable when shown.
      while (!stopping && !stopRequest && !(await portAnswers(running.webPort))) await new Promise((r) => setTimeout(r, 250));
      if (!stopping && !stopRequest) banner(running);
    })();
    code = await stopRequested;
  } catch (error) {
    // After a stop request, a failing start-up step is its consequence, not news.
    if (stopRequest) {
      code = stopRequest.code;
    } else {
      logError(error instanceof Error ? error.message : String(error));
      code = 1;
    }
  }
  await stopAll();
  log(code === 0 ? 'stopped' : 'stopped after a failure');
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
