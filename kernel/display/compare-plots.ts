/**
 * Figures for `compareWithMeasured`: per-request TTFT and ITL distributions of the measured and the
 * simulated run overlaid (probability-normalised histograms, so runs of different sizes compare),
 * and throughput as grouped bars. Plain plotly figure objects, for `plot()`.
 */
import type { Comparison } from '../../engine/index';
import type { PlotlyFigure } from './plotly';

const MEASURED = '#1f77b4';
const SIMULATED = '#ff7f0e';

/** TTFT (left) and ITL (right) histograms, measured and simulated overlaid, in ms. */
export function latencyDistributionFigure(c: Comparison, options: { title?: string } = {}): PlotlyFigure {
  const hist = (x: readonly number[], name: string, color: string, axis: '' | '2', legend: boolean) => ({
    x: [...x], name, type: 'histogram', histnorm: 'probability', opacity: 0.55, marker: { color },
    xaxis: `x${axis}`, yaxis: `y${axis}`, legendgroup: name, showlegend: legend,
  });
  return {
    data: [
      hist(c.ttftMs.measured, 'measured', MEASURED, '', true), hist(c.ttftMs.simulated, 'simulated', SIMULATED, '', true),
      hist(c.itlMs.measured, 'measured', MEASURED, '2', false), hist(c.itlMs.simulated, 'simulated', SIMULATED, '2', false),
    ],
    layout: {
      title: { text: options.title ?? 'Per-request latency: measured vs simulated' }, barmode: 'overlay', height: 380,
      xaxis: { domain: [0, 0.47], title: { text: 'TTFT (ms)' } }, yaxis: { title: { text: 'fraction of requests' } },
      xaxis2: { domain: [0.53, 1], title: { text: 'ITL (ms)' } }, yaxis2: { anchor: 'x2', title: { text: 'fraction of gaps' } },
    },
  };
}

/** Request, output and total-token throughput side by side. */
export function throughputBarsFigure(c: Comparison, options: { title?: string } = {}): PlotlyFigure {
  const names = c.throughput.map((t) => t.metric.replace(/_/g, ' '));
  return {
    data: [
      { x: names, y: c.throughput.map((t) => t.measured), name: 'measured', type: 'bar', marker: { color: MEASURED } },
      { x: names, y: c.throughput.map((t) => t.simulated), name: 'simulated', type: 'bar', marker: { color: SIMULATED } },
    ],
    layout: { title: { text: options.title ?? 'Throughput: measured vs simulated' }, barmode: 'group', height: 360, yaxis: { title: { text: 'per second (req or tok)' }, type: 'log' } },
  };
}
