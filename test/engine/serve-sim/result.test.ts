import { describe, expect, it } from 'vitest';
import {
  benchResultFilename, benchResultJson, computeBenchmarkMetrics, formatBenchSummary, fromBenchArgs, type BenchServeResult, type RequestTiming,
} from '../../../engine/serve-sim/index';
import { SpecDecodeCounters } from '../../../engine/spec-decode/index';

const OUTS: RequestTiming[] = [
  { success: true, promptLen: 1024, outputTokens: 4, startTime: 0, ttft: 0.5, itl: [0.01, 0.02, 0.03], latency: 0.56 },
  { success: true, promptLen: 1024, outputTokens: 4, startTime: 0, ttft: 0.6, itl: [0.02, 0.02, 0.02], latency: 0.66 },
];

function result(cmd: string, spec = true): BenchServeResult {
  const config = fromBenchArgs(cmd);
  const counters = new SpecDecodeCounters(3);
  counters.observe(3, 2);
  counters.observe(3, 3);
  return {
    config, modelId: config.model ?? 'm', tokenizerId: config.model ?? 'm', duration: 2,
    metrics: computeBenchmarkMetrics(OUTS, 2, { percentiles: config.metricPercentiles }), specDecode: spec ? counters.metrics() : null, outputs: OUTS,
  };
}

const CMD = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 1024 --random-output-len 1024 '
  + '--num-prompts 1280 --max-concurrency 256 --ignore-eos --percentile-metrics ttft,tpot,itl,e2el --metric-percentiles 50,99.9';

describe('result JSON', () => {
  it('has vLLM keys in insertion order', () => {
    const j = benchResultJson(result(CMD), '20251128-120000');
    expect(Object.keys(j)).toEqual([
      'date', 'endpoint_type', 'backend', 'label', 'model_id', 'tokenizer_id', 'num_prompts', 'request_rate', 'burstiness', 'max_concurrency',
      'duration', 'completed', 'failed', 'total_input_tokens', 'total_output_tokens', 'request_throughput', 'request_goodput',
      'output_throughput', 'total_token_throughput', 'max_output_tokens_per_s', 'max_concurrent_requests', 'rtfx',
      'spec_decode_acceptance_rate', 'spec_decode_acceptance_length', 'spec_decode_num_drafts', 'spec_decode_draft_tokens',
      'spec_decode_accepted_tokens', 'spec_decode_per_position_acceptance_rates',
      'mean_ttft_ms', 'median_ttft_ms', 'std_ttft_ms', 'p50_ttft_ms', 'p99.9_ttft_ms',
      'mean_tpot_ms', 'median_tpot_ms', 'std_tpot_ms', 'p50_tpot_ms', 'p99.9_tpot_ms',
      'mean_itl_ms', 'median_itl_ms', 'std_itl_ms', 'p50_itl_ms', 'p99.9_itl_ms',
      'mean_e2el_ms', 'median_e2el_ms', 'std_e2el_ms', 'p50_e2el_ms', 'p99.9_e2el_ms',
    ]);
    expect(j.request_rate).toBe('inf');
    expect(j.max_concurrency).toBe(256);
    expect(j.spec_decode_acceptance_rate).toBeCloseTo((5 / 6) * 100, 9);
    expect(j.spec_decode_acceptance_length).toBeCloseTo(3.5, 12);
    expect(j.spec_decode_per_position_acceptance_rates).toEqual([1, 1, 0.5]);
    expect(j.mean_ttft_ms).toBeCloseTo(550, 9);
  });

  it('metadata keys follow num_prompts; detailed arrays only with --save-detailed; no spec keys without drafting', () => {
    const j = benchResultJson(result(`${CMD} --metadata run=a gpu=b200 --save-detailed --request-rate 10`, false), '20251128-120000');
    const keys = Object.keys(j);
    expect(keys.slice(6, 10)).toEqual(['num_prompts', 'run', 'gpu', 'request_rate']);
    expect(j.request_rate).toBe(10);
    expect(keys).toContain('itls');
    expect(keys.some((k) => k.startsWith('spec_decode'))).toBe(false);
    expect(() => benchResultJson(result(CMD), '2025-11-28')).toThrowError(/date/);
  });

  it('file name as vLLM builds it', () => {
    expect(benchResultFilename(result(CMD), '20251128-120000')).toBe('vllm-infqps-concurrency256-DeepSeek-R1-0528-20251128-120000.json');
    expect(benchResultFilename(result(`${CMD} --request-rate 4 --label async --result-dir out/`), '20251128-120000'))
      .toBe('out/async-4.0qps-concurrency256-DeepSeek-R1-0528-20251128-120000.json');
  });
});

