import { describe, expect, it } from 'vitest';
import {
  CudagraphDispatcher, computeCaptureSizes, isUniformDecodeBatch, padToCaptureSize, resolveCudagraphMode,
} from '../../../engine/cost/index';

const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('capture sizes', () => {
  it('k = 0, max 512: 1, 2, 4, multiples of 8 to 248, multiples of 16 from 256 (51 sizes)', () => {
    const s = computeCaptureSizes({ maxNumSeqs: 256, maxNumBatchedTokens: 8192, numSpecTokens: 0, cudagraphMode: 'FULL_AND_PIECEWISE' });
    expect(s).toEqual([1, 2, 4, ...range(8, 248, 8), ...range(256, 512, 16)]);
    expect(s).toHaveLength(51);
  });

  it('k = 3 with FULL decode graphs rounds up to multiples of 4 (49 sizes)', () => {
    const s = computeCaptureSizes({ maxNumSeqs: 1024, maxNumBatchedTokens: 8192, numSpecTokens: 3, cudagraphMode: 'FULL_AND_PIECEWISE' });
    expect(s).toEqual([4, ...range(8, 248, 8), ...range(256, 512, 16)]);
    expect(s).toHaveLength(49);
  });

  it('k = 3 PIECEWISE-only keeps the unrounded list', () => {
    const s = computeCaptureSizes({ maxNumSeqs: 1024, maxNumBatchedTokens: 8192, numSpecTokens: 3, cudagraphMode: 'PIECEWISE' });
    expect(s.slice(0, 4)).toEqual([1, 2, 4, 8]);
  });

  it('default max = min(maxNumSeqs x (1+k) x 2, 512, max_num_batched_tokens), which is appended when ≤ max', () => {
    expect(computeCaptureSizes({ maxNumSeqs: 4, maxNumBatchedTokens: 8192, numSpecTokens: 1, cudagraphMode: 'FULL_AND_PIECEWISE' })).toEqual([2, 4, 8, 16]);
    const s = computeCaptureSizes({ maxNumSeqs: 1024, maxNumBatchedTokens: 300, numSpecTokens: 0, cudagraphMode: 'PIECEWISE' });
    expect(s.at(-1)).toBe(300);
    expect(s.at(-2)).toBe(288);
  });

  it('the DeepSeek-R1 report (max capture 2048, k = 3) reaches 2048 tokens = 512 requests', () => {
    const s = computeCaptureSizes({ maxNumSeqs: 1024, maxNumBatchedTokens: 8192, numSpecTokens: 3, cudagraphMode: 'FULL_AND_PIECEWISE', maxCaptureSize: 2048 });
    expect(s.at(-1)).toBe(2048);
    expect(s).toContain(1024);
  });

  it('interactivity mode captures every size up to 32', () => {
    const s = computeCaptureSizes({ maxNumSeqs: 256, maxNumBatchedTokens: 8192, numSpecTokens: 0, cudagraphMode: 'PIECEWISE', performanceMode: 'interactivity' });
    expect(s.slice(0, 33)).toEqual([...range(1, 32, 1), 40]);
  });

  it('mode NONE captures nothing; bad sizes name the argument', () => {
    expect(computeCaptureSizes({ maxNumSeqs: 8, maxNumBatchedTokens: 64, numSpecTokens: 0, cudagraphMode: 'NONE' })).toEqual([]);
    expect(() => computeCaptureSizes({ maxNumSeqs: 0, maxNumBatchedTokens: 64, numSpecTokens: 0, cudagraphMode: 'FULL' })).toThrowError(/maxNumSeqs/);
  });
});

describe('padding and uniform decode', () => {
  it('pads to the smallest capture size ≥ T, none above the max', () => {
    const s = [4, 8, 16, 24];
    expect(padToCaptureSize(1, s)).toBe(4);
    expect(padToCaptureSize(8, s)).toBe(8);
    expect(padToCaptureSize(17, s)).toBe(24);
    expect(padToCaptureSize(25, s)).toBeUndefined();
  });

  it('uniform iff every request has exactly 1 + k tokens', () => {
    expect(isUniformDecodeBatch([4, 4, 4], 3)).toBe(true);
    expect(isUniformDecodeBatch([4, 3, 4], 3)).toBe(false);
    expect(isUniformDecodeBatch([4, 4, 1024], 3)).toBe(false);
    expect(isUniformDecodeBatch([1, 1], 3)).toBe(false);
    expect(isUniformDecodeBatch([1, 1], 0)).toBe(true);
    expect(isUniformDecodeBatch([], 0)).toBe(false);
  });
});

