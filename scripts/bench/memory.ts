// Peak RSS of the web server (`next start`) and the worker since they started:
// the kernel's high-water mark (VmHWM in /proc/<pid>/status) of each process
// and of any process it started. Run last, it is the peak under every measure
// of the run before it. The targets are absolute, so the baseline column holds
// the limit (not a measurement) with a target of ≤ 1× of it: the verdict reads
// met or missed.
import fs from 'node:fs';
import type { BenchContext, Measure, Row } from './measures';

const LIMIT_MB = { web: 300, worker: 250 } as const;

interface ProcessMemory {
  pid: number;
  name: string;
  peakMb: number;
  rssMb: number;
}

/** The command line, short (status's Name is cut at 15 characters: "next-server (v1"). */
function commandOf(pid: number): string {
  try {
    const words = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return (
      words
        .join(' ')
        .replace(/^\S*\/node\b/, 'node')
        .slice(0, 60) || '?'
    );
  } catch {
    return '?';
  }
}

function readStatus(pid: number): ProcessMemory | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // gone
  }
  const mb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { pid, name: commandOf(pid), peakMb: mb('VmHWM'), rssMb: mb('VmRSS') };
}

/** Every process under `root` (children, grandchildren…), from the parent pid in /proc/<pid>/stat. */
function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces: the fields after its last ")" are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length) {
    const children = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...children);
    frontier = children;
  }
  return found;
}

function rowOf(ctx: BenchContext, which: 'web' | 'worker', pid: number, pending: number): Row {
  const label = which === 'web' ? 'web (`next start`)' : 'worker';
  const measure = `memory: peak RSS since start, ${label}`;
  const limit = LIMIT_MB[which];
  const root = readStatus(pid);
  if (!root) return { measure, figure: 'peak RSS', unit: 'MB', note: `Process ${pid} is gone: not measured.` };
  const children = descendantsOf(pid)
    .map(readStatus)
    .filter((p): p is ProcessMemory => p !== undefined);
  // Peaks of different processes need not coincide: their sum is an upper bound of the whole's peak.
  const peak = root.peakMb + children.reduce((sum, p) => sum + p.peakMb, 0);
  const processes = [root, ...children]
    .map((p) => `${p.name} ${p.pid}: peak ${Math.round(p.peakMb)} MB, now ${Math.round(p.rssMb)} MB`)
    .join('; ');
  ctx.log(`memory: ${label} ${processes}`);
  return {
    measure,
    figure: 'peak RSS (VmHWM)',
    unit: 'MB',
    baseline: limit,
    countersign: peak,
    target: { kind: 'max', ratio: 1 },
    note:
      `Target ≤ ${limit} MB (absolute): the baseline column is that limit, not a measurement. ` +
      (children.length
        ? `The process and its ${children.length} child process(es), peaks summed (an upper bound): ${processes}.`
        : `One process (it started no other): ${processes}.`) +
      ` Peak since it started, under the measures that ran before in this run; ${pending} requests pending (their workflows open) when read.` +
      (which === 'worker'
        ? ctx.workerEnv.WORKFLOW_BUNDLE
          ? ' Workflows from the prebuilt bundle (WORKFLOW_BUNDLE).'
          : ' Workflows bundled with webpack at start (WORKFLOW_BUNDLE unset; production uses the prebuilt bundle, see the worker-start rows).'
        : ''),
  };
}

async function run(ctx: BenchContext): Promise<Row[]> {
  // Open workflows stay in the worker's cache: its memory follows how many are waiting.
  const [row] = await ctx.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM approval_requests WHERE status = 'PENDING'`;
  const pending = Number(row?.n ?? 0);
  return [rowOf(ctx, 'web', ctx.pids.web, pending), rowOf(ctx, 'worker', ctx.pids.worker, pending)];
}

export const memoryMeasures: Measure[] = [{ name: 'memory', run }];
