// Where a decision's time goes: the web process's own clock of each step
// (countersign_decision_phase_seconds, lib/metrics/phases.ts), read from
// GET /api/metrics before and after a run, beside what the bench's client
// timed end to end. What the domain does not account for is the web around
// it: HTTP, authentication, Next.js, and the server action's re-render.
import { DECISION_PHASES } from '../../lib/metrics/phases';
import type { BenchContext } from './measures';

/** Sum and count of each series, by its name and labels as printed. */
type Snapshot = Map<string, { sum: number; count: number }>;

const SERIES = /^(countersign_decision_(?:phase|duration)_seconds)_(sum|count)\{([^}]*)\} ([0-9.eE+-]+)$/;

/** The decision histograms' sums and counts, as the web process has them now. */
export async function readDecisionClocks(ctx: BenchContext): Promise<Snapshot> {
  const res = await fetch(`${ctx.base}/api/metrics`, { headers: { authorization: `Bearer ${ctx.metricsToken}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /api/metrics answered ${res.status}: ${text.slice(0, 200)}`);
  const snapshot: Snapshot = new Map();
  for (const line of text.split('\n')) {
    const match = SERIES.exec(line);
    if (!match) continue;
    const [, name, field, labels, value] = match;
    const labelMap = Object.fromEntries(
      (labels ?? '').split(',').map((pair) => {
        const [k, v] = pair.split('=');
        return [k, (v ?? '').replace(/^"|"$/g, '')];
      }),
    );
    // Phases by path and step; the decision histogram by path (its outcomes summed).
    const key = name?.includes('phase') ? `${labelMap.path}/${labelMap.phase}` : `${labelMap.path}/total`;
    const entry = snapshot.get(key) ?? { sum: 0, count: 0 };
    if (field === 'sum') entry.sum += Number(value);
    else entry.count += Number(value);
    snapshot.set(key, entry);
  }
  return snapshot;
}

/** Mean ms per decision of one series between two snapshots (a step a decision did not reach counts as 0 for it). */
function meanMs(before: Snapshot, after: Snapshot, key: string, decisions: number): number | undefined {
  const a = after.get(key);
  if (!a || decisions === 0) return undefined;
  const b = before.get(key) ?? { sum: 0, count: 0 };
  return ((a.sum - b.sum) * 1000) / decisions;
}

export interface PathTiming {
  /** The table's column name. */
  label: string;
  /** The label of the path in the metrics: DASHBOARD (the server action) or API. */
  path: string;
  /** The bench client's mean end-to-end ms, over the same decisions. */
  endToEndMs: number;
}

const fmt = (ms: number | undefined) => (ms === undefined ? '–' : ms.toFixed(1));

/** A markdown table: each step's mean ms per decision, per path, and what lies outside the domain. */
export function phaseTable(title: string, before: Snapshot, after: Snapshot, paths: PathTiming[], rawMs?: number): string[] {
  const decisions = paths.map((p) => {
    const a = after.get(`${p.path}/total`)?.count ?? 0;
    const b = before.get(`${p.path}/total`)?.count ?? 0;
    return a - b;
  });
  const lines = [
    `**${title}**: mean ms per decision, as the web process clocked each step (\`countersign_decision_phase_seconds\`).`,
    '',
    `| step | ${paths.map((p) => p.label).join(' | ')} |`,
    `|---|${paths.map(() => '---:').join('|')}|`,
  ];
  for (const phase of DECISION_PHASES) {
    lines.push(`| ${phase} | ${paths.map((p, i) => fmt(meanMs(before, after, `${p.path}/${phase}`, decisions[i] ?? 0))).join(' | ')} |`);
  }
  const domain = paths.map((p, i) => meanMs(before, after, `${p.path}/total`, decisions[i] ?? 0));
  lines.push(`| **the decision (domain), all steps** | ${domain.map(fmt).join(' | ')} |`);
  lines.push(
    `| outside the domain: HTTP, authentication, Next.js${paths.some((p) => p.path === 'DASHBOARD') ? ', the action’s re-render' : ''} | ${paths
      .map((p, i) => fmt(domain[i] === undefined ? undefined : p.endToEndMs - (domain[i] ?? 0)))
      .join(' | ')} |`,
  );
  lines.push(`| **end to end, as the bench's client timed it** | ${paths.map((p) => fmt(p.endToEndMs)).join(' | ')} |`);
  if (rawMs !== undefined) lines.push(`| raw \`client.activity.complete\`, same run | ${paths.map(() => fmt(rawMs)).join(' | ')} |`);
  lines.push('', `Decisions counted: ${paths.map((p, i) => `${p.label} ${decisions[i]}`).join(', ')}.`);
  return lines;
}
