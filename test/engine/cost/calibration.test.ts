import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COST_CONSTANTS, H100_FITTED_CONSTANTS, H100_MEASUREMENTS, describeCostModel, fitCalibration, measurementsFromScriptJson,
  predictDenseStep, costConstantProvenance, type CalibrationMeasurements, type CostConstants,
} from '../../../engine/cost/index';
import { hardwarePreset } from '../../../engine/presets/index';

const JSON_PATH = new URL('../../../fixtures/calibration/h100/results.json', import.meta.url);
const raw = JSON.parse(readFileSync(JSON_PATH, 'utf8')) as Record<string, unknown>;
const h100 = hardwarePreset('H100');

describe('H100 calibration', () => {
  it('the generated module holds exactly the committed JSON measurements, measured on an H100', () => {
    expect(measurementsFromScriptJson(raw)).toEqual(H100_MEASUREMENTS);
    expect(H100_MEASUREMENTS.meta.gpuName).toMatch(/H100/);
    expect(H100_MEASUREMENTS.gemm.length).toBeGreaterThan(500);
    expect(H100_MEASUREMENTS.denseStep.length).toBe(46);
  });

  it('refitting the committed measurements gives the committed constants, which are the defaults', () => {
    const fit = fitCalibration(H100_MEASUREMENTS);
    for (const [k, v] of Object.entries(fit.constants)) {
      expect((H100_FITTED_CONSTANTS as Record<string, number>)[k], k).toBeCloseTo(v, 9);
      expect(DEFAULT_COST_CONSTANTS[k as keyof CostConstants], k).toBe((H100_FITTED_CONSTANTS as Record<string, number>)[k]);
    }
    // Every term reports both halves.
    for (const t of fit.terms) {
      expect(t.fitted.count, t.term).toBeGreaterThan(0);
      expect(t.heldBack.count, t.term).toBeGreaterThan(0);
    }
    // Issue 13's bar, on both halves: the whole dense step within 10 %, MLA decode within 15 %.
    const term = (name: string) => fit.terms.find((t) => t.term === name)!;
    for (const name of ['dense step (one CUDA graph)', 'dense step (eager)']) {
      expect(term(name).fitted.maxAbs, name).toBeLessThan(0.10);
      expect(term(name).heldBack.maxAbs, name).toBeLessThan(0.10);
    }
    expect(term('decode attention mla').fitted.maxAbs).toBeLessThan(0.15);
    expect(term('decode attention mla').heldBack.maxAbs).toBeLessThan(0.15);
    // No constant leaves what it means: shares of a peak below 1, smooth-max sharpness at least 1.
    for (const [k, v] of Object.entries(fit.constants)) {
      if (/Efficiency(Fp8)?$|Overlap$/.test(k)) expect(v, k).toBeLessThanOrEqual(1);
      if (/Sharpness$/.test(k)) expect(v, k).toBeGreaterThanOrEqual(1);
      expect(v, k).toBeGreaterThan(0);
    }
  }, 300_000);

  it('changing one measured point changes the fit of its term', () => {
    // Prefill attention: a small term (3 constants, 5 points a sweep), so the four fits stay quick.
    const term = ['prefill attention'];
    const pf = H100_MEASUREMENTS.prefillAttention;
    const config = pf[0]!.config;
    const at = (tokens: number) => pf.findIndex((p) => p.config === config && p.tokens === tokens);
    const scaled = (idx: number) => ({ ...H100_MEASUREMENTS, prefillAttention: pf.map((p, j) => (j === idx ? { ...p, us: p.us * 3 } : p)) }) as CalibrationMeasurements;
    const base = fitCalibration(H100_MEASUREMENTS, h100, term).constants;
    const names = ['attentionComputeEfficiency', 'prefillAttentionHalfTokens', 'prefillAttentionFixedSeconds'];
    // 512 tokens is the first of its sweep, so fitted; 1024 the second, so held back.
    const moved = fitCalibration(scaled(at(512)), h100, term).constants;
    expect(names.some((k) => Math.abs(moved[k]! / base[k]! - 1) > 1e-3)).toBe(true);
    const same = fitCalibration(scaled(at(1024)), h100, term).constants;
    for (const k of names) expect(same[k]).toBe(base[k]);
  }, 120_000);

  it('every measured Llama-3.1-8B step in one CUDA graph is predicted within 10 %, eager within 15 %', () => {
    for (const p of H100_MEASUREMENTS.denseStep) {
      const err = predictDenseStep(p, DEFAULT_COST_CONSTANTS, h100) / (p.us * 1e-6) - 1;
      expect(Math.abs(err), `${p.phase} ${p.mode} B=${p.batch} ctx=${p.ctx} T=${p.tokens}`).toBeLessThan(p.mode === 'graph' ? 0.1 : 0.15);
    }
  });

  it('describeCostModel tags measured constants on the H100 and derived ones on other GPUs', () => {
    const onH100 = describeCostModel('H100');
    const row = (rows: ReturnType<typeof describeCostModel>, k: string) => rows.find((r) => r.constant === k)!;
    expect(row(onH100, 'memoryBandwidthEfficiency').provenance).toBe('measured');
    expect(row(onH100, 'memoryBandwidthEfficiency').detail).toContain('fixtures/calibration/h100/measure.py');
    expect(row(onH100, 'allReduceLatencySeconds').provenance).toBe('assumed');
    expect(row(onH100, 'updatePerRequestSeconds').provenance).toBe('sourced');
    for (const gpu of ['B200', 'H200', 'RTX-PRO-6000', 'GB10']) {
      const rows = describeCostModel(gpu);
      expect(row(rows, 'mlaKvReadEfficiency').provenance, gpu).toBe('derived');
      expect(row(rows, 'mlaKvReadEfficiency').detail, gpu).toMatch(/derived from the H100 fit by datasheet ratios/);
      expect(row(rows, `hardware ${hardwarePreset(gpu).name}`).provenance).toBe('derived');
    }
    expect(costConstantProvenance('gemmFixedSeconds').kind).toBe('measured');
    // Every constant has a row.
    expect(onH100.length).toBe(Object.keys(DEFAULT_COST_CONSTANTS).length + 1);
  });
});
