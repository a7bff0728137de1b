// Issue 12, Must show 1 and the issue-11 parser merge: the report's lines pasted verbatim (FP8 and
// FP4, with and without --async-scheduling, server and client, with the export line) and the
// DeepSeek-V4 line go through fromVllmArgs and simulateServe; every value lands in place, the two
// agree on the config, and the facts block says what was assumed.
import { describe, expect, it } from 'vitest';
import { fromVllmArgs } from '../../../engine/config/vllm-args';
import { fromBenchArgs, servingDefaults, simulateServe, resolveSettings } from '../../../engine/serve-sim/index';
import { modelPreset } from '../../../engine/presets/index';
import { REPORT_FP4_ASYNC, REPORT_FP4_SYNC, REPORT_FP8_ASYNC, REPORT_FP8_SYNC, V4_FLASH } from './report-lines';

const SERVER_VALUES = {
  tensorParallelSize: 8, pipelineParallelSize: 1, dataParallelSize: 1, kvCacheDtype: 'fp8', maxNumSeqs: 1024, maxModelLen: 2176,
  gpuMemoryUtilization: 0.9, maxNumBatchedTokens: 8192, enablePrefixCaching: false, maxCudagraphCaptureSize: 2048,
  speculative: { method: 'mtp', numSpeculativeTokens: 3 }, attentionBackend: 'FLASHINFER_MLA', blockSize: 32, cudagraphMode: 'FULL_AND_PIECEWISE',
};

const LINES = [
  { name: 'FP8 async', text: REPORT_FP8_ASYNC, model: 'deepseek-ai/DeepSeek-R1-0528', preset: 'deepseek-r1', async: true, moeEnv: 'VLLM_USE_FLASHINFER_MOE_FP8=1' },
  { name: 'FP8 sync', text: REPORT_FP8_SYNC, model: 'deepseek-ai/DeepSeek-R1-0528', preset: 'deepseek-r1', async: null, moeEnv: 'VLLM_USE_FLASHINFER_MOE_FP8=1' },
  { name: 'FP4 async', text: REPORT_FP4_ASYNC, model: 'nvidia/DeepSeek-R1-0528-FP4-v2', preset: 'deepseek-r1-fp4-v2', async: true, moeEnv: 'VLLM_USE_FLASHINFER_MOE_FP4=1' },
  { name: 'FP4 sync', text: REPORT_FP4_SYNC, model: 'nvidia/DeepSeek-R1-0528-FP4-v2', preset: 'deepseek-r1-fp4-v2', async: null, moeEnv: 'VLLM_USE_FLASHINFER_MOE_FP4=1' },
];

