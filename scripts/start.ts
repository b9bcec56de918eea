// `npm start`: production. Checks the environment first, applies migrations,
// then serves the built app with `next start` (arguments pass through, e.g. -p).
// Creates no users: `npm run user` does that.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { checkEnvironmentOrExit } from '../lib/startup-checks';
import { migrateDatabase } from './processes';

async function main(): Promise<number> {
  // No dev defaults here (next start would set this too, but only after our checks).
  Object.assign(process.env, { NODE_ENV: 'production' });
  checkEnvironmentOrExit();
  await migrateDatabase(process.env, (line) => {
    if (line.trim()) console.log(`[prisma] ${line}`);
  });
  const next = spawn(path.join(__dirname, '..', 'node_modules', '.bin', 'next'), ['start', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: process.env,
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => next.kill(signal));
  return new Promise((resolve) => next.once('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1))));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[countersign] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
