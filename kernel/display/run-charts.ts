/**
 * Charts that compare `simulateServe` runs (or anything with the same timeline rows): two or
 * more runs overlaid on one simulated-time axis — cumulative output tokens (the gap between the
 * lines is the throughput difference, visible at a glance), per-step time, and a strip of each
 * step's CUDA-graph mode — and a throughput ladder of a list of runs against a baseline.
 */
import type { PlotlyFigure } from './plotly';

/** One batch of a run's timeline (engine/serve-sim `TimelineRow`, times in simulated µs). */
export interface TimelineLike {
  readonly startUs: number;
  readonly endUs: number;
  readonly stepUs: number;
  readonly numEmittedTokens: number;
  readonly graphMode: string;
}

export interface RunLike {
  readonly timeline: readonly TimelineLike[];
  readonly metrics?: { readonly outputThroughput: number };
}

export interface NamedRun {
  readonly name: string;
  readonly run: RunLike;
}

// Run colours stay clear of the mode strip's green, orange and grey.
const RUN_COLOURS = ['#1f77b4', '#d62728', '#9467bd', '#17becf', '#8c564b', '#e377c2'];
export const MODE_COLOURS: Readonly<Record<string, string>> = { FULL: '#2ca02c', PIECEWISE: '#ff7f0e', NONE: '#9e9e9e' };

