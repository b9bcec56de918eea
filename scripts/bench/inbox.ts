// Inbox render at 1k, 100k and 1,000,000 pending.
// Not built yet: the table shows it as "not measured yet" until `run` replaces `todo`.
import type { Measure } from './measures';

export const inboxMeasures: Measure[] = [
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
];
