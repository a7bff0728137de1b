// The display helpers for the questions researchers ask: two runs overlaid, a throughput ladder,
// a per-request Gantt, KV occupancy with preemption markers, and the KV grid's colour key.
import { describe, expect, it } from 'vitest';
import { createEngine, simulateServe, type StepRecord } from '../../../engine/index';
import { runsOverlayFigure, throughputLadderFigure } from '../../../kernel/display/run-charts';
import { requestGanttFigure, requestPhases, kvOccupancyFigure } from '../../../kernel/display/engine-charts';
import { kvGridFigure } from '../../../kernel/display/kv-grid';

type Trace = Record<string, any>;

/** A small engine that runs out of KV blocks, so some requests are preempted and recomputed. */
function crowdedRun(): StepRecord[] {
  const e = createEngine({ maxNumSeqs: 6, maxNumBatchedTokens: 128, numGpuBlocks: 22, blockSize: 16, maxModelLen: 320 });
  for (let i = 0; i < 8; i++) e.addRequest({ requestId: `r${i}`, promptLen: 40 + 8 * i, maxTokens: 60, ignoreEos: true });
  return e.run();
}

describe('per-request phases and Gantt', () => {
  const records = crowdedRun();
  const spans = requestPhases(records);

  it('covers every request with ordered, non-overlapping spans; preempted requests recompute before decoding again', () => {
    expect(records.some((r) => r.preemptedReqIds.length > 0)).toBe(true);
    const ids = [...new Set(spans.map((s) => s.reqId))].sort();
    expect(ids).toEqual(Array.from({ length: 8 }, (_, i) => `r${i}`).sort());
    for (const id of ids) {
      const mine = spans.filter((s) => s.reqId === id);
      for (let k = 1; k < mine.length; k++) {
        expect(mine[k]!.startUs).toBeGreaterThanOrEqual(mine[k - 1]!.endUs);
        expect(mine[k]!.phase === mine[k - 1]!.phase && mine[k]!.startUs === mine[k - 1]!.endUs).toBe(false); // merged
      }
      mine.forEach((s, k) => { if (s.phase === 'preempted') expect(mine[k + 1]?.phase).toBe('prefill'); });
      // Time in prefill + decode is exactly the time of the steps that scheduled the request.
      let t0 = 0, busy = 0;
      for (const r of records) { if (r.schedule?.requests.some((q) => q.reqId === id)) busy += r.timeUs - t0; t0 = r.timeUs; }
      const worked = mine.filter((s) => s.phase === 'prefill' || s.phase === 'decode').reduce((a, s) => a + s.endUs - s.startUs, 0);
      expect(worked).toBeCloseTo(busy, 6);
    }
    const preempted = new Set(records.flatMap((r) => r.preemptedReqIds));
    expect(new Set(spans.filter((s) => s.phase === 'preempted').map((s) => s.reqId))).toEqual(preempted);
    expect(spans.some((s) => s.phase === 'queued')).toBe(true);
  });

  it('draws one bar per span, a trace per phase, rows in order of first appearance', () => {
    const fig = requestGanttFigure(records);
    const traces = fig.data as Trace[];
    expect(traces.map((t) => t.name)).toEqual(['queued', 'prefill', 'decode', 'preempted']);
    expect(traces.reduce((a, t) => a + t.y.length, 0)).toBe(spans.length);
    const decode = traces.find((t) => t.name === 'decode')!;
    const i = decode.y.indexOf('r0');
    const first = spans.find((s) => s.reqId === 'r0' && s.phase === 'decode')!;
    expect([decode.base[i], decode.x[i]]).toEqual([first.startUs / 1e3, (first.endUs - first.startUs) / 1e3]);
    expect((fig.layout!.yaxis as Trace).categoryarray).toEqual([...new Set(spans.map((s) => s.reqId))]);
    expect(requestGanttFigure(records, { maxRequests: 3 }).layout!.title).toEqual({ text: 'Requests over time: queued, prefill, decode, preempted (first 3 of 8)' });
    expect(() => requestGanttFigure([])).toThrow(/records must be a non-empty array/);
  });

  it('marks every preemption on the KV occupancy curve', () => {
    const fig = kvOccupancyFigure(records);
    const marks = (fig.data as Trace[]).find((t) => String(t.name).startsWith('preemption'))!;
    const steps = records.filter((r) => r.preemptedReqIds.length > 0);
    expect(marks.x).toEqual(steps.map((r) => r.timeUs / 1e3));
    expect(marks.y).toEqual(steps.map((r) => 100 * r.kvUsage));
    expect(marks.text[0]).toBe(`step ${steps[0]!.step}: preempted ${steps[0]!.preemptedReqIds.join(', ')}`);
    expect(marks.name).toBe(`preemption (${steps.reduce((a, r) => a + r.preemptedReqIds.length, 0)})`);
  });
});

