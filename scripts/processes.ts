// Process and port helpers shared by `npm run dev`, the test services harness and the tests.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** Signals a process group; signal 0 only tests whether it still exists. Returns false when the group is gone. */
export function killGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The last line `prisma migrate deploy` prints when it succeeded. */
const MIGRATED = /^(No pending migrations to apply\.|All migrations have been successfully applied\.)/;

/**
 * `prisma migrate deploy` against `env.DATABASE_URL`, each output line passed
 * to `onLine`. In its JS mode the CLI lingers 10 s after the work is done (a
 * timer in its wasm schema engine is never cleared), so the success line ends
 * the wait and the idle process is stopped; the exit code still decides when
 * that line never comes. The migration runs in its own process group: a Ctrl-C
 * lets it finish instead of cutting it off halfway.
 */
export function migrateDatabase(env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    const collect = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        onLine(line);
        if (MIGRATED.test(line)) {
          resolve();
          if (child.pid !== undefined) killGroup(child.pid, 'SIGTERM');
        }
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => reject(new Error(`could not run prisma: ${error.message}`)));
    // After a resolve, the rejection of a killed process is ignored.
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`prisma migrate deploy failed (${signal ?? `exit code ${code}`})`)),
    );
  });
}

function listenOnAnyPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Ports the OS reports free on 127.0.0.1 (so nothing listens there); all held open at once, so they differ. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  for (let i = 0; i < count; i++) servers.push(await listenOnAnyPort());
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (ports.some((port) => port === 0)) throw new Error('could not find free ports');
  return ports;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
