// What a slow Temporal may hold: a person's in-flight decisions and claims, and
// the connections all of them together may hold (no database needed: the
// limits are counted before any connection is taken).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DECISIONS_PER_USER, inFlight, lockedConnectionsOf } from '../../lib/approvals/commands/in-flight';
import { ApprovalError } from '../../lib/approvals/errors';
import { createDb, type PoolSettings } from '../../lib/db';

/** A client whose pool is never used: nothing here reaches the database. */
const limitsOf = (settings: Partial<PoolSettings> = {}) => inFlight(createDb('postgresql://nobody@127.0.0.1:9/none', settings));

/** A promise with its resolve, to hold a slot until the test lets go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const isCode = (code: string) => (error: unknown) => error instanceof ApprovalError && error.code === code;

describe('in-flight decisions per person', () => {
  test(`a person may have ${DECISIONS_PER_USER} in flight; one more is refused BUSY (429), with a sentence they can act on`, async () => {
    const limits = limitsOf();
    const held = gate();
    const running = Array.from({ length: DECISIONS_PER_USER }, () => limits.asUser('ana@example.com', 1, () => held.opened));
    await assert.rejects(
      limits.asUser('ana@example.com', 1, async () => 'never run'),
      (error: unknown) =>
        isCode('BUSY')(error) &&
        error instanceof ApprovalError &&
        error.httpStatus === 429 &&
        error.message === `You have ${DECISIONS_PER_USER} decisions in progress; wait for them to finish, then try again.`,
    );
    held.open();
    await Promise.all(running);
  });

  test('the limit is per person, spelled either way, and a slot is free again once its decision ends, even in failure', async () => {
    const limits = limitsOf();
    const held = gate();
    const running = Array.from({ length: DECISIONS_PER_USER }, () => limits.asUser('Ana@Example.com', 1, () => held.opened));
    await assert.rejects(
      limits.asUser('ana@example.com', 1, async () => undefined),
      isCode('BUSY'),
    );
    assert.equal(await limits.asUser('bo@example.com', 1, async () => 'bo decides'), 'bo decides');
    held.open();
    await Promise.all(running);
    await assert.rejects(
      limits.asUser('ana@example.com', 1, () => Promise.reject(new Error('Temporal said no'))),
      /Temporal said no/,
    );
    const all = await limits.asUser('ana@example.com', DECISIONS_PER_USER, async (slots) => slots);
    assert.equal(all, DECISIONS_PER_USER, 'every slot came back');
  });

  test('a bulk decision runs in the slots left: never refused by its own lanes, refused only when none is free', async () => {
    const limits = limitsOf();
    const held = gate();
    const single = limits.asUser('cy@example.com', 1, () => held.opened);
    const lanes = gate();
    const bulk = limits.asUser('cy@example.com', DECISIONS_PER_USER, async (slots) => {
      lanes.open();
      await held.opened;
      return slots;
    });
    await lanes.opened;
    await assert.rejects(
      limits.asUser('cy@example.com', 1, async () => undefined),
      isCode('BUSY'),
    );
    held.open();
    assert.equal(await bulk, DECISIONS_PER_USER - 1);
    await single;
  });
});

describe('connections held while Temporal answers', () => {
  test('are half of the pool, at least one', () => {
    assert.equal(lockedConnectionsOf(20), 10);
    assert.equal(lockedConnectionsOf(5), 2);
    assert.equal(lockedConnectionsOf(1), 1);
  });

  test('one more waits its turn, as long as for a connection, then is refused OVERLOADED (503): "busy", nothing changed', async () => {
    const limits = limitsOf({ size: 4, connectTimeoutMs: 100 });
    const held = gate();
    const holding = [0, 1].map(() => limits.holdingConnection(() => held.opened));
    let ran = false;
    await assert.rejects(
      limits.holdingConnection(async () => {
        ran = true;
      }),
      (error: unknown) =>
        isCode('OVERLOADED')(error) &&
        error instanceof ApprovalError &&
        error.httpStatus === 503 &&
        error.message === 'Countersign is busy right now. Nothing was changed: try again in a moment.',
    );
    assert.equal(ran, false);
    held.open();
    await Promise.all(holding);
  });

  test('a turn passes to the next in line as soon as one ends, in order', async () => {
    const limits = limitsOf({ size: 2, connectTimeoutMs: 10_000 });
    const first = gate();
    const order: string[] = [];
    const holding = limits.holdingConnection(async () => {
      await first.opened;
      order.push('first');
    });
    const queued = ['second', 'third'].map((name) => limits.holdingConnection(async () => void order.push(name)));
    first.open();
    await Promise.all([holding, ...queued]);
    assert.deepEqual(order, ['first', 'second', 'third']);
  });
});
