// The per-user cap on open live-update streams (lib/web/stream-limits.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStreamSlots } from '../../lib/web/stream-limits';

describe('stream slots', () => {
  test('a user gets as many slots as the cap, and none beyond it', () => {
    const slots = createStreamSlots(2);
    assert.ok(slots.acquire('ann'));
    assert.ok(slots.acquire('ann'));
    assert.equal(slots.acquire('ann'), null);
    assert.equal(slots.held('ann'), 2);
  });

  test('each user has a cap of their own', () => {
    const slots = createStreamSlots(1);
    assert.ok(slots.acquire('ann'));
    assert.ok(slots.acquire('bob'));
    assert.equal(slots.acquire('ann'), null);
  });

  test('a slot given back can be taken again, and giving it back twice frees only one', () => {
    const slots = createStreamSlots(2);
    const first = slots.acquire('ann');
    assert.ok(slots.acquire('ann'));
    assert.ok(first);
    first();
    first();
    assert.equal(slots.held('ann'), 1);
    assert.ok(slots.acquire('ann'));
    assert.equal(slots.acquire('ann'), null);
  });
});
