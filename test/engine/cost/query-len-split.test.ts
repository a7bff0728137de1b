import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_CONSTANTS, RooflineCostModel, type CostModelOptions, type CostRequest } from '../../../engine/cost/index';
import { backendQueryLenSupport, decodeThreshold, numDecodeRequests } from '../../../engine/cost/query-len-split';

describe('split_decodes_and_prefills (uniform and threshold modes)', () => {
  it('uniform: the first length differing from the first request’s, and everything after it, is prefill', () => {
    expect(numDecodeRequests([4, 4, 4, 4], 4, true)).toBe(4);
    expect(numDecodeRequests([4, 4, 3, 4, 4], 4, true)).toBe(2);
    expect(numDecodeRequests([3, 4, 4], 4, true)).toBe(1);
    // The first request sets the reference length, even a partial one.
    expect(numDecodeRequests([2, 2, 2], 4, true)).toBe(3);
    // Mixed lengths that alternate (a case PR #24045's review discusses): only the leading run stays.
    expect(numDecodeRequests([2, 1, 2, 1, 2, 1], 2, true)).toBe(1);
    expect(numDecodeRequests([4, 4, 1024], 4, true)).toBe(2);
    expect(numDecodeRequests([1024, 4], 4, true)).toBe(0);
  });

  it('threshold mode keeps every request up to the threshold as a decode', () => {
    expect(numDecodeRequests([4, 4, 3, 4, 4], 4, false)).toBe(5);
    expect(numDecodeRequests([4, 2, 9, 4], 4, false)).toBe(2);
    expect(numDecodeRequests([1, 1, 1], 1, true)).toBe(3);
    expect(numDecodeRequests([], 4, true)).toBe(0);
    expect(() => numDecodeRequests([1], 0, true)).toThrow(/threshold/);
  });

  it('backend facts: FlashInfer-MLA and FlashMLA are UNIFORM; the reorder threshold is 1 + k', () => {
    expect(backendQueryLenSupport('FLASHINFER_MLA')).toBe('UNIFORM');
    expect(backendQueryLenSupport('flashmla')).toBe('UNIFORM');
    expect(backendQueryLenSupport('TRITON_MLA')).toBe('VARLEN');
    expect(backendQueryLenSupport(null)).toBe('VARLEN');
    expect(decodeThreshold('UNIFORM', 3)).toBe(4);
    expect(decodeThreshold('SINGLE_ONLY', 3)).toBe(1);
  });
});

describe('the cost of the uniform split in a DeepSeek-R1 decode step', () => {
  const R1: CostModelOptions = {
    model: 'deepseek-ai/DeepSeek-R1-0528', hardware: 'B200', tensorParallelSize: 8, numSpecTokens: 3, kvCacheDtype: 'fp8',
    cudagraphMode: 'FULL_AND_PIECEWISE', attentionBackend: 'FLASHINFER_MLA', maxNumSeqs: 1024, maxNumBatchedTokens: 8192, maxCaptureSize: 2048,
  };
  const full = (ctx = 1500): CostRequest => ({ numScheduledTokens: 4, numContextTokens: ctx, numDrafts: 3 });
  const partial: CostRequest = { numScheduledTokens: 2, numContextTokens: 1500, numDrafts: 1 };
  const batchWithPartialAt = (i: number, n = 256): CostRequest[] =>
    Array.from({ length: n }, (_, j) => (j === i ? partial : full()));
  const m = new RooflineCostModel(R1);

  it('one partial-draft request sends itself and every later request to the prefill path', () => {
    const early = m.stepCost({ requests: batchWithPartialAt(10) });
    const late = m.stepCost({ requests: batchWithPartialAt(250) });
    expect(early.numDecodePath).toBe(10);
    expect(early.numDecodesOnPrefillPath).toBe(246);
    expect(late.numDecodesOnPrefillPath).toBe(6);
    // Same context per request: the data-dependent part grows with the number routed (246 vs 6), at
    // most linearly (the kv_b_proj GEMM streams its weights once however many tokens it up-projects).
    const fixed = 61 * DEFAULT_COST_CONSTANTS.mlaPrefillContextLayerSeconds;
    const ratio = (early.gpu.mlaContextSeconds - fixed) / (late.gpu.mlaContextSeconds - fixed);
    expect(ratio).toBeGreaterThan(10);
    expect(ratio).toBeLessThanOrEqual(246 / 6 + 1e-9);
    expect(early.gpu.totalSeconds).toBeGreaterThan(late.gpu.totalSeconds);
    // A uniform batch pays nothing.
    const uniform = m.stepCost({ requests: batchWithPartialAt(-1) });
    expect(uniform.numDecodesOnPrefillPath).toBe(0);
    expect(uniform.gpu.mlaContextSeconds).toBe(0);
  });

  it('the prefill-path cost is the roofline of up-projecting the routed context, plus the fixed per-layer cost', () => {
    const one = m.stepCost({ requests: batchWithPartialAt(255) }).gpu.mlaContextSeconds;
    const longer = m.stepCost({ requests: [...batchWithPartialAt(-1, 255), { ...partial, numContextTokens: 3000 }] }).gpu.mlaContextSeconds;
    const fixed = 61 * DEFAULT_COST_CONSTANTS.mlaPrefillContextLayerSeconds;
    expect(one).toBeGreaterThan(fixed);
    // Twice the context raises the data-dependent part, by at most 2x (the GEMM's weight read is shared).
    expect((longer - fixed) / (one - fixed)).toBeGreaterThan(1.2);
    expect((longer - fixed) / (one - fixed)).toBeLessThanOrEqual(2);
    const cheaper = new RooflineCostModel({ ...R1, constants: { mlaPrefillContextLayerSeconds: 0 } });
    expect(cheaper.stepCost({ requests: batchWithPartialAt(255) }).gpu.mlaContextSeconds).toBeCloseTo(one - fixed, 12);
  });

  it('a VARLEN backend, or the split turned off, routes by threshold and pays nothing extra', () => {
    for (const o of [{ ...R1, uniformQueryLenSplit: false }, { ...R1, attentionBackend: 'TRITON_MLA' }]) {
      const c = new RooflineCostModel(o).stepCost({ requests: batchWithPartialAt(10) });
      expect(c.numDecodesOnPrefillPath).toBe(0);
      expect(c.gpu.mlaContextSeconds).toBe(0);
    }
  });
});
