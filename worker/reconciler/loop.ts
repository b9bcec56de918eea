// Runs the reconciler's sweep (./sweep.ts) every interval
// until stopped. A failed sweep is logged and tried again next time.
import type { Sweeper } from './sweep';

/** How long stopping waits for a sweep in progress. */
const STOP_WAIT_MS = 10_000;

export interface ReconcilerLoop {
  stop(): Promise<void>;
}

export function startReconciler(sweeper: Sweeper, intervalMs: number, log: (line: string) => void = console.log): ReconcilerLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const tick = () => {
    current = sweeper
      .sweep()
      .then(
        (report) => {
          if (report.filled || report.closed || report.failed) {
            log(
              `[reconciler] checked ${report.checked}: ${report.filled} written from history, ${report.closed} closed, ${report.failed} failed`,
            );
          }
        },
        (error: unknown) => log(`[reconciler] sweep failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // Every Temporal call of a sweep has a deadline; this bounds the rest (the database).
      let limit: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise<void>((resolve) => (limit = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(limit);
    },
  };
}