describe('runs overlaid and the throughput ladder', () => {
  const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1 --dataset-name random --random-input-len 256 --random-output-len 48 --num-prompts 32 --max-concurrency 16 --ignore-eos';
  const serve = (mode: string) => simulateServe({ serve: `vllm serve deepseek-ai/DeepSeek-R1 -tp 8 --speculative-config '{"method":"mtp","num_speculative_tokens":3}' ${mode}`, bench: BENCH });
  const sync = serve('--no-async-scheduling');
  const asy = serve('--async-scheduling');

  it('overlays cumulative output tokens and step time on one time axis, with a graph-mode strip', () => {
    const fig = runsOverlayFigure([{ name: 'sync', run: sync }, { name: 'async', run: asy }]);
    const traces = fig.data as Trace[];
    const cum = traces.filter((t) => t.yaxis === undefined);
    expect(cum.map((t) => t.name)).toEqual([`sync — ${Math.round(sync.metrics.outputThroughput).toLocaleString('en-US')} tok/s`, `async — ${Math.round(asy.metrics.outputThroughput).toLocaleString('en-US')} tok/s`]);
    expect(cum[0]!.y.at(-1)).toBe(sync.timeline.reduce((a, t) => a + t.numEmittedTokens, 0));
    expect(cum[0]!.y.at(-1)).toBe(32 * 48);
    expect(traces.filter((t) => t.yaxis === 'y2').map((t) => t.y.length)).toEqual([sync.timeline.length, asy.timeline.length]);
    // The strip's spans tile each run's busy time exactly.
    const strip = traces.filter((t) => t.yaxis === 'y3');
    expect(strip.length).toBeGreaterThan(0);
    for (const [name, run] of [['sync', sync], ['async', asy]] as const) {
      const total = strip.reduce((a, t) => a + t.x.reduce((b: number, x: number, i: number) => b + (t.y[i] === name ? x : 0), 0), 0);
      expect(total).toBeCloseTo(run.timeline.reduce((a, t) => a + t.endUs - t.startUs, 0) / 1e6, 6);
    }
    const ratio = (asy.metrics.outputThroughput / sync.metrics.outputThroughput).toFixed(3);
    expect(fig.layout!.title).toEqual({ text: `Output tokens over simulated time: async ÷ sync = ${ratio}` });
    expect(() => runsOverlayFigure([{ name: 'x', run: {} as never }])).toThrow(/runs\[0\] must be/);
  });

  it('ladders throughput against a baseline, red below it and green above', () => {
    const fig = throughputLadderFigure([{ label: 'base', value: 100 }, { label: 'slower', value: 94 }, { label: 'faster', run: { timeline: [], metrics: { outputThroughput: 106 } } }]);
    const t = (fig.data as Trace[])[0]!;
    expect(t.x).toEqual([100, 94, 106]);
    expect(t.text).toEqual(['100  (1.000×)', '94  (0.940×)', '106  (1.060×)']);
    expect(t.marker.color).toEqual(['#7f7f7f', '#d62728', '#2ca02c']);
    expect(() => throughputLadderFigure([{ label: 'a', value: 1 }], { baseline: 3 })).toThrow(/options.baseline/);
  });
});

describe('KV grid key and shared-block marks', () => {
  it('names every colour in the legend and writes the refCount on shared blocks', () => {
    const cells = [
      { blockId: 0, owners: [], refCount: 0, cached: false, isNull: true },
      { blockId: 1, owners: ['a', 'b', 'c'], refCount: 3, cached: true },
      { blockId: 2, owners: ['a'], refCount: 1, cached: false },
      { blockId: 3, owners: [], refCount: 0, cached: true },
      { blockId: 4, owners: [], refCount: 0, cached: false },
      { blockId: 5, owners: ['b', 'c'], refCount: 2, cached: true },
    ];
    const fig = kvGridFigure(cells, { columns: 4 });
    const traces = fig.data as Trace[];
    expect(traces[0]!.type).toBe('heatmap');
    const marks = traces[1]!;
    expect([marks.x, marks.y, marks.text]).toEqual([[1, 1], [0, 1], ['3', '2']]);
    const key = traces.slice(2);
    expect(key.map((t) => t.name)).toEqual(['null block', 'free', 'free, prefix-cached', 'shared (number = refCount)', 'a', 'b', 'c']);
    const heat = traces[0]!;
    const colourOf = (z: number) => heat.colorscale[2 * Math.floor(z)][1];
    expect(key.find((t) => t.name === 'a')!.marker.color).toBe(colourOf(heat.z[0][2]));
    expect(key.find((t) => t.name === 'free, prefix-cached')!.marker.color).toBe(colourOf(heat.z[0][3]));
  });
});
