// Display formatting, and the deadline rule the inbox highlights rows by.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deadlineUrgency, DUE_SOON_MAX_MS, formatDuration, formatTimeLeft } from '../../lib/format';

const HOUR = 3600_000;
const MINUTE = 60_000;
const now = new Date('2026-11-28T12:00:00Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

describe('formatDuration', () => {
  test('shows the two largest units, at least seconds', () => {
    assert.equal(formatDuration(90_000), '1m 30s');
    assert.equal(formatDuration(26 * HOUR + 5 * MINUTE + 7_000), '1d 2h');
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(-3 * HOUR), '3h');
  });
});

describe('formatTimeLeft', () => {
  test('says overdue once the deadline has passed', () => {
    assert.deepEqual(formatTimeLeft(at(-3 * HOUR), now), { text: 'overdue 3h', overdue: true });
    assert.deepEqual(formatTimeLeft(at(5 * MINUTE), now), { text: '5m', overdue: false });
  });
});

describe('deadlineUrgency', () => {
  test('a passed deadline is overdue, by how much', () => {
    assert.deepEqual(deadlineUrgency(at(-3 * HOUR - 10 * MINUTE), at(-27 * HOUR), now), {
      level: 'overdue',
      text: 'overdue 3h 10m',
      label: 'overdue',
    });
    assert.equal(deadlineUrgency(at(-1), at(-HOUR), now).level, 'overdue');
  });

  test('exactly at the deadline is due soon, not yet overdue', () => {
    assert.equal(deadlineUrgency(now, at(-HOUR), now).level, 'soon');
  });

  test('a 24-hour window is due soon in its last 2 hours (the cap is below 10%)', () => {
    const requested = (left: number) => at(left - 24 * HOUR);
    assert.deepEqual(deadlineUrgency(at(2 * HOUR - 1_000), requested(2 * HOUR - 1_000), now), {
      level: 'soon',
      text: '1h 59m left',
      label: 'due soon',
    });
    assert.deepEqual(deadlineUrgency(at(2 * HOUR + MINUTE), requested(2 * HOUR + MINUTE), now), {
      level: 'ok',
      text: '2h 1m left',
      label: null,
    });
  });

  test('a 1-hour window is due soon only in its last 6 minutes (10% of the window)', () => {
    const requested = (left: number) => at(left - HOUR);
    assert.equal(deadlineUrgency(at(5 * MINUTE), requested(5 * MINUTE), now).level, 'soon');
    assert.equal(deadlineUrgency(at(7 * MINUTE), requested(7 * MINUTE), now).level, 'ok');
  });

  test('a week-long window is still only due soon in its last 2 hours', () => {
    const week = 7 * 24 * HOUR;
    assert.equal(deadlineUrgency(at(3 * HOUR), at(3 * HOUR - week), now).level, 'ok');
    assert.equal(deadlineUrgency(at(HOUR), at(HOUR - week), now).level, 'soon');
  });

  test('an unreadable window (none, or not before the deadline) falls back to the 2-hour rule', () => {
    assert.equal(deadlineUrgency(at(DUE_SOON_MAX_MS - 1), null, now).level, 'soon');
    assert.equal(deadlineUrgency(at(DUE_SOON_MAX_MS + 1), null, now).level, 'ok');
    assert.equal(deadlineUrgency(at(HOUR), at(2 * HOUR), now).level, 'soon');
    assert.equal(deadlineUrgency(at(HOUR), new Date(Number.NaN), now).level, 'soon');
  });
});
