'use client';

// Times shown to people: an instant in the reader's own time zone (UTC on
// hover), and relative times ("2h 5m left") that keep counting without a
// reload. The server cannot know the reader's zone or the moment the page is
// read, so the server's render (and hydration) shows UTC and the server's
// `now`; the browser's zone and clock take over right after.
import { useCallback, useSyncExternalStore, type ReactNode } from 'react';
import { deadlineUrgency, formatDuration, formatTimestamp, type DeadlineLevel } from '@/lib/format';
import { createClock, formatInZone } from '@/lib/local-time';

/** The page's one clock: a single timer, ticking only while something shows a relative time. */
const clock = createClock();

/**
 * The current time in ms, kept current by the shared clock. `serverNow` is
 * the time the server rendered with (ISO), used for the server's render and
 * hydration; `instants` (ISO) are the times shown relative to now, which set
 * how often the clock ticks (each second while one shows seconds).
 */
export function useNow(serverNow: string, instants: readonly string[] = []): number {
  return useClock(serverNow, instants, (now) => now);
}

/** What `select` makes of the shared clock's time; re-renders only when that changes (so `select` returns a primitive). */
function useClock<T extends string | number>(serverNow: string, instants: readonly string[], select: (now: number) => T): T {
  const key = instants.join(' ');
  const subscribe = useCallback(
    (onTick: () => void) => clock.subscribe(onTick, key === '' ? [] : key.split(' ').map((iso) => Date.parse(iso))),
    [key],
  );
  return useSyncExternalStore(
    subscribe,
    () => select(clock.read()),
    () => select(Date.parse(serverNow)),
  );
}

const subscribeNothing = () => () => {};
let browserZone: string | undefined;
function readBrowserZone(): string {
  browserZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return browserZone;
}

/** The reader's time zone: UTC on the server and while hydrating, the browser's after. */
function useTimeZone(): string {
  return useSyncExternalStore(subscribeNothing, readBrowserZone, () => 'UTC');
}

/** `iso` in the reader's time zone ("3 Dec 2026, 11:02 CET"); the exact UTC time ("2026-12-03 10:02:00 UTC") on hover. */
export function LocalTime({ iso, className }: { iso: string; className?: string }) {
  const zone = useTimeZone();
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <span className={className}>{iso}</span>;
  return (
    <time dateTime={iso} title={formatTimestamp(date)} className={className}>
      {formatInZone(date, zone)}
    </time>
  );
}

/**
 * How long until `deadline`, or how long past it, counting live: "2h 5m left",
 * "overdue 3h 10m" (deadlineUrgency's words). `now` is the time the server
 * rendered with (ISO). `overdueClassName` styles the time once overdue; `badge`
 * adds the "due soon" label beside it while due soon.
 */
export function RelativeDeadline({
  deadline,
  requestedAt,
  now,
  overdueClassName = 'font-semibold text-red-800',
  badge = true,
}: {
  deadline: string;
  requestedAt: string | null;
  now: string;
  overdueClassName?: string;
  badge?: boolean;
}) {
  const at = useNow(now, [deadline]);
  const urgency = deadlineUrgency(new Date(deadline), requestedAt === null ? null : new Date(requestedAt), new Date(at));
  const soon = badge && urgency.label === 'due soon';
  return (
    <>
      <time dateTime={deadline} data-level={urgency.level} className={urgency.level === 'overdue' ? overdueClassName : ''}>
        {urgency.text}
      </time>
      {soon && ' '}
      {soon && (
        <span
          data-testid="due-soon"
          className="ml-2 whitespace-nowrap rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900"
        >
          due soon
        </span>
      )}
    </>
  );
}

/**
 * An element whose class follows how close `deadline` is, live (`tones[level]`):
 * for a wrapper styled by the deadline, like the request page's, red once overdue.
 * It re-renders only when the level changes.
 */
export function DeadlineTone({
  as: Element = 'span',
  deadline,
  requestedAt,
  now,
  tones,
  children,
}: {
  as?: 'span' | 'div' | 'dd' | 'td' | 'p';
  deadline: string;
  requestedAt: string | null;
  now: string;
  tones: Partial<Record<DeadlineLevel, string>>;
  children: ReactNode;
}) {
  const level = useClock(
    now,
    [],
    (at) => deadlineUrgency(new Date(deadline), requestedAt === null ? null : new Date(requestedAt), new Date(at)).level,
  );
  return <Element className={tones[level] ?? ''}>{children}</Element>;
}

/** How long ago `since` was, counting live: "3m 12s". `now` is the time the server rendered with (ISO). */
export function Elapsed({ since, now }: { since: string; now: string }) {
  const at = useNow(now, [since]);
  return <time dateTime={since}>{formatDuration(at - Date.parse(since))}</time>;
}

/**
 * The deadline level of each request, live, in order; a null request (a closed
 * one) is 'ok'. Re-renders only when a level changes: the times themselves tick
 * in their own components.
 */
export function useDeadlineLevels(
  now: string,
  requests: readonly ({ deadline: string; requestedAt: string | null } | null)[],
): DeadlineLevel[] {
  const key = useClock(now, [], (at) =>
    requests
      .map((r) =>
        r === null
          ? 'ok'
          : deadlineUrgency(new Date(r.deadline), r.requestedAt === null ? null : new Date(r.requestedAt), new Date(at)).level,
      )
      .join(' '),
  );
  return key === '' ? [] : (key.split(' ') as DeadlineLevel[]);
}
