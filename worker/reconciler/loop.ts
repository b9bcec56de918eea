// Runs the reconciler's sweep (./sweep.ts) every interval
// until stopped. A failed sweep is logged and tried again next time.
import { startPeriodic, type PeriodicTask } from '../periodic';
import type { ReconcileReport, Sweeper } from './sweep';

/** A quiet sweep's calls are logged once in this many sweeps (every 10 minutes at 15 s): what the reconciler costs, even when nothing changes. */
const QUIET_LOG_EVERY = 40;

/** The log line of one sweep: what it changed, and the Temporal calls it made. */
export function describeSweep(report: ReconcileReport): string {
  const { lists, describes, histories } = report.calls;
  return (
    `[reconciler] checked ${report.checked}: ${report.filled} written from history, ${report.closed} closed, ${report.failed} failed; ` +
    `Temporal calls: ${lists} list pages, ${describes} describes, ${histories} history reads`
  );
}

export function startReconciler(sweeper: Sweeper, intervalMs: number, log: (line: string) => void = console.log): PeriodicTask {
  let sweeps = 0;
  return startPeriodic(
    'reconciler',
    intervalMs,
    async () => {
      const report = await sweeper.sweep();
      if (report.filled || report.closed || report.failed || sweeps % QUIET_LOG_EVERY === 0) log(describeSweep(report));
      sweeps += 1;
    },
    log,
  );
}
