// A memory probe for the worker (issue 12): starts worker/main.ts with given node
// flags and env, opens pending orders, completes them with the raw client while
// sampling /proc/<pid>/status, then reads the heap after a full GC (hook.mjs).
// Run: npx tsx scripts/with-services.ts -- npx tsx scripts/memory-probe/run.ts <json variants>
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { getDb } from '../../lib/db';
import { createPendingOrders, inLanes, waitUntilRecorded } from '../bench/orders';

interface Variant {
  name: string;
  flags?: string[];
  env?: Record<string, string>;
}
const ROOT = path.resolve(__dirname, '..', '..');
const PENDING = Number(process.env.PROBE_PENDING ?? 400);
const DECIDE = Number(process.env.PROBE_DECIDE ?? 300);

/** CPU ms the process has used (user + system), from /proc. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100 a second)
}

function status(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (f: string) => Math.round(Number(new RegExp(`^${f}:\\s+(\\d+) kB$`, 'm').exec(s)?.[1] ?? NaN) / 1024);
  return { rss: mb('VmRSS'), hwm: mb('VmHWM') };
}

const samplers: NodeJS.Timeout[] = [];
const clearIntervals = () => samplers.splice(0).forEach(clearInterval);

async function probe(v: Variant, client: Client, db: ReturnType<typeof getDb>) {
  const taskQueue = `probe-${v.name.replace(/\W+/g, '-')}-${Date.now()}`;
  const out = `/tmp/memory-probe-${process.pid}-${taskQueue}.json`;
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', path.join(__dirname, 'hook.mjs'), ...(v.flags ?? []), '--import', 'tsx', 'worker/main.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, MEMORY_PROBE_OUT: out, ...v.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const pid = child.pid ?? 0;
  const t0 = Date.now();
  while (!output.includes('[worker] ready')) {
    if (child.exitCode !== null) throw new Error(`worker exited: ${output}`);
    if (Date.now() - t0 > 180_000) throw new Error('not ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  const ready = status(pid);
  let maxRss = 0;
  const sampler = setInterval(() => {
    try {
      maxRss = Math.max(maxRss, status(pid).rss);
    } catch {
      /* gone */
    }
  }, 100);
  samplers.push(sampler);
  let stopping = false;
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`worker died (${code ?? signal}), peak ${maxRss} MB: ${output.slice(-600)}`));
    }),
  );
  died.catch(() => undefined);
  const cpuAtReady = cpuMs(pid);
  const openStarted = Date.now();
  const orders = await Promise.race([createPendingOrders(db, client, taskQueue, PENDING), died]);
  const openS = (Date.now() - openStarted) / 1000;
  const cpuOpen = cpuMs(pid) - cpuAtReady;
  const afterOpen = status(pid);
  const decided = orders.slice(0, DECIDE);
  await Promise.race([
    inLanes(decided, 16, async (o) => {
      await client.activity.complete(o.taskToken, { approved: true, reviewer: 'probe' });
    }),
    died,
  ]);
  await Promise.race([waitUntilRecorded(db, decided), died]);
  const cpuDecided = cpuMs(pid) - cpuAtReady - cpuOpen;
  stopping = true;
  await new Promise((r) => setTimeout(r, 3000)); // outbox drains
  const end = status(pid);
  child.kill('SIGUSR2');
  let heap: { before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage } | undefined;
  for (let i = 0; i < 50 && !heap; i++) {
    await new Promise((r) => setTimeout(r, 200));
    if (fs.existsSync(out)) heap = JSON.parse(fs.readFileSync(out, 'utf8'));
  }
  clearInterval(sampler);
  fs.writeFileSync(`${out}.gc`, '');
  await new Promise((r) => setTimeout(r, 1500));
  const dir = path.dirname(out);
  const threads = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(`${path.basename(out)}.thread`))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, number>);
  const mb = (n?: number) => (n === undefined ? '?' : Math.round(n / 1024 / 1024));
  const line = {
    variant: v.name,
    openS,
    cpuMsPerOpen: Math.round(cpuOpen / PENDING),
    cpuMsPerDecided: Math.round(cpuDecided / DECIDE),
    readyRss: ready.rss,
    readyHwm: ready.hwm,
    afterOpenRss: afterOpen.rss,
    endRss: end.rss,
    peakHwm: end.hwm,
    heapUsedBefore: mb(heap?.before.heapUsed),
    heapTotal: mb(heap?.before.heapTotal),
    heapUsedAfterGc: mb(heap?.after.heapUsed),
    externalAfterGc: mb(heap?.after.external),
    arrayBuffersAfterGc: mb(heap?.after.arrayBuffers),
    rssAfterGc: mb(heap?.after.rss),
    threads,
  };
  console.log(JSON.stringify(line));
  // Cancel the still-open workflows so the next variant starts from the same load.
  await inLanes(orders.slice(DECIDE), 16, async (o) => {
    await client.workflow
      .getHandle(o.workflowId)
      .terminate('probe done')
      .catch(() => undefined);
  });
  const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  child.kill('SIGKILL');
}

async function main() {
  const variants = JSON.parse(process.argv[2] ?? '[{"name":"default"}]') as Variant[];
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  const db = getDb();
  for (const v of variants) {
    console.error(`[probe] ${v.name}`);
    await probe(v, client, db).catch((e: unknown) => {
      clearIntervals();
      console.log(JSON.stringify({ variant: v.name, failed: String(e) }));
    });
  }
  console.error('[probe] done');
  await connection.close();
  await db.$disconnect();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
