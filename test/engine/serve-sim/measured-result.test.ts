// Issue 12, Must show 3: result files in vLLM's exact layouts (fixtures/results/, written from the
// format) and ours load; a malformed one names the field; a run compared with itself gives Δ 0; a
// replayed workload reproduces the file's per-request lengths.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareWithMeasured, formatComparison, readBenchResult, readBenchResults, simulateServe, workloadFromMeasured,
} from '../../../engine/serve-sim/index';

const fixture = (f: string) => readFileSync(join(__dirname, '../../../fixtures/results', f), 'utf8');
const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-model-len 2176 --kv-cache-dtype fp8 --no-enable-prefix-caching '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --random-input-len 128 --random-output-len 16 --random-range-ratio 0.5 '
  + '--num-prompts 12 --max-concurrency 4 --ignore-eos --save-detailed --percentile-metrics ttft,tpot,itl,e2el';

describe('reading result files', () => {
  it('benchmark_serving.py layout (old script / harness fork) loads with its per-request fields', () => {
    const m = readBenchResult(fixture('benchmark_serving-format.json'));
    expect(m.format).toBe('benchmark_serving.py');
    expect(m).toMatchObject({ modelId: 'deepseek-ai/DeepSeek-R1-0528', numPrompts: 16, maxConcurrency: 8, requestRate: Infinity, completed: 16 });
    expect(m.perRequest!.inputLens).toHaveLength(16);
    expect(m.perRequest!.startTimes).toBeNull();
    expect(Object.keys(m.latencyMs)).toEqual(['mean_ttft_ms', 'median_ttft_ms', 'std_ttft_ms', 'p99_ttft_ms', 'mean_tpot_ms', 'median_tpot_ms',
      'std_tpot_ms', 'p99_tpot_ms', 'mean_itl_ms', 'median_itl_ms', 'std_itl_ms', 'p99_itl_ms']);
  });

  it('vllm bench serve layout loads with start_times; ours loads too', () => {
    const v = readBenchResult(fixture('vllm-bench-serve-format.json'));
    expect(v.format).toBe('vllm bench serve');
    expect(v.perRequest!.startTimes).toHaveLength(16);
    expect(v.latencyMs.p90_e2el_ms).toBeGreaterThan(0);
    const ours = simulateServe({ serve: SERVE, bench: BENCH });
    const m = readBenchResult(JSON.stringify(ours.resultJson('20260101-000000')));
    expect(m.format).toBe('enginelab');
    expect(m.totalOutputTokens).toBe(ours.metrics.totalOutput);
    // --append-result files: one run per line.
    expect(readBenchResults(`${fixture('benchmark_serving-format.json').trim()}\n${fixture('vllm-bench-serve-format.json').trim()}\n`).map((r) => r.format))
      .toEqual(['benchmark_serving.py', 'vllm bench serve']);
  });

  it('a malformed file names the field', () => {
    const j = JSON.parse(fixture('benchmark_serving-format.json'));
    const bad = (patch: Record<string, unknown>) => () => readBenchResult(JSON.stringify({ ...j, ...patch }));
    expect(bad({ duration: 'fast' })).toThrowError(/"duration" must be a non-negative number, got "fast"/);
    expect(bad({ ttfts: j.ttfts.slice(1) })).toThrowError(/"ttfts" has 15 entries; input_lens has 16/);
    expect(bad({ itls: j.itls.map((l: number[], i: number) => (i === 3 ? ['x'] : l)) })).toThrowError(/"itls\[3\]" must be a list of numbers/);
    expect(bad({ request_rate: -1 })).toThrowError(/"request_rate"/);
    const { completed: _c, ...noCompleted } = j;
    expect(() => readBenchResult(JSON.stringify(noCompleted))).toThrowError(/"completed" is missing/);
    expect(() => readBenchResult('{"duration": 1')).toThrowError(/not valid JSON/);
    expect(() => readBenchResult('[1, 2]')).toThrowError(/expected a JSON object/);
  });
});

describe('compareWithMeasured', () => {
  it('a run against itself gives Δ 0 on every row', () => {
    const r = simulateServe({ serve: SERVE, bench: BENCH });
    const c = compareWithMeasured(readBenchResult(JSON.stringify(r.resultJson('20260101-000000'))), r);
    expect(c.rows.length).toBeGreaterThan(20);
    for (const row of c.rows) expect(row.deltaPct, row.metric).toBeCloseTo(0, 9);
    expect(c.ttftMs.measured).toEqual(c.ttftMs.simulated);
    expect(c.itlMs.measured.length).toBe(r.outputs.reduce((s, o) => s + o.itl.length, 0));
    expect(formatComparison(c)).toMatch(/output_throughput\s+[\d.]+\s+[\d.]+\s+0\.0/);
  });

  it('against the fixture: statistics the simulation lacks are computed from its per-request fields', () => {
    const measured = readBenchResult(fixture('vllm-bench-serve-format.json'));
    const sim = simulateServe({ serve: SERVE, bench: BENCH.replace('--percentile-metrics ttft,tpot,itl,e2el', '') });
    const c = compareWithMeasured(measured, sim);
    const p90 = c.rows.find((x) => x.metric === 'p90_e2el_ms')!;
    expect(p90.simulated).toBeGreaterThan(0);
    expect(p90.deltaPct).toBeCloseTo((p90.simulated! - p90.measured!) / p90.measured! * 100, 9);
    expect(c.throughput.map((t) => t.metric)).toEqual(['request_throughput', 'output_throughput', 'total_token_throughput']);
  });
});

describe('replaying a measured workload', () => {
  it('reproduces the file\'s per-request lengths; start times become release times', () => {
    const measured = readBenchResult(fixture('vllm-bench-serve-format.json'));
    const work = workloadFromMeasured(measured);
    const r = simulateServe({ serve: SERVE, bench: BENCH, workload: work, workloadSource: 'fixture' });
    expect(r.outputs.map((o) => o.promptLen)).toEqual(measured.perRequest!.inputLens);
    expect(r.outputs.map((o) => o.outputTokens)).toEqual(measured.perRequest!.outputLens);
    expect(r.facts.lengthSource).toBe('fixture; arrival times from the file');
    const noDetail = readBenchResult(JSON.stringify({ ...JSON.parse(fixture('vllm-bench-serve-format.json')), input_lens: undefined, ttfts: undefined }));
    expect(() => workloadFromMeasured(noDetail)).toThrowError(/written without --save-detailed/);
  });
});
