import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_CONSTANTS, RooflineCostModel, stepTiming, withCostOverrides, type CostModelOptions, type CostRequest } from '../../../engine/cost/index';
import { hardwarePreset, withHardwareOverrides } from '../../../engine/presets/index';

const R1: CostModelOptions = {
  model: 'deepseek-ai/DeepSeek-R1-0528', hardware: 'B200', tensorParallelSize: 8, numSpecTokens: 3, kvCacheDtype: 'fp8',
  cudagraphMode: 'FULL_AND_PIECEWISE', attentionBackend: 'FLASHINFER_MLA', maxNumSeqs: 1024, maxNumBatchedTokens: 8192, maxCaptureSize: 2048,
};
const decodes = (n: number, ctx = 1500): CostRequest[] => Array.from({ length: n }, () => ({ numScheduledTokens: 4, numContextTokens: ctx, numDrafts: 3 }));

describe('step cost model', () => {
  const m = new RooflineCostModel(R1);

  it('more tokens or longer contexts never cost less', () => {
    let prev = 0;
    for (const n of [1, 8, 32, 64, 128, 256, 512]) {
      const t = m.stepCost({ requests: decodes(n) }).gpu.totalSeconds;
      expect(t).toBeGreaterThanOrEqual(prev);
      prev = t;
    }
    const short = m.stepCost({ requests: decodes(64, 100) }).gpu.attentionSeconds;
    const long = m.stepCost({ requests: decodes(64, 2000) }).gpu.attentionSeconds;
    expect(long).toBeGreaterThan(short);
    const prefill = m.stepCost({ requests: [{ numScheduledTokens: 4096, numContextTokens: 0, numDrafts: 0, isPrefillChunk: true }] });
    const prefill2 = m.stepCost({ requests: [{ numScheduledTokens: 8192, numContextTokens: 0, numDrafts: 0, isPrefillChunk: true }] });
    expect(prefill2.gpu.targetSeconds).toBeGreaterThan(prefill.gpu.targetSeconds);
  });

  it('decode of a 671B MoE at 256 requests is memory-bound on expert weights (≈ 84 GB/GPU at the fitted MoE bandwidth)', () => {
    const c = m.stepCost({ requests: decodes(256) });
    const C = DEFAULT_COST_CONSTANTS;
    // 58 MoE layers x 256 experts (all touched by 1024 tokens x top-8) x 3 x 7168 x 256 fp8 bytes.
    const bytes = 58 * 256 * 3 * 7168 * 256;
    const floor = bytes / (8e12 * C.moeBandwidthEfficiency) + 58 * (C.moeFixedSeconds + C.moeRoutingSeconds);
    expect(c.gpu.moeSeconds).toBeGreaterThan(floor);
    expect(c.gpu.moeSeconds).toBeLessThan(floor * 1.25);
    expect(c.graph.mode).toBe('FULL');
  });

  it('one non-uniform request demotes the step to PIECEWISE and costs numLayers x piecewisePerLayerSeconds more launch time', () => {
    const full = m.stepCost({ requests: decodes(256) });
    const mixed = m.stepCost({ requests: [...decodes(255), { numScheduledTokens: 3, numContextTokens: 1500, numDrafts: 2 }] });
    expect(mixed.graph.mode).toBe('PIECEWISE');
    expect(mixed.gpu.launchSeconds - full.gpu.launchSeconds).toBeCloseTo(61 * DEFAULT_COST_CONSTANTS.piecewisePerLayerSeconds - DEFAULT_COST_CONSTANTS.fullGraphLaunchSeconds, 12);
  });

  it('changing one named constant changes the result accordingly', () => {
    const base = m.stepCost({ requests: decodes(256) });
    const slowLink = new RooflineCostModel({ ...R1, constants: { allReduceLatencySeconds: 20e-6 } }).stepCost({ requests: decodes(256) });
    // 61 layers x 2 all-reduces x 10 µs extra latency.
    expect(slowLink.gpu.allReduceSeconds - base.gpu.allReduceSeconds).toBeCloseTo(122 * 10e-6, 9);
    const slowSched = new RooflineCostModel({ ...R1, constants: { schedulePerRequestSeconds: 20e-6 } }).stepCost({ requests: decodes(256) });
    expect(slowSched.host.scheduleSeconds - base.host.scheduleSeconds).toBeCloseTo(256 * (20e-6 - DEFAULT_COST_CONSTANTS.schedulePerRequestSeconds), 12);
    expect(slowSched.gpu.totalSeconds).toBe(base.gpu.totalSeconds);
  });

  it('halving the hardware preset bandwidth doubles the memory-bound part of the MoE', () => {
    const base = m.stepCost({ requests: decodes(256) });
    const half = new RooflineCostModel({ ...R1, hardware: withHardwareOverrides(hardwarePreset('B200'), { memoryBandwidth: 4e12 }) }).stepCost({ requests: decodes(256) });
    const fixed = 58 * (DEFAULT_COST_CONSTANTS.moeFixedSeconds + DEFAULT_COST_CONSTANTS.moeRoutingSeconds);
    expect((half.gpu.moeSeconds - fixed) / (base.gpu.moeSeconds - fixed)).toBeGreaterThan(1.8); // the compute share does not double
    expect((half.gpu.moeSeconds - fixed) / (base.gpu.moeSeconds - fixed)).toBeLessThanOrEqual(2 + 1e-9);
  });

  it('slower hardware is slower: H100 > H200 > B200 for the same step at TP8', () => {
    const t = (hw: string) => new RooflineCostModel({ ...R1, hardware: hw }).stepCost({ requests: decodes(64) }).gpu.totalSeconds;
    expect(t('H100')).toBeGreaterThan(t('H200'));
    expect(t('H200')).toBeGreaterThan(t('B200'));
  });

  it('rejects unknown constants, models, hardware and impossible TP by name', () => {
    expect(() => withCostOverrides(DEFAULT_COST_CONSTANTS, { nope: 1 } as never)).toThrowError(/unknown name 'nope'/);
    expect(() => withCostOverrides(DEFAULT_COST_CONSTANTS, { hostSyncSeconds: -1 })).toThrowError(/hostSyncSeconds/);
    expect(() => new RooflineCostModel({ ...R1, model: 'mystery-7b' })).toThrowError(/known models: deepseek-r1/);
    expect(() => new RooflineCostModel({ ...R1, hardware: 'TPUv5' })).toThrowError(/known hardware: B200/);
    expect(() => new RooflineCostModel({ ...R1, hardware: 'GB10' })).toThrowError(/tensorParallelSize/);
  });

  it('covers every model preset on a single-GPU-capable config', () => {
    for (const model of ['deepseek-v3', 'deepseek-v3.2', 'deepseek-v4-flash', 'deepseek-v4-pro', 'llama-3.1-8b', 'llama-3.1-70b']) {
      const c = new RooflineCostModel({ ...R1, model }).stepCost({ requests: decodes(32, 4000) });
      expect(c.gpu.totalSeconds).toBeGreaterThan(0);
      expect(Number.isFinite(c.gpu.totalSeconds)).toBe(true);
    }
    // V3.2's top-2048 sparse attention makes a 100k-token context cheaper than dense V3 attention.
    const v3 = new RooflineCostModel({ ...R1, model: 'deepseek-v3' }).stepCost({ requests: decodes(32, 100_000) }).gpu.attentionSeconds;
    const v32 = new RooflineCostModel({ ...R1, model: 'deepseek-v3.2' }).stepCost({ requests: decodes(32, 100_000) }).gpu.attentionSeconds;
    expect(v32).toBeLessThan(v3);
  });
});

