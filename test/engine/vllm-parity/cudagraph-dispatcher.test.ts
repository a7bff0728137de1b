/**
 * Ported from vLLM `tests/v1/cudagraph/test_cudagraph_dispatch.py` (capture sizes [1, 8],
 * max_num_seqs 8, uniform query length 1) and the CUDA-graph init rules of `GPUModelRunner`:
 * registered keys per mode, the batch descriptor `dispatch` returns (padded tokens, requests,
 * uniform), fallbacks under invalid/valid modes, the compile-time checks, and the capability rule
 * that turns FULL into FULL_AND_PIECEWISE.
 */
import { describe, expect, it } from 'vitest';
import { CudagraphDispatcher, type CudagraphDispatcherOptions } from '../../../engine/cost/cudagraph-dispatcher';
import type { CudagraphMode } from '../../../engine/config/engine-config';
import { resolveCudagraphModeWithReasons } from '../../../engine/cost/cudagraph-mode';

const make = (mode: CudagraphMode, o: Partial<CudagraphDispatcherOptions> = {}) => new CudagraphDispatcher({
  cudagraphMode: mode, cudagraphSupport: 'ALWAYS', maxNumSeqs: 8, maxNumBatchedTokens: 8192, numSpecTokens: 0, captureSizes: [1, 8], ...o,
});
const bd = (numTokens: number, numReqs: number | null, uniform: boolean) => ({ numTokens, numReqs, uniform, hasLora: false });

describe('test_cudagraph_dispatch.py: TestCudagraphDispatcher', () => {
  it.each(['FULL', 'FULL_AND_PIECEWISE', 'FULL_DECODE_ONLY', 'PIECEWISE'] as const)('%s: keys and dispatch', (mode) => {
    const d = make(mode);
    expect(d.cudagraphKeys.PIECEWISE).toHaveLength(mode === 'FULL_AND_PIECEWISE' || mode === 'PIECEWISE' ? 2 : 0);
    expect(d.cudagraphKeys.FULL).toHaveLength(mode === 'PIECEWISE' ? 0 : 2);

    // 1. A non-uniform batch of a capture size.
    const mixed = d.dispatchBatch(8);
    if (mode === 'FULL') expect(mixed).toEqual({ mode: 'FULL', descriptor: bd(8, 8, false) });
    else if (mode === 'FULL_DECODE_ONLY') expect(mixed.mode).toBe('NONE');
    else expect(mixed).toEqual({ mode: 'PIECEWISE', descriptor: bd(8, null, false) });

    // 2. A uniform decode batch.
    const uni = d.dispatchBatch(8, { uniformDecode: true });
    if (mode === 'FULL') expect(uni).toEqual({ mode: 'FULL', descriptor: bd(8, 8, false) });
    else if (mode === 'PIECEWISE') expect(uni).toEqual({ mode: 'PIECEWISE', descriptor: bd(8, null, false) });
    else expect(uni).toEqual({ mode: 'FULL', descriptor: bd(8, 8, true) });

    // 3. Past the largest capture size: eager, unpadded.
    expect(d.dispatchBatch(15)).toEqual({ mode: 'NONE', descriptor: bd(15, null, false) });

    // 4. FULL disallowed (cascade attention): PIECEWISE if the mode has it, else NONE.
    const cascade = d.dispatchBatch(8, { invalidModes: ['FULL'] });
    expect(cascade).toEqual(mode.includes('PIECEWISE') ? { mode: 'PIECEWISE', descriptor: bd(8, null, false) } : { mode: 'NONE', descriptor: bd(8, null, false) });

    // 5. Only NONE allowed: eager even though keys exist.
    expect(d.dispatchBatch(8, { validModes: ['NONE'] })).toEqual({ mode: 'NONE', descriptor: bd(8, null, false) });
  });

  it('padding: a batch of 5 runs as the 8-token graph; uniform FULL keys carry numReqs = tokens / (1 + k)', () => {
    const d = make('FULL');
    expect(d.dispatchBatch(5, { uniformDecode: true })).toEqual({ mode: 'FULL', descriptor: bd(8, 8, false) });
    const k3 = make('FULL_AND_PIECEWISE', { numSpecTokens: 3, captureSizes: [4, 8, 16], maxNumSeqs: 4 });
    expect(k3.cudagraphKeys.FULL).toEqual([bd(4, 1, true), bd(8, 2, true), bd(16, 4, true)]);
    expect(k3.dispatchBatch(7, { uniformDecode: true })).toEqual({ mode: 'FULL', descriptor: bd(8, 2, true) });
    expect(k3.dispatchBatch(7)).toEqual({ mode: 'PIECEWISE', descriptor: bd(8, null, false) });
    // The step-level call derives uniformity from the per-request counts (every request 1 + k).
    expect(k3.dispatch([4, 4])).toEqual({ mode: 'FULL', numTokensPadded: 8, numTokens: 8, numReqs: 2, uniformDecode: true });
    expect(k3.dispatch([4, 3])).toEqual({ mode: 'PIECEWISE', numTokensPadded: 8, numTokens: 7, numReqs: 2, uniformDecode: false });
  });

  it('mode NONE registers nothing and always runs eager', () => {
    const d = make('NONE');
    expect([d.cudagraphKeys.FULL, d.cudagraphKeys.PIECEWISE]).toEqual([[], []]);
    expect(d.dispatchBatch(8)).toEqual({ mode: 'NONE', descriptor: bd(8, null, false) });
  });

  it('compile-time checks: piecewise graphs need piecewise compilation; max capture size must match the list', () => {
    expect(() => make('FULL_AND_PIECEWISE', { piecewiseCompilation: false })).toThrowError(/Compilation level should be CompilationMode.VLLM_COMPILE/);
    expect(() => make('PIECEWISE', { piecewiseCompilation: false })).toThrowError(/VLLM_COMPILE/);
    expect(make('FULL', { piecewiseCompilation: false }).resolvedMode).toBe('FULL');
    expect(() => make('FULL', { maxCaptureSize: 16 })).toThrowError('customized max_cudagraph_capture_size(=16) should be consistent with the max value of cudagraph_capture_sizes(=8)');
    expect(make('FULL', { maxCaptureSize: 8 }).captureSizes).toEqual([1, 8]);
  });
});

