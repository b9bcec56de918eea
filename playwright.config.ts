// End-to-end tests in Debian's Chromium against the production build, a real
// worker, a real Temporal server and a real PostgreSQL (given by env; see
// scripts/with-services.ts, which `npm test` runs this under).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { defineConfig } from '@playwright/test';

for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS'] as const) {
  if (!process.env[name]) throw new Error(`${name} is not set: run the e2e tests through \`npm test\` (or scripts/with-services.ts).`);
}
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// Set once in the runner; test workers inherit it, so all share one queue and secret.
process.env.TEMPORAL_TASK_QUEUE ??= `countersign-e2e-${randomBytes(4).toString('hex')}`;
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString('hex');
// GET /api/metrics's bearer token (e2e/health-metrics.spec.ts sends it).
process.env.METRICS_TOKEN ??= randomBytes(32).toString('hex');
// The workers' SMTP server: e2e/many-processes.spec.ts listens there while it runs (else a mail fails and is retried later).
process.env.E2E_SMTP_PORT ??= String(freePortNow());

/** A port the OS says is free now; synchronous, since the config is evaluated synchronously. */
function freePortNow(): number {
  const script = "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })";
  return Number(execFileSync(process.execPath, ['-e', script]).toString().trim());
}

/** The environment of the web server and the worker below; e2e/many-processes.spec.ts starts a second of each with it. */
export const serverEnv = {
  NEXT_DIST_DIR: '.next-test',
  NEXTAUTH_URL: baseURL,
  NEXT_TELEMETRY_DISABLED: '1',
  APPROVAL_WINDOW: '1h',
  WORKER_LOG_LEVEL: 'WARN',
  // Terminated workflows and other Temporal-side endings show up within seconds.
  RECONCILE_INTERVAL: '1s',
  // Requests per API key per minute: low, so e2e/api.spec.ts reaches it cheaply (every other test uses fresh keys).
  API_RATE_LIMIT: '40',
  METRICS_TOKEN: process.env.METRICS_TOKEN,
  SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
};

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // The machine has no network beyond loopback: keep Chromium from trying.
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts/ },
    // First, alone: its mail and webhooks must go out within a couple of minutes,
    // which they cannot once the other specs' requests (many mailed to every
    // reviewer) have filled the one outbox both workers share.
    { name: 'many-processes', testMatch: /many-processes\.spec\.ts/, dependencies: ['setup'] },
    { name: 'chromium', testIgnore: /many-processes\.spec\.ts/, dependencies: ['setup', 'many-processes'] },
  ],
  webServer: [
    {
      command: `npm run build && npx next start -H 127.0.0.1 -p ${port}`,
      url: `${baseURL}/signin`,
      timeout: 300_000,
      env: serverEnv,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: 'npm run worker',
      wait: { stdout: /\[worker\] ready/ },
      timeout: 120_000,
      env: serverEnv,
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    },
  ],
});
