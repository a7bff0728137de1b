/**
 * Figures for engine/sensitivity: a tornado chart of one-at-a-time sensitivity rows (one bar per
 * knob from the base metric to the metric at each end of the knob's range, largest swing on top,
 * with the conclusion's threshold drawn), and a Pareto-front chart of throughput per GPU against
 * tokens per second per user over a sweep, one colour per series (era or config), each series'
 * Pareto-optimal points joined by a line and the dominated ones left as faint markers.
 */
import { formatKnobValue, paretoFront, type SensitivityResult, type SensitivityRow } from '../../engine/index';
import type { PlotlyFigure } from './plotly';

const LOW_COLOUR = '#1f77b4';
const HIGH_COLOUR = '#ff7f0e';
const SERIES_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#17becf'];

export interface TornadoOptions {
  readonly title?: string;
  /** Axis label of the metric (default 'metric'). */
  readonly metricName?: string;
  /** Draws a dashed line at this metric value (e.g. 1: where async and sync are equal). */
  readonly threshold?: number;
  /** Show only the first N rows (the largest swings). */
  readonly maxRows?: number;
}

function checkRows(rows: readonly SensitivityRow[]): void {
  if (!Array.isArray(rows) || rows.length === 0) throw new TypeError('rows must be a non-empty array of sensitivity rows (sensitivity(run, …).rows)');
  rows.forEach((r, i) => {
    if (typeof r?.knob !== 'string' || ![r.metricLow, r.metricHigh, r.metricBase].every(Number.isFinite)) {
      throw new TypeError(`rows[${i}] must be { knob, low, high, metricLow, metricHigh, metricBase } with finite metrics`);
    }
  });
}

/** Tornado chart of `sensitivity(...)` (its result or its rows), rows in the given order, first on top. */
export function tornadoFigure(input: SensitivityResult | readonly SensitivityRow[], options: TornadoOptions = {}): PlotlyFigure {
  const all = Array.isArray(input) ? (input as readonly SensitivityRow[]) : (input as SensitivityResult)?.rows;
  checkRows(all as readonly SensitivityRow[]);
  const max = options.maxRows ?? all.length;
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`options.maxRows must be a positive integer, got ${String(options.maxRows)}`);
  const rows = all.slice(0, max);
  const base = rows[0]!.metricBase;
  const name = options.metricName ?? 'metric';
  // Each row's range goes in its tick label and its two metric values in a column on the right,
  // so labels never overlap however short or one-sided the bars are.
  const y = rows.map((r) => `${r.knob} (${formatKnobValue(r.low)} … ${formatKnobValue(r.high)})`);
  const end = (which: 'low' | 'high', colour: string) => ({
    type: 'bar', orientation: 'h', name: `${which} end of the range`, y,
    base: rows.map(() => base), x: rows.map((r) => (which === 'low' ? r.metricLow : r.metricHigh) - base),
    marker: { color: colour }, opacity: 0.85,
    customdata: rows.map((r) => [formatKnobValue(which === 'low' ? r.low : r.high), which === 'low' ? r.metricLow : r.metricHigh, r.swing]),
    hovertemplate: `%{y}<br>at ${which} end %{customdata[0]}: %{customdata[1]:.3f}<br>swing %{customdata[2]:.3f}<extra></extra>`,
  });
  const annotations: Record<string, unknown>[] = rows.map((r, i) => ({
    xref: 'paper', x: 1.01, xanchor: 'left', y: y[i], yref: 'y', showarrow: false, font: { size: 11 },
    text: `${r.metricLow.toFixed(3)} / ${r.metricHigh.toFixed(3)}`,
  }));
  annotations.push({ xref: 'paper', x: 1.01, xanchor: 'left', y: 1, yref: 'paper', yanchor: 'bottom', showarrow: false, font: { size: 11 }, text: '<b>low / high</b>' });
  const values = rows.flatMap((r) => [r.metricLow, r.metricHigh, r.metricBase]).concat(options.threshold ?? base);
  const lo = Math.min(...values), hi = Math.max(...values), pad = Math.max((hi - lo) * 0.25, 1e-3 * Math.abs(base) + 1e-9);
  const shapes: Record<string, unknown>[] = [{ type: 'line', x0: base, x1: base, yref: 'paper', y0: 0, y1: 1, line: { color: '#555', width: 1.5 } }];
  if (options.threshold !== undefined) shapes.push({ type: 'line', x0: options.threshold, x1: options.threshold, yref: 'paper', y0: 0, y1: 1, line: { color: '#d62728', dash: 'dash' } });
  return {
    data: [end('low', LOW_COLOUR), end('high', HIGH_COLOUR)],
    layout: {
      title: { text: options.title ?? `Sensitivity of ${name} (base ${base.toFixed(3)})` },
      barmode: 'overlay', height: Math.max(260, 90 + 30 * rows.length), margin: { l: 230, r: 120, t: 50, b: 50 },
      xaxis: { title: { text: name }, range: [lo - pad, hi + pad], zeroline: false },
      yaxis: { autorange: 'reversed', automargin: true, type: 'category' },
      legend: { orientation: 'h', y: -0.12 }, shapes, annotations,
    },
  };
}

