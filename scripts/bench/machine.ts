// What the benchmark ran on: figures from a 2-core VM and from a laptop are not comparable.
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  /** 1-, 5- and 15-minute load averages when the run started. */
  loadBefore: number[];
}

export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadBefore: os.loadavg(),
  };
}

export const formatLoad = (load: number[]): string => load.map((n) => n.toFixed(2)).join(' / ');

/** One line per fact, for the console and BENCHMARKS.md; `services` says which PostgreSQL and Temporal. */
export function machineLines(machine: Machine, services: string, loadAfter?: number[]): string[] {
  return [
    `CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memoryGb} GB; ${machine.platform}; Node ${machine.node}`,
    services,
    `Load average (1 / 5 / 15 min): ${formatLoad(machine.loadBefore)} before` + (loadAfter ? `, ${formatLoad(loadAfter)} after` : ''),
  ];
}
