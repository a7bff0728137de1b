// The comparison figures carry both runs' samples and throughputs, on the axes they name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithMeasured, readBenchResult } from '../../../engine/index';
import { latencyDistributionFigure, throughputBarsFigure } from '../../../kernel/display/compare-plots';

const m = readBenchResult(readFileSync(join(__dirname, '../../../fixtures/results/vllm-bench-serve-format.json'), 'utf8'));
const o = readBenchResult(readFileSync(join(__dirname, '../../../fixtures/results/benchmark_serving-format.json'), 'utf8'));

describe('comparison figures', () => {
  it('overlays TTFT and ITL distributions of both runs and groups throughput bars', () => {
    const c = compareWithMeasured(m, o);
    const d = latencyDistributionFigure(c);
    const data = d.data as { x: number[]; name: string; xaxis: string }[];
    expect(data.map((t) => [t.name, t.xaxis])).toEqual([['measured', 'x'], ['simulated', 'x'], ['measured', 'x2'], ['simulated', 'x2']]);
    expect(data[0]!.x).toEqual(m.perRequest!.ttfts.map((t) => t * 1000));
    expect(data[3]!.x.length).toBe(o.perRequest!.itls.flat().length);
    const b = throughputBarsFigure(c).data as { y: number[] }[];
    expect(b[0]!.y).toEqual([m.requestThroughput, m.outputThroughput, m.totalTokenThroughput]);
    expect(b[1]!.y).toEqual([o.requestThroughput, o.outputThroughput, o.totalTokenThroughput]);
  });
});
