// A summary of V8 CPU profiles (`node --cpu-prof`): self time by package and
// by function, so BENCHMARKS.md can say where the web process's CPU goes.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, the app's bundle, Node itself, or V8's own work. */
export function areaOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : 'V8 builtins';
  if (url.startsWith('node:')) return 'Node.js internals';
  const compiled = /node_modules\/next\/dist\/compiled\/([^/]+)/.exec(url);
  if (compiled) return `next (compiled ${compiled[1]})`;
  const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? 'node_modules';
  if (/\/\.next[^/]*\/server\//.test(url)) return 'the app’s server bundle (Countersign and what Next.js bundled with it)';
  return path.basename(url);
}

export interface ProfileSummary {
  file: string;
  /** Milliseconds sampled, idle excluded. */
  busyMs: number;
  areas: { area: string; ms: number }[];
  /** Time with the area anywhere on the stack (what it and everything it called cost), each sample counted once per area. */
  inclusive: { area: string; ms: number }[];
  functions: { name: string; area: string; ms: number }[];
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; area: string; ms: number }>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inclusive = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busyMs += ms;
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    const entry = functions.get(name) ?? { name, area, ms: 0 };
    entry.ms += ms;
    functions.set(name, entry);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const caller = byId.get(at)?.callFrame;
      if (caller) onStack.add(areaOf(caller));
    }
    for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
  }
  const sorted = <T extends { ms: number }>(list: T[]) => list.sort((a, b) => b.ms - a.ms);
  return {
    file,
    busyMs,
    areas: sorted([...areas].map(([area, ms]) => ({ area, ms }))),
    inclusive: sorted([...inclusive].map(([area, ms]) => ({ area, ms }))),
    functions: sorted([...functions.values()]).slice(0, top),
  };
}

/** Markdown: the areas (all above 1 %) and the top functions by self time. */
export function profileLines(title: string, summary: ProfileSummary, decisions?: number): string[] {
  const pct = (ms: number) => `${((ms / summary.busyMs) * 100).toFixed(1)} %`;
  const perDecision = (ms: number) => (decisions ? ` | ${(ms / decisions).toFixed(2)}` : '');
  return [
    `**${title}**: ${(summary.busyMs / 1000).toFixed(1)} s of CPU sampled (idle excluded)${decisions ? ` over ${decisions} decisions` : ''}.`,
    '',
    `| where (self time) | share${decisions ? ' | ms per decision' : ''} |`,
    `|---|---:${decisions ? '|---:' : ''}|`,
    ...summary.areas.filter((a) => a.ms / summary.busyMs >= 0.01).map((a) => `| ${a.area} | ${pct(a.ms)}${perDecision(a.ms)} |`),
    '',
    '| where (on the stack: it and what it called) | share |',
    '|---|---:|',
    ...summary.inclusive.filter((a) => a.ms / summary.busyMs >= 0.03).map((a) => `| ${a.area} | ${pct(a.ms)} |`),
    '',
    '| function (self time) | where | share |',
    '|---|---|---:|',
    ...summary.functions.map((f) => `| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.area} | ${pct(f.ms)} |`),
  ];
}

/** The largest profile a process wrote into `dir` (a server may start helpers that write small ones too). */
export function largestProfile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  return files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
}
