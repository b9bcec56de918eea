// Runs the reconciler's sweep (./sweep.ts) every interval
// until stopped. A failed sweep is logged and tried again next time.
import { startPeriodic, type PeriodicTask } from '../periodic';
import type { Sweeper } from './sweep';

export function startReconciler(sweeper: Sweeper, intervalMs: number, log: (line: string) => void = console.log): PeriodicTask {
  return startPeriodic(
    'reconciler',
    intervalMs,
    async () => {
      const report = await sweeper.sweep();
      if (report.filled || report.closed || report.failed) {
        log(
          `[reconciler] checked ${report.checked}: ${report.filled} written from history, ${report.closed} closed, ${report.failed} failed`,
        );
      }
    },
    log,
  );
}