describe('step timing', () => {
  const m = new RooflineCostModel(R1);
  const c = m.stepCost({ requests: decodes(256) });

  it('sync is serial: GPU + all host time', () => {
    const t = stepTiming(c, { asyncScheduling: false, asyncSpecHostSync: 'zero_bubble_32951' });
    expect(t.stepSeconds).toBeCloseTo(c.gpu.totalSeconds + c.host.totalSeconds, 12);
  });

  it('async zero-bubble hides host time behind the GPU', () => {
    const t = stepTiming(c, { asyncScheduling: true, asyncSpecHostSync: 'zero_bubble_32951' });
    expect(t.stepSeconds).toBeCloseTo(Math.max(c.gpu.totalSeconds, c.host.totalSeconds), 12);
  });

  it('#24799: input preparation hides only behind the drafter', () => {
    // With the default constants preparation at batch 256 fits inside the drafter's three passes.
    const fits = stepTiming(c, { asyncScheduling: true, asyncSpecHostSync: 'sync_24799' });
    expect(c.host.prepareSeconds + c.host.hostSyncSeconds).toBeLessThan(c.gpu.drafterSeconds);
    expect(fits.exposedHostSeconds).toBe(0);
    // A host slow enough to outlast the drafter exposes exactly the excess.
    const slow = new RooflineCostModel({ ...R1, constants: { preparePerRequestSeconds: 10e-6 } }).stepCost({ requests: decodes(256) });
    const t = stepTiming(slow, { asyncScheduling: true, asyncSpecHostSync: 'sync_24799' });
    const prep = slow.host.prepareSeconds + slow.host.hostSyncSeconds;
    expect(prep).toBeGreaterThan(slow.gpu.drafterSeconds);
    expect(t.exposedHostSeconds).toBeCloseTo(Math.max(0, prep - slow.gpu.drafterSeconds), 12);
    const zb = stepTiming(slow, { asyncScheduling: true, asyncSpecHostSync: 'zero_bubble_32951' });
    const sync = stepTiming(slow, { asyncScheduling: false, asyncSpecHostSync: 'sync_24799' });
    expect(zb.stepSeconds).toBeLessThan(t.stepSeconds);
    expect(t.stepSeconds).toBeLessThan(sync.stepSeconds);
  });
});
