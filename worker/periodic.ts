// A task the worker runs every interval until stopped (the reconciler's
// sweep, the outbox's dispatch): one round at a time, the next `intervalMs`
// after the last ends; a failed round is logged and tried again next time.

/** How long stopping waits for a round in progress (each round's own calls have deadlines). */
const STOP_WAIT_MS = 10_000;

export interface PeriodicTask {
  stop(): Promise<void>;
}

export function startPeriodic(
  name: string,
  intervalMs: number,
  round: (isStopped: () => boolean) => Promise<void>,
  log: (line: string) => void = console.log,
): PeriodicTask {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const isStopped = () => stopped;

  const tick = () => {
    current = round(isStopped)
      .catch((error: unknown) => log(`[${name}] round failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      let limit: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise<void>((resolve) => (limit = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(limit);
    },
  };
}
