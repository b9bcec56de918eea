// CPU time by process, from /proc: the bench's own process tree (its
// PostgreSQL, Temporal dev server, web and worker) read before and after a
// run. On two cores a sustained run is CPU-bound, so CPU per decision, by
// process, says who the decisions' time went to.
import fs from 'node:fs';

/** Linux's USER_HZ: /proc's CPU times are in these ticks. */
const TICKS_PER_SECOND = 100;

export const CPU_GROUPS = ['web', 'worker', 'temporal', 'postgres', 'bench'] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
  command: string;
}

function readProcs(): Proc[] {
  const procs: Proc[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command sits in parentheses and may hold spaces: the fields after it are split from its end.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, and the reaped children's cutime 16,
      // cstime 17 (man 5 proc): a PostgreSQL backend that ended is counted in the postmaster's.
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      procs.push({ pid: Number(name), ppid: Number(fields[1]), ticks, command });
    } catch {
      // gone meanwhile
    }
  }
  return procs;
}

/** CPU seconds used so far by each group of the bench's process tree (an ended process counts in its parent's, once reaped). */
export function cpuSnapshot(pids: { web: number; worker: number }): Record<CpuGroup, number> {
  const procs = readProcs();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const totals: Record<CpuGroup, number> = { web: 0, worker: 0, temporal: 0, postgres: 0, bench: 0 };
  for (const proc of procs) {
    // Walk up to the bench: a process outside its tree is someone else's.
    let group: CpuGroup | undefined;
    for (let p: Proc | undefined = proc; p; p = byPid.get(p.ppid)) {
      if (p.pid === pids.web) group ??= 'web';
      else if (p.pid === pids.worker) group ??= 'worker';
      else if (/\btemporal\b.*\bserver\b/.test(p.command)) group ??= 'temporal';
      else if (/postgres/.test(p.command)) group ??= 'postgres';
      if (p.pid === process.pid) {
        totals[group ?? 'bench'] += proc.ticks / TICKS_PER_SECOND;
        break;
      }
    }
  }
  return totals;
}

/** A table row's cells: CPU ms per decision of each group between two snapshots, and their sum. */
export function cpuPerDecision(before: Record<CpuGroup, number>, after: Record<CpuGroup, number>, decisions: number): number[] {
  const each = CPU_GROUPS.map((g) => (decisions > 0 ? ((after[g] - before[g]) * 1000) / decisions : NaN));
  return [...each, each.reduce((a, b) => a + b, 0)];
}