describe('summary block', () => {
  it('prints vLLM rows with 40/10 padding and the spec-decode section', () => {
    const s = formatBenchSummary(result(CMD)).split('\n');
    expect(s[0]).toBe('============ Serving Benchmark Result ============');
    expect(s[1]).toBe('Successful requests:                     2         ');
    expect(s[3]).toBe('Maximum request concurrency:             256       ');
    expect(s).toContain('Benchmark duration (s):                  2.00      ');
    expect(s).toContain('---------------Time to First Token----------------');
    expect(s).toContain('-----Time per Output Token (excl. 1st token)------');
    expect(s).toContain('Mean TTFT (ms):                          550.00    ');
    expect(s).toContain('P99.9 TTFT (ms):                         599.90    ');
    expect(s).toContain('---------------Speculative Decoding---------------');
    expect(s).toContain('  Position 2:                            50.00     ');
    expect(s.at(-1)).toBe('='.repeat(50));
  });
});

describe('fromBenchArgs', () => {
  it('parses a pasted multi-line command with defaults for the rest', () => {
    const c = fromBenchArgs(`vllm bench serve \\\n  --model deepseek-ai/DeepSeek-R1-0528 \\\n  --random-input-len=1024 --random-output-len 1024 \\\n  --num-prompts 1280 --max-concurrency 256 --host 0.0.0.0 --port 8000`);
    expect(c).toMatchObject({
      model: 'deepseek-ai/DeepSeek-R1-0528', randomInputLen: 1024, randomOutputLen: 1024, numPrompts: 1280, maxConcurrency: 256,
      requestRate: Infinity, burstiness: 1, seed: 0, randomRangeRatio: 0, percentileMetrics: ['ttft', 'tpot', 'itl'], metricPercentiles: [99],
    });
    expect(c.ignoredFlags).toEqual(['--host 0.0.0.0', '--port 8000']);
  });

  it('understands goodput, booleans, quotes and inf', () => {
    const c = fromBenchArgs(`vllm bench serve --goodput ttft:500 tpot:50 --ignore-eos --label 'my run' --request-rate inf --burstiness 0.5`);
    expect(c.goodput).toEqual({ ttft: 500, tpot: 50 });
    expect(c.ignoreEos).toBe(true);
    expect(c.label).toBe('my run');
    expect(c.requestRate).toBe(Infinity);
    expect(c.burstiness).toBe(0.5);
  });

  it('reports every bad flag at once, naming it', () => {
    let err: unknown;
    try {
      fromBenchArgs('vllm bench serve --num-prompts many --bogus 1 --dataset-name sharegtp --random-range-ratio 1.5');
    } catch (e) { err = e; }
    const issues = (err as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(['--num-prompts', '--bogus', '--dataset-name', '--dataset-path', '--random-range-ratio']);
    expect(issues[2]!.message).toMatch(/did you mean sharegpt/);
    expect(() => fromBenchArgs('vllm serve --model x')).toThrowError(/vllm bench serve/);
    // benchmark_serving.py's own rules: --model required, range ratio up to 1 (a lower bound), default dataset sharegpt.
    expect(() => fromBenchArgs('python3 benchmarks/benchmark_serving.py --dataset-name random')).toThrowError(/--model: is required/);
    const old = fromBenchArgs('python benchmark_serving.py --model m --dataset-name random --random-range-ratio 1.0');
    expect(old).toMatchObject({ dialect: 'benchmark_serving', randomRangeRatio: 1 });
    expect(fromBenchArgs('python benchmark_serving.py --model m --dataset-path sg.json').datasetName).toBe('sharegpt');
  });
});