describe('mode resolution and dispatch', () => {
  it('backend capability downgrades the requested mode', () => {
    expect(resolveCudagraphMode('FULL', 'ALWAYS', 3)).toBe('FULL');
    expect(resolveCudagraphMode('FULL', 'UNIFORM_BATCH', 3)).toBe('FULL_AND_PIECEWISE');
    expect(resolveCudagraphMode('FULL_AND_PIECEWISE', 'UNIFORM_SINGLE_TOKEN_DECODE', 3)).toBe('PIECEWISE');
    expect(resolveCudagraphMode('FULL_AND_PIECEWISE', 'UNIFORM_SINGLE_TOKEN_DECODE', 0)).toBe('FULL_AND_PIECEWISE');
    // vLLM raises when a FULL graph is left with a backend that never supports one.
    expect(() => resolveCudagraphMode('FULL_DECODE_ONLY', 'NEVER', 0)).toThrowError(/not supported/);
    expect(() => resolveCudagraphMode('BOGUS' as never, 'ALWAYS', 0)).toThrowError(/cudagraphMode/);
  });

  const r1 = (maxCaptureSize: number | null) => new CudagraphDispatcher({
    cudagraphMode: 'FULL_AND_PIECEWISE', attentionBackend: 'FLASHINFER_MLA', maxNumSeqs: 1024, maxNumBatchedTokens: 8192, numSpecTokens: 3, maxCaptureSize,
  });

  it('FULL_AND_PIECEWISE: uniform → FULL padded, one short request → PIECEWISE, too big → NONE', () => {
    const d = r1(2048);
    expect(d.dispatch(new Array(256).fill(4))).toEqual({ mode: 'FULL', numTokensPadded: 1024, numTokens: 1024, numReqs: 256, uniformDecode: true });
    expect(d.dispatch([4, 4, 4])).toMatchObject({ mode: 'FULL', numTokensPadded: 16 });
    expect(d.dispatch([...new Array(255).fill(4), 3])).toMatchObject({ mode: 'PIECEWISE', numTokensPadded: 1024, uniformDecode: false });
    expect(d.dispatch([...new Array(255).fill(4), 1024])).toMatchObject({ mode: 'PIECEWISE', numTokensPadded: 2048 });
    expect(d.dispatch([4, 4, 8000])).toMatchObject({ mode: 'NONE', numTokensPadded: 8008 });
    expect(d.dispatch(new Array(256).fill(4), false).mode).toBe('PIECEWISE');
  });

  it('default capture cap 512: a k = 3 uniform batch gets FULL only up to 128 requests', () => {
    const d = r1(null);
    expect(d.dispatch(new Array(128).fill(4)).mode).toBe('FULL');
    expect(d.dispatch(new Array(129).fill(4))).toMatchObject({ mode: 'NONE', numTokensPadded: 516 });
  });

  it('FULL_DECODE_ONLY runs mixed batches eager; FULL with an ALWAYS backend graphs mixed batches', () => {
    const fdo = new CudagraphDispatcher({ cudagraphMode: 'FULL_DECODE_ONLY', cudagraphSupport: 'UNIFORM_BATCH', maxNumSeqs: 64, maxNumBatchedTokens: 2048, numSpecTokens: 1 });
    expect(fdo.dispatch([2, 2]).mode).toBe('FULL');
    expect(fdo.dispatch([2, 1])).toMatchObject({ mode: 'NONE', numTokensPadded: 3 });
    const full = new CudagraphDispatcher({ cudagraphMode: 'FULL', attentionBackend: 'TRITON_MLA', maxNumSeqs: 64, maxNumBatchedTokens: 2048, numSpecTokens: 1 });
    expect(full.dispatch([2, 1, 50])).toMatchObject({ mode: 'FULL', numTokensPadded: 56 });
    expect(() => new CudagraphDispatcher({ cudagraphMode: 'FULL', attentionBackend: 'NOPE', maxNumSeqs: 1, maxNumBatchedTokens: 8, numSpecTokens: 0 })).toThrowError(/attentionBackend/);
  });

  it('uniformDecodeRequiresExactK = false (counterfactual) keeps partial-draft decode batches on FULL graphs', () => {
    const o = { cudagraphMode: 'FULL_AND_PIECEWISE' as const, attentionBackend: 'FLASHINFER_MLA', maxNumSeqs: 1024, maxNumBatchedTokens: 8192, numSpecTokens: 3, maxCaptureSize: 2048 };
    const exact = new CudagraphDispatcher(o);
    const relaxed = new CudagraphDispatcher({ ...o, uniformDecodeRequiresExactK: false });
    const batch = [4, 4, 3, 1];
    expect(exact.dispatch(batch).mode).toBe('PIECEWISE');
    expect(relaxed.dispatch(batch)).toMatchObject({ mode: 'FULL', numTokensPadded: 16, uniformDecode: true });
    // A prefill chunk is never a decode: still PIECEWISE.
    expect(relaxed.dispatch([4, 4, 100]).mode).toBe('PIECEWISE');
  });
});
