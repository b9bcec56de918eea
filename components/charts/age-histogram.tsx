import type { AgeBucket } from '@/lib/approvals/reads/stats';
import { ChartFrame, countScale, plotArea, XAxis, YAxis } from './chart-frame';

const HEIGHT = 240;

/** How long pending requests have waited since they were first requested, as a histogram. */
export function AgeHistogram({ buckets }: { buckets: AgeBucket[] }) {
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const plot = plotArea(HEIGHT);
  const { max, values } = countScale(Math.max(0, ...buckets.map((b) => b.count)));
  const slot = plot.width / Math.max(buckets.length, 1);
  const barWidth = slot * 0.62;
  const y = (count: number) => plot.y1 - (count / max) * plot.height;
  const summary = `${total} pending; ${buckets.map((b) => `${b.label}: ${b.count}`).join(', ')}.`;

  return (
    <ChartFrame
      id="age"
      title="Age of pending requests"
      summary={summary}
      empty={total === 0 ? 'nothing is pending.' : null}
      height={HEIGHT}
      table={{ columns: ['Age', 'Pending requests'], rows: buckets.map((b) => [b.label, b.count]) }}
    >
      <YAxis plot={plot} values={values} max={max} format={String} label="Pending requests" />
      {buckets.map((b, i) => {
        const x = plot.x0 + i * slot + (slot - barWidth) / 2;
        return (
          <g key={b.label}>
            {b.count > 0 && <rect x={x} y={y(b.count)} width={barWidth} height={plot.y1 - y(b.count)} rx={2} className="fill-brand-500" />}
            <text x={x + barWidth / 2} y={y(b.count) - 4} textAnchor="middle" fontSize={10} className="fill-slate-700">
              {b.count}
            </text>
            <text x={x + barWidth / 2} y={plot.y1 + 15} textAnchor="middle" fontSize={10} className="fill-slate-600">
              {b.label}
            </text>
          </g>
        );
      })}
      <XAxis plot={plot} label="Age (since requested)" chartHeight={HEIGHT} />
    </ChartFrame>
  );
}
