// What every admin chart shares: a captioned figure, an inline SVG that
// screen readers meet as one image named by its summary, the same figures in
// a visually hidden table, and a "no data yet" state instead of empty axes.
import type { ReactNode } from 'react';

const WIDTH = 480;

/** Room around the plot for the axes and their labels. */
export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const MARGINS: Margins = { top: 18, right: 16, bottom: 46, left: 58 };

export interface Plot {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  width: number;
  height: number;
}

export function plotArea(height: number, margins: Margins = MARGINS): Plot {
  const x0 = margins.left;
  const x1 = WIDTH - margins.right;
  const y0 = margins.top;
  const y1 = height - margins.bottom;
  return { x0, x1, y0, y1, width: x1 - x0, height: y1 - y0 };
}

/** Rounds a maximum up to 1, 2, 2.5 or 5 × 10ⁿ, so five intervals make round ticks. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

/** An axis for counts: a whole-number step of 1, 2 or 5 × 10ⁿ, up to five intervals, ending at or above `largest`. */
export function countScale(largest: number): { max: number; values: number[] } {
  const rough = Math.max(largest, 1) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude);
  const max = Math.max(step, Math.ceil(largest / step) * step);
  return { max, values: Array.from({ length: max / step + 1 }, (_, i) => i * step) };
}

/** `count` + 1 evenly spaced values from 0 to `max`. */
export function ticks(max: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}

/** Horizontal grid lines with their values on the left, and the y axis's label. */
export function YAxis({
  plot,
  values,
  max,
  format,
  label,
}: {
  plot: Plot;
  values: number[];
  max: number;
  format: (value: number) => string;
  label: string;
}) {
  const y = (value: number) => plot.y1 - (value / max) * plot.height;
  return (
    <g className="text-slate-500">
      {values.map((value) => (
        <g key={value}>
          <line x1={plot.x0} x2={plot.x1} y1={y(value)} y2={y(value)} className="stroke-slate-200" strokeWidth={1} />
          <text x={plot.x0 - 6} y={y(value)} dy="0.32em" textAnchor="end" fontSize={10} className="fill-slate-600">
            {format(value)}
          </text>
        </g>
      ))}
      <YAxisTitle plot={plot} x={12} label={label} />
    </g>
  );
}

/** The x axis's baseline and label. */
export function XAxis({ plot, label, chartHeight }: { plot: Plot; label: string; chartHeight: number }) {
  return (
    <g>
      <line x1={plot.x0} x2={plot.x1} y1={plot.y1} y2={plot.y1} className="stroke-slate-400" strokeWidth={1} />
      <XAxisTitle plot={plot} chartHeight={chartHeight} label={label} />
    </g>
  );
}

/** An axis's name, centred below the plot. */
export function XAxisTitle({ plot, chartHeight, label }: { plot: Plot; chartHeight: number; label: string }) {
  return (
    <text x={plot.x0 + plot.width / 2} y={chartHeight - 6} textAnchor="middle" fontSize={11} className="fill-slate-600">
      {label}
    </text>
  );
}

/** An axis's name, written upwards beside the plot, `x` from the chart's left edge. */
export function YAxisTitle({ plot, x, label }: { plot: Plot; x: number; label: string }) {
  return (
    <text
      transform={`translate(${x} ${plot.y0 + plot.height / 2}) rotate(-90)`}
      textAnchor="middle"
      fontSize={11}
      className="fill-slate-600"
    >
      {label}
    </text>
  );
}

export interface DataTable {
  columns: string[];
  rows: (string | number)[][];
}

export interface LegendEntry {
  label: string;
  /** Tailwind classes for the swatch. */
  swatch: string;
}

export function ChartFrame({
  id,
  title,
  summary,
  empty,
  height,
  table,
  legend,
  children,
}: {
  id: string;
  title: string;
  /** The figures in one sentence: the image's accessible name after the title. */
  summary: string;
  /** Why there is nothing to draw, or null when there is. */
  empty: string | null;
  height: number;
  table: DataTable;
  legend?: LegendEntry[];
  children?: ReactNode;
}) {
  return (
    <figure aria-labelledby={`${id}-caption`} data-testid={`chart-${id}`} className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption id={`${id}-caption`} className="mb-2 text-sm font-semibold text-slate-800">
        {title}
      </figcaption>
      {empty !== null ? (
        <p
          data-testid="chart-empty"
          className="flex h-40 items-center justify-center rounded-md border border-dashed border-slate-300 px-4 text-center text-sm text-slate-600"
        >
          No data yet: {empty}
        </p>
      ) : (
        <>
          {legend && (
            <ul className="mb-1 flex flex-wrap gap-4 text-xs text-slate-600">
              {legend.map((entry) => (
                <li key={entry.label} className="flex items-center gap-1.5">
                  <span aria-hidden="true" className={`inline-block h-2.5 w-4 rounded-sm ${entry.swatch}`} />
                  {entry.label}
                </li>
              ))}
            </ul>
          )}
          <svg
            role="img"
            aria-labelledby={`${id}-title`}
            aria-describedby={`${id}-desc`}
            viewBox={`0 0 ${WIDTH} ${height}`}
            className="h-auto w-full"
          >
            <title id={`${id}-title`}>{`${title}: ${summary}`}</title>
            <desc id={`${id}-desc`}>The same figures are listed in the table that follows the chart.</desc>
            {children}
          </svg>
          {/* A table cannot shrink to sr-only's 1px itself: its wrapper hides it. */}
          <div data-testid="chart-data" className="sr-only">
            <table>
              <caption>{title}</caption>
              <thead>
                <tr>
                  {table.columns.map((column) => (
                    <th key={column} scope="col">
                      {column}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((row) => (
                  <tr key={String(row[0])}>
                    {row.map((cell, i) =>
                      i === 0 ? (
                        <th key={i} scope="row">
                          {cell}
                        </th>
                      ) : (
                        <td key={i}>{cell}</td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </figure>
  );
}

/** "2026-11-28" → "11-28": short enough for an axis. */
export const shortDay = (day: string) => day.slice(5);
