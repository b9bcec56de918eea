import type { ReviewerLoad } from '@/lib/approvals/reads/stats';
import { ChartFrame, countScale, plotArea, XAxisTitle, YAxisTitle, type Margins } from './chart-frame';

const ROW = 34;
const MARGINS: Margins = { top: 8, right: 28, bottom: 40, left: 168 };

const SERIES = [
  { key: 'openClaims', label: 'Open claims', bar: 'fill-brand-500', swatch: 'bg-brand-500' },
  { key: 'decisions', label: 'Decisions, last 7 days', bar: 'fill-emerald-500', swatch: 'bg-emerald-500' },
] as const;

/** Long emails would run into the bars: the full name is in the table. */
const shorten = (name: string) => (name.length > 26 ? `${name.slice(0, 25)}…` : name);

/** Per person: the requests they hold now, and those they decided in the last 7 days, as horizontal bars. */
export function ReviewerLoadChart({ reviewers }: { reviewers: ReviewerLoad[] }) {
  const height = MARGINS.top + Math.max(reviewers.length, 1) * ROW + MARGINS.bottom;
  const plot = plotArea(height, MARGINS);
  const { max, values } = countScale(Math.max(0, ...reviewers.flatMap((r) => [r.openClaims, r.decisions])));
  const x = (value: number) => plot.x0 + (value / max) * plot.width;
  const summary = reviewers.map((r) => `${r.reviewer}: ${r.openClaims} open, ${r.decisions} decided`).join('; ') + '.';

  return (
    <ChartFrame
      id="reviewer-load"
      title="Load per reviewer"
      summary={summary}
      empty={reviewers.length === 0 ? 'nobody holds a request or decided one in the last 7 days.' : null}
      height={height}
      legend={SERIES.map((s) => ({ label: s.label, swatch: s.swatch }))}
      table={{
        columns: ['Reviewer', 'Open claims', 'Decisions, last 7 days'],
        rows: reviewers.map((r) => [r.reviewer, r.openClaims, r.decisions]),
      }}
    >
      {values.map((value) => (
        <g key={value}>
          <line x1={x(value)} x2={x(value)} y1={plot.y0} y2={plot.y1} className="stroke-slate-200" strokeWidth={1} />
          <text x={x(value)} y={plot.y1 + 14} textAnchor="middle" fontSize={10} className="fill-slate-600">
            {value}
          </text>
        </g>
      ))}
      {reviewers.map((r, i) => {
        const top = plot.y0 + i * ROW;
        return (
          <g key={r.reviewer}>
            <text x={plot.x0 - 8} y={top + ROW / 2} dy="0.32em" textAnchor="end" fontSize={10} className="fill-slate-700">
              {shorten(r.reviewer)}
            </text>
            {SERIES.map((s, j) => {
              const value = r[s.key];
              const barTop = top + 5 + j * 12;
              return (
                <g key={s.key}>
                  <rect
                    x={plot.x0}
                    y={barTop}
                    width={Math.max(x(value) - plot.x0, value > 0 ? 2 : 0)}
                    height={10}
                    rx={2}
                    className={s.bar}
                  />
                  <text x={x(value) + 4} y={barTop + 5} dy="0.32em" fontSize={9} className="fill-slate-700">
                    {value}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
      <line x1={plot.x0} x2={plot.x0} y1={plot.y0} y2={plot.y1} className="stroke-slate-400" strokeWidth={1} />
      <XAxisTitle plot={plot} chartHeight={height} label="Requests" />
      <YAxisTitle plot={plot} x={10} label="Reviewer" />
    </ChartFrame>
  );
}
