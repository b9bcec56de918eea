// The other measures, not built yet: each shows in the table as
// "not measured yet" until its module replaces the entry here (a Measure with
// a `run`, as ./decisions.ts has).
import type { Measure } from './measures';

export const laterMeasures: Measure[] = [
  {
    name: 'intake',
    todo: [
      {
        measure: 'intake: workflows started → request visible in the inbox',
        figure: 'requests/s',
        unit: '/s',
        target: { kind: 'min', ratio: 0.9 },
        note: 'Baseline: raw start → token stored.',
      },
    ],
  },
  {
    name: 'live-update',
    todo: [
      {
        measure: 'live update: committed → event in an open browser stream (10 and 200 streams)',
        figure: 'p95',
        unit: 'ms',
        note: 'Target p95 ≤ 1 s (absolute).',
      },
    ],
  },
  {
    name: 'inbox',
    todo: [
      {
        measure: 'inbox render: GET /inbox at 1k, 100k, 1,000,000 pending',
        figure: 'p95',
        unit: 'ms',
        target: { kind: 'max', ratio: 2 },
        note: 'Target p95 ≤ 150 ms at 1M, within 2× of 1k. `npm run bench:inbox` measures up to 100k today.',
      },
    ],
  },
  {
    name: 'reconciler',
    todo: [
      {
        measure: 'reconciler: 10,000 pending, 100 decided from outside by id',
        figure: 'p95 visible',
        unit: 's',
        note: 'Target p95 ≤ 30 s; Temporal calls per sweep reported and bounded.',
      },
    ],
  },
  {
    name: 'memory',
    todo: [
      {
        measure: 'memory: peak RSS under the load above',
        figure: 'web, worker',
        unit: 'MB',
        note: 'Target web ≤ 300 MB, worker ≤ 250 MB (absolute).',
      },
    ],
  },
];
