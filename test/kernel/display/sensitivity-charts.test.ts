// The tornado chart of sensitivity rows and the Pareto-front chart of a concurrency sweep.
import { describe, expect, it } from 'vitest';
import type { SensitivityRow } from '../../../engine/index';
import { checkFigure } from '../../../kernel/display/plotly';
import { paretoFrontFigure, tornadoFigure } from '../../../kernel/display/sensitivity-charts';

type Trace = Record<string, any>;

const row = (knob: string, low: unknown, high: unknown, metricLow: number, metricHigh: number): SensitivityRow => ({
  knob, low: low as never, high: high as never, metricLow, metricHigh, metricBase: 0.93,
  swing: Math.max(metricLow, metricHigh, 0.93) - Math.min(metricLow, metricHigh, 0.93), reason: 'r', holdsAtLow: null, holdsAtHigh: null,
});
const rows = [row('uniformQueryLenSplit', false, true, 1.017, 0.93), row('acceptanceDispersion', 0, 0.25, 0.978, 0.907), row('hostSyncSeconds', 2e-5, 8e-5, 0.929, 0.931)];

describe('tornadoFigure', () => {
  it('draws one bar per knob and end, from the base to the metric at that end, first row on top', () => {
    const fig = checkFigure(tornadoFigure(rows, { metricName: 'async ÷ sync', threshold: 1 }));
    const [low, high] = fig.data as Trace[];
    expect(fig.data).toHaveLength(2);
    expect(low!.y).toEqual(['uniformQueryLenSplit (false … true)', 'acceptanceDispersion (0 … 0.25)', 'hostSyncSeconds (2e-5 … 8e-5)']);
    expect(low!.base).toEqual([0.93, 0.93, 0.93]);
    expect(low!.x[0]).toBeCloseTo(1.017 - 0.93, 12);
    expect(high!.x[1]).toBeCloseTo(0.907 - 0.93, 12);
    const notes = (fig.layout as Trace).annotations as Trace[];
    expect(notes.slice(0, 3).map((a) => a.text)).toEqual(['1.017 / 0.930', '0.978 / 0.907', '0.929 / 0.931']);
    expect(notes[1]!.y).toBe(low!.y[1]);
    expect((fig.layout as Trace).yaxis.autorange).toBe('reversed');
    const lines = (fig.layout as Trace).shapes as Trace[];
    expect(lines.map((s) => s.x0)).toEqual([0.93, 1]);
    const [lo, hi] = (fig.layout as Trace).xaxis.range as number[];
    expect(lo!).toBeLessThan(0.907);
    expect(hi!).toBeGreaterThan(1.017);
  });

  it('accepts a sensitivity result, keeps only maxRows, and refuses rows without metrics', () => {
    const fig = tornadoFigure({ metricBase: 0.93, holdsAtBase: null, rows, flips: [], numEvaluations: 7 }, { maxRows: 2 });
    expect((fig.data[0] as Trace).y).toEqual(['uniformQueryLenSplit (false … true)', 'acceptanceDispersion (0 … 0.25)']);
    expect(() => tornadoFigure([])).toThrow(/non-empty/);
    expect(() => tornadoFigure([{ knob: 'x' } as never])).toThrow(/rows\[0\]/);
  });
});

describe('paretoFrontFigure', () => {
  const sweep = [
    { era: 'report', maxConcurrency: 16, tokensPerSecondPerUser: 120, outputThroughputPerGpu: 200 },
    { era: 'report', maxConcurrency: 64, tokensPerSecondPerUser: 80, outputThroughputPerGpu: 600 },
    { era: 'report', maxConcurrency: 128, tokensPerSecondPerUser: 60, outputThroughputPerGpu: 550 }, // dominated by 64
    { era: 'current', maxConcurrency: 16, tokensPerSecondPerUser: 130, outputThroughputPerGpu: 220 },
    { era: 'current', maxConcurrency: 64, tokensPerSecondPerUser: 90, outputThroughputPerGpu: 700 },
  ];

  it('one coloured series per era: the Pareto-optimal points joined by increasing x, dominated points apart', () => {
    const fig = checkFigure(paretoFrontFigure(sweep, { series: 'era' }));
    const traces = fig.data as Trace[];
    expect(traces.map((t) => t.name)).toEqual(['report (Pareto front)', 'report (dominated)', 'current (Pareto front)']);
    expect(traces[0]!.x).toEqual([80, 120]);
    expect(traces[0]!.y).toEqual([600, 200]);
    expect(traces[0]!.text).toEqual(['64', '16']);
    expect(traces[1]!.x).toEqual([60]);
    expect(traces[1]!.showlegend).toBe(false);
    expect(traces[2]!.x).toEqual([90, 130]);
    expect(traces[0]!.line.color).not.toBe(traces[2]!.line.color);
    expect((fig.layout as Trace).xaxis.title.text).toMatch(/per user/);
    expect((fig.layout as Trace).yaxis.title.text).toMatch(/per GPU/);
  });

  it('takes other columns, and names a missing one', () => {
    const fig = paretoFrontFigure(sweep, { series: 'era', x: 'outputThroughputPerGpu', y: 'tokensPerSecondPerUser', label: 'era' });
    expect((fig.data[0] as Trace).x).toEqual([200, 600]);
    expect(() => paretoFrontFigure([{ era: 'a', tokensPerSecondPerUser: 1 }], { series: 'era' })).toThrow(/outputThroughputPerGpu/);
    expect(() => paretoFrontFigure(sweep, {} as never)).toThrow(/options.series/);
  });
});