describe.each(LINES)('the report paste, $name', (l) => {
  it('fromVllmArgs puts every server value in place and reports the rest with values', () => {
    const r = fromVllmArgs(l.text);
    expect(r.config).toMatchObject({ ...SERVER_VALUES, model: l.model });
    // Without --async-scheduling, current vLLM's auto rule turns async on with MTP drafts.
    expect(r.config.asyncScheduling).toBe(true);
    expect(r.asyncReason).toMatch(l.async ? /--async-scheduling on the line/ : /current vLLM defaults it on with mtp/);
    expect(r.explicit.includes('asyncScheduling')).toBe(l.async === true);
    for (const u of ['--host 0.0.0.0', '--port 8087', `--tokenizer ${l.model}`, '--dtype auto', '--swap-space 16', '--trust-remote-code',
      '--compilation-config.pass_config.enable_fi_allreduce_fusion true', '--compilation-config.pass_config.enable_attn_fusion true',
      'VLLM_USE_NCCL_SYMM_MEM=1', 'NCCL_NVLS_ENABLE=1', 'NCCL_CUMEM_ENABLE=1', 'VLLM_USE_TRTLLM_RAGGED_DEEPSEEK_PREFILL=1',
      'VLLM_FLASHINFER_MOE_BACKEND=latency', l.moeEnv]) expect(r.unmodelled).toContain(u);
    expect(r.env.VLLM_ATTENTION_BACKEND).toBe('FLASHINFER_MLA');
    expect(r.warnings).toEqual([]);
  });

  it('the client line keeps benchmark_serving.py semantics: range ratio 1.0 = fixed lengths, chat template', () => {
    const b = fromBenchArgs(l.text);
    expect(b).toMatchObject({
      dialect: 'benchmark_serving', backend: 'vllm', model: 'deepseek-ai/DeepSeek-R1-0528', numPrompts: 1280, ignoreEos: true, maxConcurrency: 256,
      randomInputLen: 1024, randomOutputLen: 1024, randomRangeRatio: 1, useChatTemplate: true, datasetName: 'random', saveResult: true,
      resultFilename: 'benchmark_serving_results_fp8_async.json',
    });
    expect(b.ignoredFlags).toEqual(['--host 0.0.0.0', '--port 8087', '--trust-remote-code']);
  });

  it('simulateServe runs the paste as given and uses the same config as fromVllmArgs', () => {
    const era = l.async === null ? 'report-2025-11-28' : 'current';
    const r = simulateServe({ serve: l.text, bench: l.text, set: { era } });
    const line = fromVllmArgs(l.text).config;
    const model = modelPreset(line.model);
    expect(model.name).toBe(l.preset);
    expect(r.engineConfig).toEqual(fromVllmArgs(l.text, {}, servingDefaults(model, resolveSettings({ era }, 3), line)).config);
    for (const key of fromVllmArgs(l.text).explicit) expect((r.engineConfig as unknown as Record<string, unknown>)[key]).toEqual((line as unknown as Record<string, unknown>)[key]);
    // The report era predates async-by-default: the sync paste really runs sync there.
    expect(r.engineConfig.asyncScheduling).toBe(l.async === true || era === 'current');
    expect(r.metrics.completed).toBe(1280);
    expect(r.outputs.every((o) => o.outputTokens === 1024 && o.promptLen === 1024 + 4)).toBe(true);
    expect(r.resultFilename('20251128-120000')).toBe('benchmark_serving_results_fp8_async.json');
    const s = r.summary();
    expect(s).toContain('============ Serving Benchmark Result ============');
    expect(s).toContain('hardware: 8 × B200 (not named: B200 by the default rule');
    expect(s).toContain(`async scheduling ${r.engineConfig.asyncScheduling ? 'on' : 'off'} (`);
    expect(s).toMatch(/KV blocks \d+ \(B200 memory 180\.0 GB × 0\.9 − weights/);
    expect(s).toContain(`model: ${l.preset}`);
    expect(s).toContain(l.preset === 'deepseek-r1' ? 'MoE path: FlashInfer block-FP8 MoE (latency kernels)' : 'MoE path: FlashInfer NVFP4 MoE (latency kernels)');
    expect(s).toContain('--swap-space 16');
    expect(s).toContain('[int(L·1), L]');
    const j = r.resultJson('20251128-120000') as { enginelab: Record<string, unknown> };
    expect(Object.keys(j)[1]).toBe('backend'); // benchmark_serving.py's layout: no endpoint_type
    expect(j.enginelab).toMatchObject({ hardware: 'B200', numGpus: 8, era, asyncScheduling: r.engineConfig.asyncScheduling, blockSize: 32 });
    expect((j.enginelab.unmodelledServer as string[])).toContain('NCCL_NVLS_ENABLE=1');
  });
});

describe('the DeepSeek-V4 line', () => {
  it('fromVllmArgs: every value in place, parsers and tool flags accepted with values', () => {
    const r = fromVllmArgs(V4_FLASH);
    expect(r.config).toMatchObject({
      model: 'deepseek-ai/DeepSeek-V4-Flash', kvCacheDtype: 'fp8', blockSize: 256, maxModelLen: 8192, gpuMemoryUtilization: 0.985,
      tensorParallelSize: 2, cudagraphMode: 'FULL_AND_PIECEWISE', speculative: null,
    });
    expect(r.unmodelled).toEqual(expect.arrayContaining([
      '--trust-remote-code', '--tokenizer-mode deepseek_v4', '--tool-call-parser deepseek_v4', '--enable-auto-tool-choice',
      '--reasoning-parser deepseek_v4', '--compilation-config.custom_ops ["all"]', 'VLLM_TRITON_MLA_SPARSE=1',
    ]));
  });

  it('simulateServe runs it on a named GPU and keeps the line\'s block size', () => {
    const r = simulateServe({
      serve: V4_FLASH, bench: 'vllm bench serve --model deepseek-ai/DeepSeek-V4-Flash --random-input-len 512 --random-output-len 32 --num-prompts 8 --max-concurrency 4',
      set: { hardware: 'B200' },
    });
    expect(r.engineConfig).toMatchObject({ blockSize: 256, maxModelLen: 8192, tensorParallelSize: 2, attentionBackend: 'FLASHMLA_SPARSE' });
    expect(r.facts).toMatchObject({ hardware: 'B200', hardwareReason: 'named (B200)', numGpus: 2 });
    expect(r.metrics.completed).toBe(8);
    expect(r.summary()).toContain('attention backend FLASHMLA_SPARSE: the sparse-MLA backend DeepSeek sparse attention needs');
  });
});

describe('no silent assumption', () => {
  it('a Llama line with no hardware named says which GPU and why; async follows the era rule', () => {
    const line = 'vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 4096';
    const bench = 'vllm bench serve --random-input-len 64 --random-output-len 8 --num-prompts 4';
    const cur = simulateServe({ serve: line, bench });
    expect(cur.facts.hardwareReason).toMatch(/^not named: B200 by the default rule/);
    expect(cur.engineConfig.asyncScheduling).toBe(fromVllmArgs(line).config.asyncScheduling);
    expect(cur.facts.asyncReason).toBe('not on the line; current vLLM defaults it on without speculative decoding');
    const old = simulateServe({ serve: line, bench, set: { era: 'report-2025-11-28' } });
    expect(old.engineConfig.asyncScheduling).toBe(false);
    expect(old.summary()).toContain('async scheduling off (not on the line; vLLM of era report-2025-11-28 defaults it off');
    const forced = simulateServe({ serve: line, bench, set: { asyncScheduling: false, schedulePerRequestSeconds: 1e-5 } });
    expect(forced.summary()).toContain('set: { asyncScheduling: false } overrides the line');
    expect(forced.summary()).toContain('cost constants changed: schedulePerRequestSeconds=0.00001');
  });
});