export interface ParetoOptions {
  /** The column naming each row's series (e.g. 'era'). */
  readonly series: string;
  /** Columns of the axes (default tokensPerSecondPerUser and outputThroughputPerGpu, as servingPoint gives). */
  readonly x?: string;
  readonly y?: string;
  /** Column shown beside each point (default maxConcurrency). */
  readonly label?: string;
  readonly title?: string;
}

const num = (row: Readonly<Record<string, unknown>>, key: string, i: number): number => {
  const v = row[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`rows[${i}].${key} must be a finite number, got ${String(v)}`);
  return v;
};

/** Throughput per GPU vs tokens/s per user, one colour per series, Pareto-optimal points joined. */
export function paretoFrontFigure(rows: readonly Readonly<Record<string, unknown>>[], options: ParetoOptions): PlotlyFigure {
  if (!Array.isArray(rows) || rows.length === 0) throw new TypeError('rows must be a non-empty array of objects (one per config of the sweep)');
  if (typeof options?.series !== 'string') throw new TypeError("options.series must name the column that tells the series apart (e.g. 'era')");
  const xKey = options.x ?? 'tokensPerSecondPerUser', yKey = options.y ?? 'outputThroughputPerGpu', labelKey = options.label ?? 'maxConcurrency';
  const groups = new Map<string, { x: number; y: number; label: string }[]>();
  rows.forEach((r, i) => {
    const s = String(r[options.series]);
    if (!groups.has(s)) groups.set(s, []);
    groups.get(s)!.push({ x: num(r, xKey, i), y: num(r, yKey, i), label: r[labelKey] === undefined ? '' : String(r[labelKey]) });
  });
  const data: Record<string, unknown>[] = [];
  [...groups.entries()].forEach(([s, pts], k) => {
    const colour = SERIES_COLOURS[k % SERIES_COLOURS.length]!;
    const front = paretoFront(pts);
    const onFront = new Set(front);
    const hover = `${s}<br>${labelKey} %{text}<br>${xKey} %{x:.1f}<br>${yKey} %{y:,.0f}<extra></extra>`;
    data.push({ type: 'scatter', mode: 'lines+markers+text', name: `${s} (Pareto front)`, legendgroup: s,
      x: front.map((i) => pts[i]!.x), y: front.map((i) => pts[i]!.y), text: front.map((i) => pts[i]!.label), textposition: 'top right',
      line: { color: colour, width: 2.5 }, marker: { color: colour, size: 9 }, hovertemplate: hover });
    const rest = pts.map((_, i) => i).filter((i) => !onFront.has(i));
    if (rest.length > 0) {
      data.push({ type: 'scatter', mode: 'markers', name: `${s} (dominated)`, legendgroup: s, showlegend: false,
        x: rest.map((i) => pts[i]!.x), y: rest.map((i) => pts[i]!.y), text: rest.map((i) => pts[i]!.label),
        marker: { color: colour, size: 7, opacity: 0.35, symbol: 'circle-open' }, hovertemplate: hover });
    }
  });
  return {
    data,
    layout: {
      title: { text: options.title ?? 'Throughput per GPU vs tokens/s per user' },
      height: 480, hovermode: 'closest', legend: { orientation: 'h', y: -0.18 }, margin: { l: 80, r: 30, t: 50, b: 60 },
      xaxis: { title: { text: xKey === 'tokensPerSecondPerUser' ? 'tokens/s per user (1 / mean TPOT)' : xKey }, rangemode: 'tozero' },
      yaxis: { title: { text: yKey === 'outputThroughputPerGpu' ? 'output tokens/s per GPU' : yKey }, rangemode: 'tozero' },
    },
  };
}
