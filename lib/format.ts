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
