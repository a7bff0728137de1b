import { describe, expect, it } from 'vitest';
import { firstDivergence, simulateServe, vllmEra } from '../../../engine/serve-sim/index';
import { fromVllmArgs } from '../../../engine/config/vllm-args';
import { ConfigError } from '../../../engine/base/errors';

const R1_SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config \'{"max_cudagraph_capture_size":2048}\' '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const small = (n: number, inLen: number, outLen: number, conc: number) =>
  `vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --random-input-len ${inLen} --random-output-len ${outLen} --num-prompts ${n} --max-concurrency ${conc} --ignore-eos --percentile-metrics ttft,tpot,itl,e2el`;

describe('simulateServe reads the server line with fromVllmArgs', () => {
  it('the DeepSeek-R1 report command: same config as fromVllmArgs for every key the line sets', () => {
    const line = `${R1_SERVE} --async-scheduling --port 8000`;
    const r = simulateServe({ serve: line, bench: small(4, 64, 8, 4), env: 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA VLLM_USE_DEEP_GEMM=1' });
    const direct = fromVllmArgs(line, { VLLM_ATTENTION_BACKEND: 'FLASHINFER_MLA', VLLM_USE_DEEP_GEMM: '1' });
    expect(r.engineConfig).toMatchObject({
      model: 'deepseek-ai/DeepSeek-R1-0528', tensorParallelSize: 8, maxNumSeqs: 1024, maxModelLen: 2176, maxNumBatchedTokens: 8192,
      enablePrefixCaching: false, kvCacheDtype: 'fp8', asyncScheduling: true, speculative: { method: 'mtp', numSpeculativeTokens: 3 },
      cudagraphMode: 'FULL_AND_PIECEWISE', maxCudagraphCaptureSize: 2048, attentionBackend: 'FLASHINFER_MLA', blockSize: 32,
    });
    for (const k of direct.explicit) expect((r.engineConfig as never)[k]).toEqual((direct.config as never)[k]);
    expect(r.model.name).toBe('deepseek-r1');
    expect(r.serveArgs.unmodelled).toEqual(['--port 8000', 'VLLM_USE_DEEP_GEMM=1']);
    // --max_num_seqs is accepted here too (the old second parser rejected it).
    expect(simulateServe({ serve: `${R1_SERVE} --max_num_seqs 64`, bench: small(2, 16, 4, 1) }).engineConfig.maxNumSeqs).toBe(64);
  });

  it('defaults: async on with MTP in current vLLM, enforce-eager means NONE, backend from the GPU preset', () => {
    const r = simulateServe({ serve: R1_SERVE, bench: small(2, 16, 4, 1) });
    expect(r.engineConfig.asyncScheduling).toBe(true);
    expect(r.engineConfig).toMatchObject({ attentionBackend: 'CUTLASS_MLA', blockSize: 128 });
    expect(r.facts.notes).toContain("attention backend CUTLASS_MLA: B200's default MLA backend (hardware preset)");
    const h = simulateServe({ serve: R1_SERVE, bench: small(2, 16, 4, 1), set: { hardware: 'H200' } });
    expect(h.engineConfig).toMatchObject({ attentionBackend: 'FLASHMLA', blockSize: 64 });
    const e = simulateServe({ serve: 'vllm serve meta-llama/Llama-3.1-8B-Instruct --enforce-eager --max-model-len 4096', bench: small(2, 16, 4, 1) });
    expect(e.engineConfig).toMatchObject({ cudagraphMode: 'NONE', attentionBackend: 'FLASH_ATTN' });
  });

  it('names every bad flag; unknown models list the known ones', () => {
    let err: unknown;
    try { simulateServe({ serve: 'vllm serve mystery/model --max-num-seqs lots --frobnicate', bench: small(2, 16, 4, 1) }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(['--frobnicate', '--max-num-seqs']);
    expect(() => simulateServe({ serve: 'vllm serve mystery/model', bench: small(2, 16, 4, 1) })).toThrowError(/known models: deepseek-r1/);
    expect(() => simulateServe({ serve: 'vllm bench serve --model x', bench: small(2, 16, 4, 1) })).toThrowError(ConfigError);
  });
});

describe('simulateServe', () => {
  const run = (extra: string, bench = small(24, 256, 64, 8), set = {}) => simulateServe({ serve: `${R1_SERVE} ${extra}`, bench, set });

  it('completes every request with exactly its output length, deterministically', () => {
    const a = run('--no-async-scheduling');
    expect(a.metrics.completed).toBe(24);
    expect(a.outputs.every((o) => o.outputTokens === 64)).toBe(true);
    expect(a.metrics.totalOutput).toBe(24 * 64);
    expect(a.specDecode!.meanAcceptanceLength).toBeGreaterThan(2);
    const b = run('--no-async-scheduling');
    expect(JSON.stringify(b.resultJson('20260101-000000'))).toBe(JSON.stringify(a.resultJson('20260101-000000')));
  });

  it('respects the client concurrency limit and measures from when a slot was acquired', () => {
    const r = run('--async-scheduling');
    const events: [number, number][] = [];
    // A slot freed at t is reused at t; the tolerance absorbs start + latency rounding.
    for (const o of r.outputs) events.push([o.startTime, 1], [o.startTime + o.latency - 1e-9, -1]);
    events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let live = 0;
    let peak = 0;
    for (const [, d] of events) peak = Math.max(peak, (live += d));
    expect(peak).toBeLessThanOrEqual(8);
    expect(Math.min(...r.outputs.map((o) => o.ttft))).toBeGreaterThan(0);
    expect(r.outputs.every((o) => o.itl.length >= 1 && o.latency >= o.ttft)).toBe(true);
  });

  it('the clock advances by modelled time: the timeline covers the benchmark and records graph modes', () => {
    const r = run('--async-scheduling');
    // The benchmark ends with the batch that emits the last token; async may still have launched
    // a batch behind it whose tokens all fall past max_tokens (a wasted in-flight step, §11.4).
    const lastEmitting = r.timeline.findLastIndex((t) => t.numEmittedTokens > 0);
    expect(r.timeline[lastEmitting]!.endUs / 1e6).toBeCloseTo(r.duration, 6);
    expect(r.timeline.slice(lastEmitting + 1).every((t) => t.numEmittedTokens === 0 && t.numFinished === 0)).toBe(true);
    expect(r.timeline.length - lastEmitting - 1).toBeLessThanOrEqual(1);
    expect(r.timeline.some((t) => t.graphMode === 'FULL')).toBe(true);
    expect(r.timeline.every((t) => t.stepUs > 0 && t.endUs > t.startUs)).toBe(true);
    // Every emitted token and every finish is attributed to exactly one batch.
    expect(r.timeline.reduce((a, t) => a + t.numEmittedTokens, 0)).toBe(r.metrics.totalOutput);
    expect(r.timeline.reduce((a, t) => a + t.numFinished, 0)).toBe(24);
  });

  it('async (current vLLM) beats sync on throughput; the report era loses FULL graphs to partial drafts', () => {
    const sync = run('--no-async-scheduling');
    const async_ = run('--async-scheduling');
    expect(async_.metrics.outputThroughput).toBeGreaterThan(sync.metrics.outputThroughput);
    const old = run('--async-scheduling', small(24, 256, 64, 8), { era: 'report-2025-11-28' });
    // Decode-only steps (at most 1 + k tokens per request) that still ran PIECEWISE: partial draft counts.
    const pw = (r: typeof old) => r.timeline.filter((t) => t.graphMode === 'PIECEWISE' && t.numTokens <= t.numReqs * 4).length;
    expect(pw(old)).toBeGreaterThan(pw(async_));
    expect(old.timeline.reduce((a, t) => a + t.numReadded, 0)).toBeGreaterThan(0);
    expect(old.settings.asyncSpecHostSync).toBe('sync_24799');
  });

  it('a cost constant or hardware field set from the notebook changes the result accordingly', () => {
    const base = run('--no-async-scheduling');
    const slowHost = run('--no-async-scheduling', small(24, 256, 64, 8), { schedulePerRequestSeconds: 100e-6 });
    expect(slowHost.duration).toBeGreaterThan(base.duration);
    const slowHbm = run('--no-async-scheduling', small(24, 256, 64, 8), { 'hardware.memoryBandwidth': 4e12 });
    expect(slowHbm.metrics.outputThroughput).toBeLessThan(base.metrics.outputThroughput);
    expect(slowHbm.settings.hardware.memoryBandwidth).toBe(4e12);
    const h200 = run('--no-async-scheduling', small(24, 256, 64, 8), { hardware: 'H200' });
    expect(h200.duration).toBeGreaterThan(base.duration);
  });

  it('unknown settings, eras and hardware name the known ones', () => {
    expect(() => run('', small(2, 16, 4, 1), { bogus: 1 })).toThrowError(/unknown setting 'bogus'.*piecewisePerLayerSeconds/);
    expect(() => run('', small(2, 16, 4, 1), { era: 'stone-age' })).toThrowError(/known: pre-27922, report-2025-11-28/);
    expect(() => run('', small(2, 16, 4, 1), { hardware: 'A100' })).toThrowError(/known hardware: B200, H100/);
    expect(() => run('', small(2, 16, 4, 1), { acceptanceDispersion: -0.1 })).toThrowError(/acceptanceDispersion: expected a finite number ≥ 0/);
    expect(() => run('', small(2, 16, 4, 1), { uniformQueryLenSplit: 'maybe' })).toThrowError(/uniformQueryLenSplit: expected true or false/);
    expect(() => simulateServe({ serve: 'vllm serve deepseek-ai/DeepSeek-R1 -tp 1', bench: small(2, 16, 4, 1), set: { hardware: 'H100' } })).toThrowError(/does not fit/);
    expect(vllmEra('current').asyncSpecHostSync).toBe('zero_bubble_32951');
  });

  it('runs a dense model without speculation on a single GB10 (no spec-decode section)', () => {
    const r = simulateServe({
      serve: 'vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 4096 --max-num-seqs 64',
      bench: 'vllm bench serve --random-input-len 128 --random-output-len 16 --num-prompts 6 --max-concurrency 4',
      set: { hardware: 'GB10' },
    });
    expect(r.metrics.completed).toBe(6);
    expect(r.specDecode).toBeNull();
    expect(r.engineConfig.asyncScheduling).toBe(true); // current vLLM: auto = on without speculation
    expect(r.timeline.some((t) => t.graphMode === 'FULL' && t.uniformDecode)).toBe(true);
    expect(r.summary()).not.toContain('Speculative Decoding');
  });

  it('prints vLLM\'s summary and result JSON for the run', () => {
    const r = run('--async-scheduling');
    const s = r.summary();
    expect(s).toContain('Successful requests:                     24        ');
    expect(s).toContain('---------------Speculative Decoding---------------');
    expect(r.resultFilename('20260101-000000')).toBe('vllm-infqps-concurrency8-DeepSeek-R1-0528-20260101-000000.json');
    expect(r.resultJson('20260101-000000').total_output_tokens).toBe(24 * 64);
  });
});

describe('firstDivergence', () => {
  const run = (era: string, keepBatches = true) =>
    simulateServe({ serve: `${R1_SERVE} --async-scheduling`, bench: small(8, 128, 24, 8), set: { era }, keepBatches });

  it('finds the first batch where the #27922 cap and the #29759 rule schedule differently, and says why', () => {
    const old = run('report-2025-11-28');
    const cur = run('current');
    const d = firstDivergence(old, cur)!;
    expect(d).not.toBeNull();
    // Everything before the divergence scheduled identical work.
    for (let i = 0; i < d.batchIndex; i++) {
      expect(old.batches![i]!.requests.map((r) => r.numScheduledTokens)).toEqual(cur.batches![i]!.requests.map((r) => r.numScheduledTokens));
    }
    expect(d.requests.length).toBeGreaterThan(0);
    expect(d.requests.every((r) => r.numTokensB === 4 || r.numTokensB === 0)).toBe(true);
    expect(d.reasons.join(' ')).toMatch(/fewer than 1 \+ k = 4|skipped/);
  });

  it('identical runs do not diverge; runs without kept batches are refused', () => {
    expect(firstDivergence(run('current'), run('current'))).toBeNull();
    expect(() => firstDivergence(run('current', false), run('current'))).toThrowError(/keepBatches/);
  });
});
