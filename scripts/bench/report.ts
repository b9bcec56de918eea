// The table (console and BENCHMARKS.md) and BENCHMARKS.md's section for `npm run bench`.
import fs from 'node:fs';
import path from 'node:path';
import { ratioOf, targetText, verdictOf, type Row } from './measures';

const ROOT = path.resolve(__dirname, '..', '..');
const BENCHMARKS = path.join(ROOT, 'BENCHMARKS.md');
/** `npm run bench` owns what lies between these; the rest of the file (the inbox benchmark) is left alone. */
const BEGIN = '<!-- npm run bench: begin (written by scripts/bench.ts) -->';
const END = '<!-- npm run bench: end -->';

const figure = (n: number | undefined, unit: string): string =>
  n === undefined || Number.isNaN(n) ? '–' : `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)} ${unit}`;

export function tableLines(rows: Row[]): string[] {
  const lines = [
    '| measure | figure | baseline | Countersign | ratio | target | verdict | notes |',
    '|---|---|---:|---:|---:|---|---|---|',
  ];
  for (const row of rows) {
    const measured = row.baseline !== undefined || row.countersign !== undefined;
    const ratio = ratioOf(row);
    lines.push(
      `| ${row.measure} | ${row.figure} | ${measured ? figure(row.baseline, row.unit) : 'not measured yet'} | ${measured ? figure(row.countersign, row.unit) : 'not measured yet'} | ${ratio === undefined ? '–' : `${ratio.toFixed(2)}×`} | ${targetText(row.target)} | ${measured ? (verdictOf(row) ?? '–') : 'TODO'} | ${row.note ?? ''} |`,
    );
  }
  return lines;
}

export interface Report {
  command: string;
  date: string;
  machine: string[];
  method: string[];
  rows: Row[];
  /** What the measures added under the table (profiles). */
  details: string[];
}

/** Replaces the section between the markers (or appends it): a rerun updates its own figures only. */
export function writeBenchmarks(report: Report): string {
  const section = [
    BEGIN,
    '## Decisions: Countersign against the raw Temporal SDK (`npm run bench`)',
    '',
    '```sh',
    'npm run bench                         # everything: 30 s runs (most of the time goes to creating pending orders)',
    'npm run bench -- --quick              # 5 s sustained runs, fewer samples: a check that it works',
    'npm run bench -- --only=latency       # one measure: latency, throughput, intake, live-update, inbox, reconciler, worker-start, memory',
    'npm run bench -- --cpu-prof           # and a CPU profile of the web process, summarised under the table',
    'npm run bench -- --duration=10s --samples=50 --skip-build',
    '```',
    '',
    ...report.method,
    '',
    `### Last run: \`${report.command}\`, ${report.date}`,
    '',
    ...report.machine.map((line) => `- ${line}`),
    '',
    ...tableLines(report.rows),
    '',
    ...(report.details.length ? [...report.details, ''] : []),
    'Targets (issue 12): latency p50 ≤ 1.3×, p95 ≤ 1.5× of raw; throughput ≥ 0.9× of raw at the same concurrency. ' +
      '"missed by N %" is how far the ratio is from its target, relative to the target. ' +
      "Under the table: where a decision's time goes (the web's own clock of each step), CPU per decision by process, and the " +
      'measures\' own notes. Why each target is met or missed, with the profiles before and after the changes: "Decisions: what the ' +
      'profile showed" below.',
    END,
  ].join('\n');
  const current = fs.existsSync(BENCHMARKS) ? fs.readFileSync(BENCHMARKS, 'utf8') : '# Benchmarks\n';
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? current.slice(0, begin) + section + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(BENCHMARKS, next);
  return BENCHMARKS;
}
