// Runs the outbox dispatcher (lib/outbox/dispatcher.ts) every interval until
// stopped, and emits the reminders that have come due. A round that fills
// its batch goes again at once; a failed round is logged and tried next time.
import type { Db } from '../lib/db';
import { dispatchOutbox, type DispatchOptions } from '../lib/outbox/dispatcher';
import { emitDueReminders } from '../lib/email/reminders';
import { startPeriodic, type PeriodicTask } from './periodic';

/** Reminders are minutes-grained: no need to look every second. */
const REMINDER_EVERY_MS = 15_000;

export function startOutboxLoop(
  db: Db,
  options: DispatchOptions & { intervalMs: number; reminders?: boolean },
  log: (line: string) => void = console.log,
): PeriodicTask {
  const { intervalMs, reminders = true, ...dispatch } = options;
  const batchSize = dispatch.batchSize ?? 20;
  let lastReminders = 0;
  return startPeriodic(
    'outbox',
    intervalMs,
    async (isStopped) => {
      if (reminders && Date.now() - lastReminders >= REMINDER_EVERY_MS) {
        lastReminders = Date.now();
        const added = await emitDueReminders(db);
        if (added) log(`[outbox] ${added} reminder${added === 1 ? '' : 's'} due`);
      }
      while (!isStopped() && (await dispatchOutbox(db, dispatch)) >= batchSize) {
        // A full batch: more may be waiting.
      }
    },
    log,
  );
}
