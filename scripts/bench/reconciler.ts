// The reconciler: pending rows decided from outside by id, and the Temporal calls it makes per sweep.
// Not built yet: the table shows it as "not measured yet" until `run` replaces `todo`.
import type { Measure } from './measures';

export const reconcilerMeasures: Measure[] = [
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
];
