// Runs the outbox dispatcher (lib/outbox/dispatcher.ts) every interval until
// stopped, and emits the reminders that have come due. A round that fills
// its batch goes again at once; a failed round is logged and tried next time.
import type { Db } from '../lib/db';
import { dispatchOutbox, type DispatchOptions } from '../lib/outbox/dispatcher';
import { emitDueReminders } from '../lib/email/reminders';

/** How long stopping waits for a round in progress (a send has its own timeouts). */
const STOP_WAIT_MS = 10_000;
/** Reminders are minutes-grained: no need to look every second. */
const REMINDER_EVERY_MS = 15_000;

export interface OutboxLoop {
  stop(): Promise<void>;
}

export function startOutboxLoop(
  db: Db,
  options: DispatchOptions & { intervalMs: number; reminders?: boolean },
  log: (line: string) => void = console.log,
): OutboxLoop {
  const { intervalMs, reminders = true, ...dispatch } = options;
  const batchSize = dispatch.batchSize ?? 20;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let lastReminders = 0;

  const round = async () => {
    if (reminders && Date.now() - lastReminders >= REMINDER_EVERY_MS) {
      lastReminders = Date.now();
      const added = await emitDueReminders(db);
      if (added) log(`[outbox] ${added} reminder${added === 1 ? '' : 's'} due`);
    }
    while (!stopped && (await dispatchOutbox(db, dispatch)) >= batchSize) {
      // A full batch: more may be waiting.
    }
  };
  const tick = () => {
    current = round()
      .catch((error: unknown) => log(`[outbox] round failed: ${error instanceof Error ? error.message : String(error)}`))
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
