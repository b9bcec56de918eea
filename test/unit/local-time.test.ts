// Times in the reader's zone, and the shared clock that keeps relative times current.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration } from '../../lib/format';
import {
  createClock,
  formatInZone,
  MAX_TICK_MS,
  MIN_TICK_MS,
  msUntilNextChange,
  nextTickDelay,
  type ClockTimers,
} from '../../lib/local-time';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('formatInZone', () => {
  const winter = new Date('2026-12-03T10:02:00Z');
  const summer = new Date('2026-07-03T10:02:59Z');

  test('shows the day, month, year and minute in the zone, with its short name', () => {
    assert.equal(formatInZone(winter, 'UTC'), '3 Dec 2026, 10:02 UTC');
    assert.equal(formatInZone(winter, 'Europe/Berlin'), '3 Dec 2026, 11:02 CET');
    assert.equal(formatInZone(winter, 'Asia/Tokyo'), '3 Dec 2026, 19:02 GMT+9');
    assert.equal(formatInZone(winter, 'Asia/Kolkata'), '3 Dec 2026, 15:32 GMT+5:30');
  });

  test('follows daylight saving time, and seconds never round the minute up', () => {
    assert.equal(formatInZone(summer, 'Europe/Berlin'), '3 Jul 2026, 12:02 CEST');
    assert.equal(formatInZone(summer, 'Europe/London'), '3 Jul 2026, 11:02 BST');
    assert.equal(formatInZone(summer, 'America/New_York'), '3 Jul 2026, 06:02 GMT-4');
  });

  test('moves the date across midnight, and hours run 00–23', () => {
    assert.equal(formatInZone(new Date('2026-12-31T20:30:00Z'), 'Asia/Tokyo'), '1 Jan 2027, 05:30 GMT+9');
    assert.equal(formatInZone(new Date('2026-12-03T00:05:00Z'), 'UTC'), '3 Dec 2026, 00:05 UTC');
    assert.equal(formatInZone(new Date('2026-12-03T04:05:00Z'), 'America/Los_Angeles'), '2 Dec 2026, 20:05 GMT-8');
  });
});

describe('msUntilNextChange', () => {
  // What a relative time reads (as deadlineUrgency words it), and, by brute force, the first millisecond it reads differently.
  const read = (offsetMs: number) => (offsetMs < 0 ? `overdue ${formatDuration(offsetMs)}` : `${formatDuration(offsetMs)} left`);
  function firstChange(offsetMs: number): number {
    const text = read(offsetMs);
    for (let elapsed = 1; elapsed <= HOUR + 1; elapsed += 1) if (read(offsetMs - elapsed) !== text) return elapsed;
    return Number.POSITIVE_INFINITY;
  }

  test('agrees with formatDuration, counting down and counting up, in each unit', () => {
    const offsets = [
      0,
      1,
      999,
      1_000,
      1_001,
      59 * MINUTE + 59_999,
      HOUR,
      HOUR + 1,
      2 * HOUR + 5 * MINUTE + 30_250,
      DAY - 1,
      DAY + 42_000,
      -1,
      -999,
      -1_000,
      -30 * MINUTE - 250,
      -HOUR + 1,
      -HOUR,
      -3 * HOUR - 10 * MINUTE - 17_000,
      -DAY - 5,
    ];
    for (const offset of offsets) {
      assert.equal(msUntilNextChange(offset), firstChange(offset), `offset ${offset}`);
    }
  });

  test('a time under an hour away changes within a second; hours away, at the next minute', () => {
    assert.ok(msUntilNextChange(45 * MINUTE + 12_300) <= SECOND);
    assert.equal(msUntilNextChange(2 * HOUR + 5 * MINUTE + 30_000), 30_001);
    assert.equal(msUntilNextChange(-(2 * HOUR + 5 * MINUTE + 30_000)), 30_000);
  });
});

