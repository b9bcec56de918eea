import type { DayFigures } from '@/lib/approvals/reads/stats';
import { ChartFrame, plotArea, shortDay, XAxis, YAxis } from './chart-frame';

const HEIGHT = 240;

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

/** Per day: the share of the requests closed that day that closed by expiring. */
export function ExpiryRateChart({ days }: { days: DayFigures[] }) {
  const closed = days.reduce((sum, d) => sum + d.closed, 0);
  const expired = days.reduce((sum, d) => sum + d.expired, 0);
  const plot = plotArea(HEIGHT);
  const slot = plot.width / Math.max(days.length, 1);
  const barWidth = slot * 0.6;
  const y = (rate: number) => plot.y1 - rate * plot.height;
  const worst = days.reduce<DayFigures | null>(
    (top, d) => (d.expiryRate !== null && (top?.expiryRate ?? -1) < d.expiryRate ? d : top),
    null,
  );
  const summary =
    `over the last ${days.length} days, ${expired} of ${closed} closed requests expired (${closed > 0 ? percent(expired / closed) : '0%'})` +
    (worst?.expiryRate ? `; the highest day was ${worst.day} at ${percent(worst.expiryRate)}.` : '.');

  return (
    <ChartFrame
      id="expiry"
      title={`Expiry rate per day (last ${days.length} days)`}
      summary={summary}
      empty={closed === 0 ? `no request closed in the last ${days.length} days.` : null}
      height={HEIGHT}
      table={{
        columns: ['Day (UTC)', 'Expired', 'Closed', 'Expiry rate'],
        rows: days.map((d) => [d.day, d.expired, d.closed, d.expiryRate === null ? 'nothing closed' : percent(d.expiryRate)]),
      }}
    >
      <YAxis plot={plot} values={[0, 0.25, 0.5, 0.75, 1]} max={1} format={percent} label="Expired of closed" />
      {days.map((d, i) => {
        const x = plot.x0 + i * slot + (slot - barWidth) / 2;
        return (
          <g key={d.day}>
            {d.expiryRate !== null && d.expiryRate > 0 && (
              <rect x={x} y={y(d.expiryRate)} width={barWidth} height={plot.y1 - y(d.expiryRate)} rx={2} className="fill-orange-500" />
            )}
            {d.expiryRate !== null && (
              <text x={x + barWidth / 2} y={y(d.expiryRate) - 4} textAnchor="middle" fontSize={9} className="fill-slate-700">
                {percent(d.expiryRate)}
              </text>
            )}
            {(days.length - 1 - i) % 2 === 0 && (
              <text x={x + barWidth / 2} y={plot.y1 + 15} textAnchor="middle" fontSize={10} className="fill-slate-600">
                {shortDay(d.day)}
              </text>
            )}
          </g>
        );
      })}
      <XAxis plot={plot} label="Day (UTC)" chartHeight={HEIGHT} />
    </ChartFrame>
  );
}
