// The outbox's lease when a batch is slow, against a real PostgreSQL: a
// dispatcher leases a batch and sends it one message at a time, so a slow
// receiver can make the batch outlast its lease. Another dispatcher then takes
// the messages not yet sent; the first must not send them as well.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../lib/db';
import { dispatchOutbox, type OutboxHandler } from '../../lib/outbox/dispatcher';
import { enqueueOutbox } from '../../lib/outbox/emit';
import { openDb, settleOutbox, waitFor } from './helpers';

describe('the outbox lease of a slow batch', { timeout: 60_000 }, () => {
  let db: Db;

  before(async () => {
    db = await openDb();
    // Other suites' events in the shared database are not these dispatchers' to send.
    await settleOutbox(db);
  });
  after(async () => {
    await db.$disconnect();
  });

  test('a dispatcher whose lease ran out mid-batch leaves the rest to the dispatcher that took them over: each is sent once more at most', async () => {
    const tag = randomUUID();
    for (let i = 0; i < 4; i++) {
      await enqueueOutbox(db, { kind: 'EVENT', dedupeKey: `lease-test:${tag}:${i}`, payload: { tag, i } });
    }
    const ids = (
      await db.outboxMessage.findMany({ where: { dedupeKey: { startsWith: `lease-test:${tag}:` } }, orderBy: { dedupeKey: 'asc' } })
    ).map((m) => m.id);
    const sends: { by: string; id: string }[] = [];
    let releaseFirstSend = () => {};
    const firstSendHeld = new Promise<void>((resolve) => (releaseFirstSend = resolve));
    const handler =
      (by: string): OutboxHandler =>
      async (message) => {
        if ((message.payload as { tag?: string }).tag !== tag) return { ok: true };
        sends.push({ by, id: message.id });
        // The first dispatcher's first send hangs, as on a receiver that takes its time.
        if (by === 'first' && sends.filter((s) => s.by === 'first').length === 1) await firstSendHeld;
        return { ok: true };
      };

    const first = dispatchOutbox(db, { handlers: { EVENT: handler('first') }, leaseMs: 500, batchSize: 4 });
    await waitFor('the first send', async () => sends.length === 1);
    // The whole batch's lease runs out while that send hangs.
    await waitFor('the lease to run out', async () => {
      const [row] = await db.$queryRaw<{ live: bigint }[]>`
        SELECT count(*) AS live FROM outbox_messages WHERE id = ANY(${ids}::text[]) AND leased_until > now()`;
      return row?.live === 0n;
    });
    // Another dispatcher takes the batch over and sends all four, the hanging one too: its sender may be dead.
    await dispatchOutbox(db, { handlers: { EVENT: handler('second') }, batchSize: 4 });
    releaseFirstSend();
    await first;

    // In any order: a batch's order is not a promise (UPDATE … RETURNING keeps none).
    assert.deepEqual(
      sends
        .filter((s) => s.by === 'second')
        .map((s) => s.id)
        .sort(),
      [...ids].sort(),
      'the second dispatcher sends every message',
    );
    // The first finishes the send it was in, and sends nothing else: those are no longer its to send.
    const byFirst = sends.filter((s) => s.by === 'first').map((s) => s.id);
    assert.equal(byFirst.length, 1, `the first dispatcher sent ${byFirst.length} messages`);
    assert.ok(ids.includes(byFirst[0] ?? ''), 'the first dispatcher sent one of this test’s messages');
    const rows = await db.outboxMessage.findMany({ where: { id: { in: ids } }, select: { status: true, leasedUntil: true } });
    assert.deepEqual(
      rows.map((r) => [r.status, r.leasedUntil]),
      ids.map(() => ['SENT', null]),
    );
  });
});