describe('GPUModelRunner CUDA-graph init: the capability rule, observable', () => {
  it('FULL with a backend short of ALWAYS becomes FULL_AND_PIECEWISE (FULL_DECODE_ONLY without piecewise compilation)', () => {
    const r = resolveCudagraphModeWithReasons('FULL', 'UNIFORM_BATCH', 3, { backend: 'FLASHINFER_MLA' });
    expect(r.mode).toBe('FULL_AND_PIECEWISE');
    expect(r.reasons).toEqual(['CUDAGraphMode.FULL is not supported with FLASHINFER_MLA backend (support: UNIFORM_BATCH); setting cudagraph_mode=FULL_AND_PIECEWISE']);
    expect(resolveCudagraphModeWithReasons('FULL', 'UNIFORM_BATCH', 3, { piecewiseCompilation: false }).mode).toBe('FULL_DECODE_ONLY');
    expect(resolveCudagraphModeWithReasons('FULL', 'ALWAYS', 3)).toMatchObject({ mode: 'FULL', reasons: [] });
    const d = new CudagraphDispatcher({ cudagraphMode: 'FULL', attentionBackend: 'FLASHINFER_MLA', maxNumSeqs: 8, maxNumBatchedTokens: 64, numSpecTokens: 0, captureSizes: [1, 8] });
    expect([d.resolvedMode, d.resolution.requested, d.resolution.support]).toEqual(['FULL_AND_PIECEWISE', 'FULL', 'UNIFORM_BATCH']);
    expect(d.cudagraphKeys.PIECEWISE).toHaveLength(2);
  });

  it('spec decode needs UNIFORM_BATCH for separate FULL decode graphs; NEVER with FULL graphs is an error', () => {
    const r = resolveCudagraphModeWithReasons('FULL', 'UNIFORM_SINGLE_TOKEN_DECODE', 2);
    expect(r.mode).toBe('PIECEWISE');
    expect(r.reasons).toHaveLength(2);
    expect(r.reasons[1]).toMatch(/not supported with spec-decode .* setting cudagraph_mode=PIECEWISE/);
    expect(resolveCudagraphModeWithReasons('FULL_DECODE_ONLY', 'UNIFORM_SINGLE_TOKEN_DECODE', 2, { piecewiseCompilation: false }).mode).toBe('NONE');
    expect(resolveCudagraphModeWithReasons('FULL_AND_PIECEWISE', 'UNIFORM_SINGLE_TOKEN_DECODE', 0).mode).toBe('FULL_AND_PIECEWISE');
    expect(() => resolveCudagraphModeWithReasons('FULL', 'NEVER', 0)).toThrowError(/please try cudagraph_mode=PIECEWISE/);
    expect(() => resolveCudagraphModeWithReasons('FULL_AND_PIECEWISE', 'NEVER', 0)).toThrowError(/not supported/);
    expect(resolveCudagraphModeWithReasons('FULL_AND_PIECEWISE', 'NEVER', 1).mode).toBe('PIECEWISE');
    expect(resolveCudagraphModeWithReasons('PIECEWISE', 'NEVER', 0).mode).toBe('PIECEWISE');
  });
});