function checkRuns(runs: readonly NamedRun[]): void {
  if (!Array.isArray(runs) || runs.length === 0) throw new TypeError('runs must be a non-empty array of { name, run }');
  runs.forEach((r, i) => {
    if (typeof r?.name !== 'string' || !Array.isArray(r.run?.timeline)) throw new TypeError(`runs[${i}] must be { name: string, run: { timeline: [...] } } (a simulateServe result)`);
  });
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** Consecutive steps of one mode as [start, end) spans (µs). */
function modeSpans(timeline: readonly TimelineLike[]): { mode: string; startUs: number; endUs: number }[] {
  const spans: { mode: string; startUs: number; endUs: number }[] = [];
  for (const t of timeline) {
    const last = spans[spans.length - 1];
    if (last && last.mode === t.graphMode && Math.abs(last.endUs - t.startUs) < 1e-6 * Math.max(1, t.startUs) + 1) last.endUs = t.endUs;
    else spans.push({ mode: t.graphMode, startUs: t.startUs, endUs: t.endUs });
  }
  return spans;
}

/**
 * Runs overlaid on simulated time (s): cumulative output tokens on top, step time below, and
 * each run's graph-mode strip at the bottom. The legend names each run with its output
 * throughput; the title gives the second run's throughput as a ratio of the first's.
 */
export function runsOverlayFigure(runs: readonly NamedRun[], options: { readonly title?: string; readonly height?: number } = {}): PlotlyFigure {
  checkRuns(runs);
  const data: Record<string, unknown>[] = [];
  runs.forEach(({ name, run }, k) => {
    const colour = RUN_COLOURS[k % RUN_COLOURS.length]!;
    const x = run.timeline.map((t) => t.endUs / 1e6);
    let total = 0;
    const cumulative = run.timeline.map((t) => (total += t.numEmittedTokens));
    const label = run.metrics ? `${name} — ${fmt(run.metrics.outputThroughput)} tok/s` : name;
    data.push({ type: 'scatter', mode: 'lines', name: label, legendgroup: name, x, y: cumulative, line: { color: colour, width: 2.5 },
      hovertemplate: `${name}<br>%{x:.2f} s: %{y:,} tokens<extra></extra>` });
    data.push({ type: 'scatter', mode: 'lines', name: `${name} step time`, legendgroup: name, showlegend: false, x: run.timeline.map((t) => t.startUs / 1e6),
      y: run.timeline.map((t) => t.stepUs / 1e3), yaxis: 'y2', line: { color: colour, width: 1 }, opacity: 0.8,
      hovertemplate: `${name}<br>%{x:.3f} s: step %{y:.2f} ms<extra></extra>` });
  });
  // Mode strip: one horizontal bar per span of equal mode, one trace (legend entry) per mode.
  const modes = [...new Set(runs.flatMap(({ run }) => run.timeline.map((t) => t.graphMode)))];
  for (const mode of ['FULL', 'PIECEWISE', 'NONE', ...modes.filter((m) => !(m in MODE_COLOURS))].filter((m) => modes.includes(m))) {
    const base: number[] = [], len: number[] = [], y: string[] = [];
    for (const { name, run } of runs) {
      for (const s of modeSpans(run.timeline)) if (s.mode === mode) { base.push(s.startUs / 1e6); len.push((s.endUs - s.startUs) / 1e6); y.push(name); }
    }
    data.push({ type: 'bar', orientation: 'h', name: `graph mode ${mode}`, base, x: len, y, yaxis: 'y3', marker: { color: MODE_COLOURS[mode] ?? '#c7c7c7' },
      hovertemplate: `${mode}<br>%{base:.3f} s +%{x:.3f} s<extra></extra>` });
  }
  const [a, b] = runs;
  const ratio = a?.run.metrics && b?.run.metrics ? `: ${b.name} ÷ ${a.name} = ${(b.run.metrics.outputThroughput / a.run.metrics.outputThroughput).toFixed(3)}` : '';
  return {
    data,
    layout: {
      title: { text: options.title ?? `Output tokens over simulated time${ratio}` },
      height: options.height ?? 560, barmode: 'overlay', bargap: 0.3, hovermode: 'closest',
      legend: { orientation: 'h', y: -0.14 }, margin: { l: 80, r: 20, t: 50, b: 40 },
      xaxis: { title: { text: 'simulated time (s)' }, anchor: 'y3' },
      yaxis: { domain: [0.45, 1], title: { text: 'output tokens (cumulative)' } },
      yaxis2: { domain: [0.17, 0.41], title: { text: 'step (ms)' }, anchor: 'x' },
      yaxis3: { domain: [0, 0.12], anchor: 'x', type: 'category', automargin: true },
    },
  };
}

export interface LadderRow {
  readonly label: string;
  /** A simulateServe result, or the value itself. */
  readonly run?: RunLike;
  readonly value?: number;
}

/**
 * Horizontal bars of output throughput, one per row, top to bottom in the given order, each
 * labelled with its ratio to the baseline row (default the first); bars below it are red.
 */
export function throughputLadderFigure(rows: readonly LadderRow[], options: { readonly baseline?: number; readonly title?: string; readonly unit?: string } = {}): PlotlyFigure {
  if (!Array.isArray(rows) || rows.length === 0) throw new TypeError('rows must be a non-empty array of { label, run | value }');
  const values = rows.map((r, i) => {
    const v = r.value ?? r.run?.metrics?.outputThroughput;
    if (typeof r.label !== 'string' || typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`rows[${i}] needs a label and a run with metrics or a finite value`);
    return v;
  });
  const b = options.baseline ?? 0;
  if (!Number.isInteger(b) || b < 0 || b >= rows.length) throw new TypeError(`options.baseline must be a row index in [0, ${rows.length - 1}], got ${String(options.baseline)}`);
  const base = values[b]!;
  const unit = options.unit ?? 'output tok/s';
  const labels = rows.map((r, i) => `${i + 1}. ${r.label}`);
  return {
    data: [{
      type: 'bar', orientation: 'h', y: labels, x: values,
      marker: { color: values.map((v, i) => (i === b ? '#7f7f7f' : v >= base ? '#2ca02c' : '#d62728')) },
      text: values.map((v) => `${fmt(v)}  (${(v / base).toFixed(3)}×)`), textposition: 'auto',
      hovertemplate: `%{y}<br>%{x:,.0f} ${unit}<extra></extra>`,
    }],
    layout: {
      title: { text: options.title ?? `Throughput ladder (ratios to "${rows[b]!.label}")` },
      height: Math.max(240, 80 + 42 * rows.length), margin: { l: 260, r: 20, t: 50, b: 50 },
      xaxis: { title: { text: unit }, rangemode: 'tozero' },
      yaxis: { autorange: 'reversed', automargin: true },
      shapes: [{ type: 'line', x0: base, x1: base, yref: 'paper', y0: 0, y1: 1, line: { dash: 'dot', color: '#555' } }],
    },
  };
}
