// On a reduced workload that still shows the report-era regression (512 prompts, 1024 in / 128
// out, concurrency 128, DeepSeek-R1 on 8×B200, MTP 3), one-at-a-time sensitivity over every
// assumed knob ranks the two the issue names — the uniform query-length split and the acceptance
// dispersion — as the two largest swings of the async/sync throughput ratio, and the split off
// turns async slower into async faster.
import { describe, expect, it } from 'vitest';
import { assumedRanges } from '../../../engine/sensitivity/assumed-ranges';
import { sensitivity } from '../../../engine/sensitivity/sensitivity';
import { ASYNC_VS_SYNC, throughputRatio } from '../../../engine/sensitivity/variant-runs';

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config \'{"max_cudagraph_capture_size":2048}\' '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 1024 --random-output-len 128 --num-prompts 512 --max-concurrency 128 --ignore-eos';
const run = { serve: SERVE, bench: BENCH, env: 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA', set: { era: 'report-2025-11-28' }, variants: ASYNC_VS_SYNC };

describe('report-era async/sync sensitivity', () => {
  it('finds uniformQueryLenSplit and acceptanceDispersion as the knobs the regression rests on', () => {
    const r = sensitivity(run, { metric: throughputRatio('async', 'sync'), conclusion: (m) => m < 1 });
    expect(r.rows).toHaveLength(assumedRanges().length);
    expect(r.metricBase).toBeLessThan(0.98); // the regression, on this workload
    expect(r.holdsAtBase).toBe(true);
    expect(new Set(r.rows.slice(0, 2).map((x) => x.knob))).toEqual(new Set(['uniformQueryLenSplit', 'acceptanceDispersion']));
    const split = r.rows.find((x) => x.knob === 'uniformQueryLenSplit')!;
    expect(split.metricLow).toBeGreaterThan(1); // off: async faster than sync
    expect(r.flips).toContain('uniformQueryLenSplit');
    const dispersion = r.rows.find((x) => x.knob === 'acceptanceDispersion')!;
    expect(dispersion.metricLow).toBeGreaterThan(r.metricBase + 0.02); // 0: lockstep waves, most of the gap gone
    // Every other assumed knob moves the ratio far less than either of the two.
    for (const other of r.rows.slice(2)) expect(other.swing).toBeLessThan(dispersion.swing / 2);
  }, 600_000);
});
