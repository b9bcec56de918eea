// An approval event, fanned out to the webhooks subscribed to it: one WEBHOOK
// outbox message per endpoint, in the dispatcher's transaction.
import type { Prisma } from '@prisma/client';
import type { ApprovalEvent } from '../outbox/emit';

/** Enqueues a delivery of `event` for each active webhook subscribed to its type. Returns how many. */
export async function fanOutToWebhooks(tx: Prisma.TransactionClient, event: ApprovalEvent, eventId: string): Promise<number> {
  void tx;
  void event;
  void eventId;
  return 0; // the webhooks module fills this in
}
