// Display formatting for amounts and times. Pure; safe on server and client.
export function formatMoney(amount: string | null, currency: string | null): string {
  if (amount === null) return '—';
  const value = Number(amount);
  if (!currency) return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

/** 90_000 → "1m 30s"; two largest units, at least seconds. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const units: [string, number][] = [
    ['d', Math.floor(total / 86_400)],
    ['h', Math.floor((total % 86_400) / 3600)],
    ['m', Math.floor((total % 3600) / 60)],
    ['s', total % 60],
  ];
  const first = units.findIndex(([, n]) => n > 0);
  if (first === -1) return '0s';
  return units
    .slice(first, first + 2)
    .filter(([, n]) => n > 0)
    .map(([u, n]) => `${n}${u}`)
    .join(' ');
}

export function formatTimeLeft(deadline: Date, now: Date): { text: string; overdue: boolean } {
  const ms = deadline.getTime() - now.getTime();
  return ms >= 0 ? { text: formatDuration(ms), overdue: false } : { text: `overdue ${formatDuration(ms)}`, overdue: true };
}

export function formatTimestamp(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** "Due soon" starts in the last tenth of a request's approval window, and never earlier than 2 hours before its deadline. */
const DUE_SOON_WINDOW_FRACTION = 0.1;
export const DUE_SOON_MAX_MS = 2 * 3600_000;
export const DUE_SOON_RULE = 'Due soon: in the last 10% of its approval window, and at most 2 hours before the deadline.';

export type DeadlineLevel = 'overdue' | 'soon' | 'ok';

export interface DeadlineUrgency {
  level: DeadlineLevel;
  /** "2h 5m left", "overdue 3h 10m". */
  text: string;
  /** Words that carry the highlight without colour: "overdue", "due soon", or none. */
  label: string | null;
}

/**
 * How close a pending request is to its deadline. The window is the time from
 * its first request to its deadline (for a re-issued request, every window so far); a window that cannot be read
 * (missing, or not before the deadline) counts as long, so only the 2-hour cap applies.
 */
export function deadlineUrgency(deadline: Date, requestedAt: Date | null, now: Date): DeadlineUrgency {
  const left = deadline.getTime() - now.getTime();
  if (left < 0) return { level: 'overdue', text: `overdue ${formatDuration(left)}`, label: 'overdue' };
  const window = requestedAt ? deadline.getTime() - requestedAt.getTime() : Number.NaN;
  const threshold = Number.isFinite(window) && window > 0 ? Math.min(DUE_SOON_MAX_MS, window * DUE_SOON_WINDOW_FRACTION) : DUE_SOON_MAX_MS;
  const text = `${formatDuration(left)} left`;
  return left < threshold ? { level: 'soon', text, label: 'due soon' } : { level: 'ok', text, label: null };
}
