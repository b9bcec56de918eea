// Live update: committed → event in open browser streams (10 and 200).
// Not built yet: the table shows it as "not measured yet" until `run` replaces `todo`.
import type { Measure } from './measures';

export const liveUpdateMeasures: Measure[] = [
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
];
