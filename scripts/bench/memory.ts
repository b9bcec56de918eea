// Peak RSS of the web and worker processes under load.
// Not built yet: the table shows it as "not measured yet" until `run` replaces `todo`.
import type { Measure } from './measures';

export const memoryMeasures: Measure[] = [
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
