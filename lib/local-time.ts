// Times as a reviewer reads them, and the one clock that keeps relative times
// ("2h 5m left", "overdue 3m 10s") current in the browser. Pure formatting and
// timing rules, plus a small timer-driven store; no React, no DOM.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The fastest the clock ticks: a relative time shows seconds at most. */
export const MIN_TICK_MS = SECOND;
/** The slowest it ticks: how late a change of level (ok → due soon) can show, and how stale a far-off time gets. */
export const MAX_TICK_MS = 30 * SECOND;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "3 Dec 2026, 11:02 CET": the date and minute in `timeZone` (an IANA name), with the zone's short name. */
export function formatInZone(date: Date, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(date);
}

/**
 * How long until formatDuration(offset) reads differently, as time passes.
 * `offsetMs` is an instant minus now: positive counts down to it, negative
 * counts up since. formatDuration shows seconds under an hour, minutes under
 * a day, hours beyond, each floored.
 */
export function msUntilNextChange(offsetMs: number): number {
  const distance = Math.abs(offsetMs);
  const unit = distance < HOUR ? SECOND : distance < 24 * HOUR ? MINUTE : HOUR;
  // Counting down, the shown value drops once the offset falls below its current multiple of the unit;
  // counting up, it rises once the distance reaches the next multiple.
  return offsetMs >= 0 ? (offsetMs % unit) + 1 : unit - (distance % unit);
}

/**
 * When the clock should tick next, given the instants shown relative to now:
 * as soon as one of them would read differently, but no sooner than each
 * second (a time under an hour away shows seconds, so it ticks every second)
 * and no later than MAX_TICK_MS (which bounds how late a level change shows).
 */
export function nextTickDelay(now: number, instants: Iterable<number>): number {
  let delay = MAX_TICK_MS;
  for (const instant of instants) {
    if (Number.isFinite(instant)) delay = Math.min(delay, msUntilNextChange(instant - now));
  }
  return Math.max(MIN_TICK_MS, delay);
}

export interface Clock {
  /** The time of the last tick, in ms since the epoch: what components render with. */
  read(): number;
  /**
   * Calls `onTick` at every tick until unsubscribed. `instants` are the times
   * the subscriber shows relative to now (ms since the epoch); they set how
   * often the clock ticks. The clock runs only while someone is subscribed.
   */
  subscribe(onTick: () => void, instants?: readonly number[]): () => void;
}

export interface ClockTimers {
  now: () => number;
  setTimeout: (run: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const realTimers: ClockTimers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One clock for a whole page: a single timer, however many times are shown. */
export function createClock(timers: ClockTimers = realTimers): Clock {
  const subscribers = new Set<{ onTick: () => void; instants: readonly number[] }>();
  let current = timers.now();
  let timer: unknown;

  /** Brings the time up to date if it is a tick or more behind; says whether it moved. */
  function refresh(): boolean {
    const now = timers.now();
    if (now - current < MIN_TICK_MS) return false;
    current = now;
    return true;
  }

  function schedule() {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    if (subscribers.size === 0) return;
    const now = timers.now();
    timer = timers.setTimeout(
      tick,
      nextTickDelay(
        now,
        [...subscribers].flatMap((s) => s.instants),
      ),
    );
  }

  function tick() {
    timer = undefined;
    current = timers.now();
    for (const subscriber of [...subscribers]) subscriber.onTick();
    schedule();
  }

  return {
    read() {
      // Idle, nobody else shows the time: a first render after a while starts from now, not from the last tick.
      if (subscribers.size === 0) refresh();
      return current;
    },
    subscribe(onTick, instants = []) {
      const subscriber = { onTick, instants };
      subscribers.add(subscriber);
      // A newcomer may have rendered with a time from a while ago: bring everyone up to date.
      if (refresh()) for (const s of [...subscribers]) s.onTick();
      schedule();
      return () => {
        subscribers.delete(subscriber);
        schedule();
      };
    },
  };
}
