// Issue 12, Must show 4: the NVFP4 checkpoint's decode step is faster than the FP8 one's by what
// the weight bytes imply, and the summary names the checkpoint and the MoE path.
import { describe, expect, it } from 'vitest';
import { RooflineCostModel } from '../../../engine/cost/step-cost-model';
import { modelPreset, NVFP4_BYTES_PER_WEIGHT } from '../../../engine/presets/index';
import { simulateServe, weightBytesByLayerKind, weightTable } from '../../../engine/serve-sim/index';
import { REPORT_FP4_ASYNC, REPORT_FP8_ASYNC } from './report-lines';

const opts = { hardware: 'B200', tensorParallelSize: 8, numSpecTokens: 3, kvCacheDtype: 'fp8', cudagraphMode: 'FULL_AND_PIECEWISE',
  attentionBackend: 'FLASHINFER_MLA', maxNumSeqs: 1024, maxNumBatchedTokens: 8192, maxCaptureSize: 2048 } as const;
const decodeBatch = (n: number) => ({ requests: Array.from({ length: n }, () => ({ numScheduledTokens: 4, numContextTokens: 1500, numDrafts: 3, isPrefillChunk: false })) });

describe('FP4 vs FP8 DeepSeek-R1 checkpoints', () => {
  it('the names resolve to their own presets (the -v2 name too), FP4 experts at 0.5625 B/weight', () => {
    expect(modelPreset('nvidia/DeepSeek-R1-0528-FP4').name).toBe('deepseek-r1-fp4');
    expect(modelPreset('nvidia/DeepSeek-R1-0528-FP4-v2').name).toBe('deepseek-r1-fp4-v2');
    expect(modelPreset('deepseek-ai/DeepSeek-R1-0528').moe!.expertWeightBytes).toBe(1);
    expect(modelPreset('nvidia/DeepSeek-R1-0528-FP4-v2').moe!.expertWeightBytes).toBe(NVFP4_BYTES_PER_WEIGHT);
  });

  it('the weight table: only routed experts shrink, by 0.5625; totals near the published sizes', () => {
    const fp8 = weightBytesByLayerKind(modelPreset('deepseek-r1'));
    const fp4 = weightBytesByLayerKind(modelPreset('deepseek-r1-fp4'));
    expect(fp4.routedExpertBytes / fp8.routedExpertBytes).toBeCloseTo(NVFP4_BYTES_PER_WEIGHT, 12);
    expect(fp4.attentionBytes).toBe(fp8.attentionBytes);
    expect(fp4.sharedExpertBytes).toBe(fp8.sharedExpertBytes);
    expect(Math.abs(fp8.totalBytes / 640e9 - 1)).toBeLessThan(0.12);
    expect(Math.abs(fp4.totalBytes / 400e9 - 1)).toBeLessThan(0.12);
    const t = weightTable();
    expect(t.map((r) => r.model)).toContain('deepseek-r1-fp4-v2');
    expect(t.find((r) => r.model === 'deepseek-r1-fp4')!['published GB']).toBe(400);
  });

  it('a decode step of the report\'s 256 requests is faster in the MoE term: the routed-expert bytes shrink by 0.5625, the measured per-kernel fixed costs do not', () => {
    // The H100-fitted MoE term is a fixed per-kernel cost plus the memory/compute roofline
    // (cost/gpu-kernel-terms.ts), so the ratio lies between the byte ratio and 1.
    const a = new RooflineCostModel({ ...opts, model: 'deepseek-r1' }).stepCost(decodeBatch(256));
    const b = new RooflineCostModel({ ...opts, model: 'deepseek-r1-fp4' }).stepCost(decodeBatch(256));
    const moeRatio = b.gpu.moeSeconds / a.gpu.moeSeconds;
    expect(moeRatio).toBeGreaterThan(NVFP4_BYTES_PER_WEIGHT);
    expect(moeRatio).toBeLessThan(0.85);
    expect(b.gpu.gemmSeconds).toBe(a.gpu.gemmSeconds);
    expect(b.gpu.attentionSeconds).toBe(a.gpu.attentionSeconds);
    expect(b.gpu.totalSeconds).toBeLessThan(a.gpu.totalSeconds);
    // Everything else is equal, so the saving is the target's MoE saving plus the drafter's (its MoE layer).
    const saved = a.gpu.totalSeconds - b.gpu.totalSeconds;
    expect(saved).toBeGreaterThanOrEqual(a.gpu.moeSeconds - b.gpu.moeSeconds - 1e-12);
    // The MTP drafter runs its one MoE layer per draft pass: at most k = 3 more MoE layers than the 58 of the target.
    expect(saved).toBeLessThanOrEqual((a.gpu.moeSeconds - b.gpu.moeSeconds) * (1 + 3 / 58) + 1e-12);
  });

  it('the summaries of the report\'s two runs name the checkpoint and the MoE path; FP4 has more throughput', () => {
    const small = (s: string) => s.replace('--num-prompts 1280', '--num-prompts 64').replace('--max-concurrency 256', '--max-concurrency 32');
    const fp8 = simulateServe({ serve: REPORT_FP8_ASYNC, bench: small(REPORT_FP8_ASYNC) });
    const fp4 = simulateServe({ serve: REPORT_FP4_ASYNC, bench: small(REPORT_FP4_ASYNC) });
    expect(fp8.summary()).toContain('model: deepseek-r1; checkpoint fp8: experts FP8 e4m3');
    expect(fp4.summary()).toContain('model: deepseek-r1-fp4-v2; checkpoint modelopt_fp4: experts NVFP4 (routed experts); FP8 (attention, dense layers, shared expert)');
    expect(fp4.summary()).toContain('MoE path: FlashInfer NVFP4 MoE (latency kernels)');
    expect(fp4.metrics.outputThroughput).toBeGreaterThan(fp8.metrics.outputThroughput);
    expect(fp4.engineConfig.numGpuBlocks).toBeGreaterThan(fp8.engineConfig.numGpuBlocks); // fewer weight bytes, more KV
  });
});
