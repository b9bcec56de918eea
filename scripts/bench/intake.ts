// Intake: workflows started → request visible in the inbox, against raw start → token stored.
// Not built yet: the table shows it as "not measured yet" until `run` replaces `todo`.
import type { Measure } from './measures';

export const intakeMeasures: Measure[] = [
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
];
