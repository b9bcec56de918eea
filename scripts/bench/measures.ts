// What a benchmark measure is, and what it reports: each figure beside its
// baseline from the same run, with the target.
import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db';

export interface BenchContext {
  db: Db;
  /** A plain SDK client in this process: the raw baseline. */
  temporal: Client;
  taskQueue: string;
  /** The production web server, and the build it serves (under the checkout). */
  base: string;
  distDir: string;
  quick: boolean;
  /** How long each sustained measure runs. */
  durationMs: number;
  /** Timed samples of each one-at-a-time measure. */
  samples: number;
  log: (line: string) => void;
  /** The process ids of the production web server (`next start`) and the worker, for measures that read their memory. */
  pids: { web: number; worker: number };
  /** Markdown lines a measure adds under the table (BENCHMARKS.md and the console): a profile, say. */
  details: string[];
  /** The bearer token of GET /api/metrics on `base`. */
  metricsToken: string;
  /** The environment the bench's worker runs with (its database and Temporal), for measures that start workers of their own. */
  workerEnv: NodeJS.ProcessEnv;
}

/** A target on the ratio Countersign / baseline. */
export interface Target {
  /** `max`: the ratio must stay at or below `ratio` (times); `min`: at or above it (throughput). */
  kind: 'max' | 'min';
  ratio: number;
}

export interface Row {
  measure: string;
  figure: string;
  unit: string;
  /** Undefined: not measured yet (a TODO in the table). */
  baseline?: number;
  countersign?: number;
  target?: Target;
  /** What the row says beyond the figures: errors, a run cut short, why it is not measured yet. */
  note?: string;
}

export interface Measure {
  /** The --only name. */
  name: string;
  /** Unset: not measured yet; `todo` says what the row will show. */
  run?: (ctx: BenchContext) => Promise<Row[]>;
  todo?: Row[];
}

export const ratioOf = (row: Row): number | undefined =>
  row.baseline !== undefined && row.countersign !== undefined && row.baseline > 0 ? row.countersign / row.baseline : undefined;

/** "met", or "missed by N %" (how far the ratio is from the target, relative to it); undefined without a target. */
export function verdictOf(row: Row): string | undefined {
  const ratio = ratioOf(row);
  if (!row.target || ratio === undefined) return undefined;
  const { kind, ratio: target } = row.target;
  if (kind === 'max' ? ratio <= target : ratio >= target) return 'met';
  const by = kind === 'max' ? ratio / target - 1 : 1 - ratio / target;
  return `missed by ${Math.round(by * 100)} %`;
}

export const targetText = (target: Target | undefined): string => (target ? `${target.kind === 'max' ? '≤' : '≥'} ${target.ratio}×` : '–');
