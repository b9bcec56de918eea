import type { DayFigures } from '@/lib/approvals/reads/stats';
import { formatDuration } from '@/lib/format';
import { ChartFrame, niceMax, plotArea, shortDay, ticks, XAxis, YAxis, type Plot } from './chart-frame';

const HEIGHT = 240;

const UNITS = [
  { suffix: 's', seconds: 1, below: 120 },
  { suffix: 'm', seconds: 60, below: 2 * 3600 },
  { suffix: 'h', seconds: 3600, below: 48 * 3600 },
  { suffix: 'd', seconds: 86_400, below: Infinity },
] as const;

/** A time axis in one unit (seconds, minutes, hours or days) that suits the largest value. */
function durationScale(maxSeconds: number): { max: number; format: (seconds: number) => string } {
  const unit = UNITS.find((u) => maxSeconds < u.below) ?? UNITS[3];
  return {
    max: niceMax(maxSeconds / unit.seconds) * unit.seconds,
    format: (seconds) => `${Math.round((seconds / unit.seconds) * 100) / 100}${unit.suffix}`,
  };
}

/** A readable duration, sub-second ones included ("0.4s"). */
const duration = (seconds: number) => (seconds < 1 ? `${Math.round(seconds * 10) / 10}s` : formatDuration(seconds * 1000));

const SERIES = [
  { key: 'medianSeconds', label: 'Median', line: 'stroke-brand-600', dot: 'fill-brand-600', swatch: 'bg-brand-600', dash: undefined },
  { key: 'p90Seconds', label: '90th percentile', line: 'stroke-amber-500', dot: 'fill-amber-500', swatch: 'bg-amber-500', dash: '5 3' },
] as const;

/** One series as lines between consecutive days that have a value, and a dot per value. */
function Series({
  days,
  pick,
  plot,
  y,
  line,
  dot,
  dash,
}: {
  days: DayFigures[];
  pick: (d: DayFigures) => number | null;
  plot: Plot;
  y: (s: number) => number;
  line: string;
  dot: string;
  dash: string | undefined;
}) {
  const slot = plot.width / Math.max(days.length, 1);
  const points = days.map((d, i) => {
    const value = pick(d);
    return value === null ? null : { x: plot.x0 + (i + 0.5) * slot, y: y(value), day: d.day };
  });
  let path = '';
  points.forEach((p, i) => {
    if (!p) return;
    path += `${i > 0 && points[i - 1] ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)} `;
  });
  return (
    <g>
      {path && <path d={path.trim()} fill="none" strokeWidth={2} strokeDasharray={dash} className={line} />}
      {points.map((p) => p && <circle key={p.day} cx={p.x} cy={p.y} r={3} className={dot} />)}
    </g>
  );
}

/** Per day: how long decisions took (decided_at − requested_at), median and 90th percentile. */
export function DecisionTimeChart({ days }: { days: DayFigures[] }) {
  const decidedDays = days.filter((d) => d.medianSeconds !== null);
  const plot = plotArea(HEIGHT);
  const scale = durationScale(Math.max(0, ...decidedDays.map((d) => d.p90Seconds ?? d.medianSeconds ?? 0)));
  const y = (seconds: number) => plot.y1 - (seconds / scale.max) * plot.height;
  const slot = plot.width / Math.max(days.length, 1);
  const latest = decidedDays.at(-1);
  const decisions = days.reduce((sum, d) => sum + d.decided, 0);
  const summary =
    `${decisions} decisions on ${decidedDays.length} of the last ${days.length} days` +
    (latest
      ? `; on ${latest.day} the median was ${duration(latest.medianSeconds ?? 0)} and the 90th percentile ${duration(latest.p90Seconds ?? 0)}.`
      : '.');

  return (
    <ChartFrame
      id="decision-time"
      title={`Time to decision per day (last ${days.length} days)`}
      summary={summary}
      empty={decidedDays.length === 0 ? `no request was approved or rejected in the last ${days.length} days.` : null}
      height={HEIGHT}
      legend={SERIES.map((s) => ({ label: s.label, swatch: s.swatch }))}
      table={{
        columns: ['Day (UTC)', 'Decisions', 'Median', '90th percentile'],
        rows: days.map((d) => [
          d.day,
          d.decided,
          d.medianSeconds === null ? '—' : duration(d.medianSeconds),
          d.p90Seconds === null ? '—' : duration(d.p90Seconds),
        ]),
      }}
    >
      <YAxis plot={plot} values={ticks(scale.max, 5)} max={scale.max} format={scale.format} label="Time to decision" />
      {days.map(
        (d, i) =>
          (days.length - 1 - i) % 2 === 0 && (
            <text key={d.day} x={plot.x0 + (i + 0.5) * slot} y={plot.y1 + 15} textAnchor="middle" fontSize={10} className="fill-slate-600">
              {shortDay(d.day)}
            </text>
          ),
      )}
      {SERIES.map((s) => (
        <Series key={s.key} days={days} pick={(d) => d[s.key]} plot={plot} y={y} line={s.line} dot={s.dot} dash={s.dash} />
      ))}
      <XAxis plot={plot} label="Day (UTC)" chartHeight={HEIGHT} />
    </ChartFrame>
  );
}
