import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config/validate';
import {
  CUDAGRAPH_MODES, DEFAULT_ENGINE_CONFIG, defaultMaxCaptureSize, maxNumScheduledTokens, numLookaheadTokens, effectiveMaxCudagraphCaptureSize,
} from '../../../engine/config/engine-config';
import { computeCaptureSizes } from '../../../engine/cost/cudagraph-mode';
import { ConfigError } from '../../../engine/base/errors';

function issues(partial: object): string[] {
  try {
    resolveConfig(partial as never);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.path);
    throw e;
  }
  return [];
}

describe('resolveConfig / validateConfig', () => {
  it('fills vLLM defaults and merges nested objects', () => {
    const c = resolveConfig({ maxNumSeqs: 4, speculative: { numSpeculativeTokens: 2 }, synthetic: { eosTokenId: 3 } });
    expect(c.maxNumSeqs).toBe(4);
    expect(c.gpuMemoryUtilization).toBe(0.92);
    expect(c.speculative).toEqual({ method: 'mtp', numSpeculativeTokens: 2 });
    expect(c.synthetic.vocabSize).toBe(DEFAULT_ENGINE_CONFIG.synthetic.vocabSize);
    expect(c.synthetic.eosTokenId).toBe(3);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('reports every issue at once, naming each key', () => {
    expect(issues({ maxNumSeqs: 0, blockSize: 1.5, policy: 'lifo', maxNumSeq: 3, gpuMemoryUtilization: 1.2 }).sort())
      .toEqual(['blockSize', 'gpuMemoryUtilization', 'maxNumSeq', 'maxNumSeqs', 'policy']);
  });

  it('follows vLLM scheduler rules', () => {
    expect(issues({ enableChunkedPrefill: false, maxModelLen: 4096, maxNumBatchedTokens: 2048, numGpuBlocks: 4097 })).toEqual(['maxNumBatchedTokens']);
    expect(issues({ maxNumSeqs: 512, maxNumBatchedTokens: 256 })).toEqual(['maxNumBatchedTokens']);
    expect(issues({ maxNumPartialPrefills: 2, enableChunkedPrefill: false, maxModelLen: 1024, maxNumBatchedTokens: 2048 })).toEqual(['maxNumPartialPrefills']);
    expect(issues({ numGpuBlocks: 10, blockSize: 16, maxModelLen: 1024 })).toEqual(['numGpuBlocks']);
    expect(issues({ asyncScheduling: true, speculative: { method: 'ngram', numSpeculativeTokens: 2 } })).toEqual(['asyncScheduling']);
    expect(issues({ synthetic: { acceptanceRates: [0.5, 0.7] } })).toEqual(['synthetic.acceptanceRates']);
  });

  it('defaults the long-prefill threshold to 4 % of max_model_len with several partial prefills', () => {
    expect(resolveConfig({ maxNumPartialPrefills: 2, maxModelLen: 1000, numGpuBlocks: 100 }).longPrefillTokenThreshold).toBe(40);
    expect(resolveConfig({ maxNumPartialPrefills: 2, maxModelLen: 1000, numGpuBlocks: 100, longPrefillTokenThreshold: 7 }).longPrefillTokenThreshold).toBe(7);
    expect(resolveConfig({}).longPrefillTokenThreshold).toBe(0);
  });

  it('derives the scheduling budget, lookahead and capture cap as vLLM does', () => {
    const c = resolveConfig({ maxNumSeqs: 256, maxNumBatchedTokens: 8192, speculative: { method: 'draft_model', numSpeculativeTokens: 3 } });
    expect(maxNumScheduledTokens(c)).toBe(8192 - 256);
    expect(numLookaheadTokens(c)).toBe(3);
    expect(numLookaheadTokens(resolveConfig({ speculative: { method: 'ngram', numSpeculativeTokens: 3 } }))).toBe(0);
    expect(effectiveMaxCudagraphCaptureSize(resolveConfig({ maxNumSeqs: 32, speculative: { numSpeculativeTokens: 3 } }))).toBe(256);
    expect(effectiveMaxCudagraphCaptureSize(resolveConfig({ maxNumSeqs: 1024 }))).toBe(512);
  });

  it('takes exactly vLLM\'s CUDA-graph modes, and the capture cap from the same rule the cost model uses', () => {
    for (const m of CUDAGRAPH_MODES) expect(issues({ cudagraphMode: m })).toEqual([]);
    expect(issues({ cudagraphMode: 'FULL_DECODE' })).toEqual(['cudagraphMode']);
    expect(CUDAGRAPH_MODES).toEqual(['NONE', 'PIECEWISE', 'FULL', 'FULL_DECODE_ONLY', 'FULL_AND_PIECEWISE']);
    const c = resolveConfig({ maxNumSeqs: 8, maxNumBatchedTokens: 20, speculative: { numSpeculativeTokens: 1 } });
    expect(effectiveMaxCudagraphCaptureSize(c)).toBe(defaultMaxCaptureSize(8, 1, 20));
    expect(defaultMaxCaptureSize(8, 1, 20)).toBe(20);
    expect(defaultMaxCaptureSize(8, 1, 4096)).toBe(32);
    expect(computeCaptureSizes({ maxNumSeqs: 8, maxNumBatchedTokens: 4096, numSpecTokens: 1, cudagraphMode: 'PIECEWISE' }).at(-1)).toBe(32);
    expect(effectiveMaxCudagraphCaptureSize(resolveConfig({ maxCudagraphCaptureSize: 48 }))).toBe(48);
  });
});
