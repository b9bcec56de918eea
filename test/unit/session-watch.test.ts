// Ending the live streams of a deactivated user (lib/web/session-watch.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSessionWatch } from '../../lib/web/session-watch';

/** A watch whose "database" is a set of active ids, and whose checks the test runs by hand. */
function watchOver(active: Set<string>) {
  const asked: string[][] = [];
  const watch = createSessionWatch({
    intervalMs: 60_000,
    log: () => {},
    async activeAmong(ids) {
      asked.push([...ids].sort());
      return new Set(ids.filter((id) => active.has(id)));
    },
  });
  return { watch, asked };
}

describe('session watch', () => {
  test('ends every stream of a user found inactive, once, and leaves the others open', async () => {
    const active = new Set(['ann', 'bob']);
    const { watch } = watchOver(active);
    const ended: string[] = [];
    const stopAnn = watch.watch('ann', () => ended.push('ann-1'));
    watch.watch('ann', () => ended.push('ann-2'));
    watch.watch('bob', () => ended.push('bob'));

    await watch.check();
    assert.deepEqual(ended, []);

    active.delete('ann');
    await watch.check();
    assert.deepEqual(ended.sort(), ['ann-1', 'ann-2']);
    await watch.check();
    assert.equal(ended.length, 2, 'ended once');
    stopAnn(); // a stream closing after it was ended: harmless
  });

  test('asks once per check about every watched user, and not at all while none is watched', async () => {
    const { watch, asked } = watchOver(new Set(['ann', 'bob']));
    await watch.check();
    assert.deepEqual(asked, []);
    const stops = [watch.watch('ann', () => {}), watch.watch('bob', () => {}), watch.watch('bob', () => {})];
    await watch.check();
    assert.deepEqual(asked, [['ann', 'bob']]);
    for (const stop of stops) stop();
    await watch.check();
    assert.equal(asked.length, 1);
  });

  test('a failed check ends nothing', async () => {
    const ended: string[] = [];
    const watch = createSessionWatch({
      intervalMs: 60_000,
      log: () => {},
      activeAmong: () => Promise.reject(new Error('timeout exceeded when trying to connect')),
    });
    watch.watch('ann', () => ended.push('ann'));
    await watch.check();
    assert.deepEqual(ended, []);
  });
});