describe('nextTickDelay', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');

  test('each second while a shown time has seconds (under an hour either side)', () => {
    assert.equal(nextTickDelay(now, [now + 90 * SECOND]), MIN_TICK_MS);
    assert.equal(nextTickDelay(now, [now - 59 * MINUTE]), MIN_TICK_MS);
    assert.equal(nextTickDelay(now, [now + 5 * DAY, now + 20 * MINUTE]), MIN_TICK_MS);
  });

  test('at the next minute change for times hours away, at most every 30 s', () => {
    assert.equal(nextTickDelay(now, [now + 2 * HOUR + 10_000]), 10_001);
    assert.equal(nextTickDelay(now, [now + 2 * HOUR + 50_000]), MAX_TICK_MS);
    assert.equal(nextTickDelay(now, [now + 3 * DAY + 20 * MINUTE]), MAX_TICK_MS);
    // Exactly on a change ("3d" is about to become "2d 23h"): as soon as allowed.
    assert.equal(nextTickDelay(now, [now + 3 * DAY]), MIN_TICK_MS);
  });

  test('nothing shown, or nothing readable: every 30 s', () => {
    assert.equal(nextTickDelay(now, []), MAX_TICK_MS);
    assert.equal(nextTickDelay(now, [Number.NaN]), MAX_TICK_MS);
  });
});

/** Timers under the test's control: `advance` runs what falls due, in order. */
function fakeTimers(start: number) {
  let now = start;
  let nextId = 1;
  const pending = new Map<number, { at: number; run: () => void }>();
  const timers: ClockTimers = {
    now: () => now,
    setTimeout: (run, ms) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
  };
  function advance(ms: number) {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].run();
    }
    now = until;
  }
  return { timers, advance, pending: () => pending.size };
}

describe('createClock', () => {
  const start = Date.parse('2026-12-03T10:00:00Z');

  test('runs one timer only while subscribed, at the pace the shown times need', () => {
    const fake = fakeTimers(start);
    const clock = createClock(fake.timers);
    assert.equal(fake.pending(), 0);

    const ticks: number[] = [];
    const stopFar = clock.subscribe(() => ticks.push(clock.read()), [start + 3 * DAY]);
    const stopNear = clock.subscribe(() => ticks.push(clock.read()), [start + 10 * MINUTE]);
    assert.equal(fake.pending(), 1, 'one timer for both');

    fake.advance(3 * SECOND);
    // Each tick reaches both subscribers, with the same time.
    assert.deepEqual(ticks, [start + 1000, start + 1000, start + 2000, start + 2000, start + 3000, start + 3000]);

    stopNear();
    ticks.length = 0;
    fake.advance(60 * SECOND);
    assert.deepEqual(ticks, [start + 33_000, start + 63_000], 'every 30 s with only a far deadline');

    stopFar();
    assert.equal(fake.pending(), 0, 'no timer once nobody listens');
    fake.advance(HOUR);
    assert.equal(ticks.length, 2);
  });

  test('starts from now after a quiet while, and brings the page up to date when a newcomer subscribes', () => {
    const fake = fakeTimers(start);
    const clock = createClock(fake.timers);
    fake.advance(10 * MINUTE);
    assert.equal(clock.read(), start + 10 * MINUTE, 'idle: reads the time now');

    let first = 0;
    const stop = clock.subscribe(() => (first += 1), [start + 5 * DAY]);
    fake.advance(20 * SECOND);
    assert.equal(first, 0, 'no tick before 30 s');
    assert.equal(clock.read(), start + 10 * MINUTE, 'subscribed: the last tick, stable between ticks');

    let second = 0;
    const stopSecond = clock.subscribe(() => (second += 1), [start + 5 * DAY]);
    assert.equal(clock.read(), start + 10 * MINUTE + 20 * SECOND);
    assert.equal(first, 1, 'the first subscriber hears the catch-up');
    assert.equal(second, 1);
    stop();
    stopSecond();
  });
});
