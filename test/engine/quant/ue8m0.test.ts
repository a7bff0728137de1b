// All 256 UE8M0 codes and the power-of-two scale rule (sparse-mla.md §6.2–§6.3), including an
// exhaustive check over every positive finite bf16 amax.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../engine/base/errors';
import { bf16FromBits } from '../../../engine/quant/bf16';
import { ceilLog2Exact, decodeUe8m0, encodeUe8m0, pow2ScaleByte, pow2ScaleExponent, SCALE_AMAX_FLOOR } from '../../../engine/quant/ue8m0';

describe('UE8M0 codes', () => {
  it('all 256 bytes: 2^(b−127), 0xFF is NaN', () => {
    for (let b = 0; b < 255; b++) expect(decodeUe8m0(b)).toBe(2 ** (b - 127));
    expect(decodeUe8m0(255)).toBeNaN();
  });
  it('encode is the inverse on 0..254 and clamps outside', () => {
    for (let b = 0; b < 255; b++) expect(encodeUe8m0(Math.log2(decodeUe8m0(b)))).toBe(b);
    expect(encodeUe8m0(-200)).toBe(0);
    expect(encodeUe8m0(300)).toBe(255);
    expect(() => encodeUe8m0(0.5)).toThrow(EngineError);
  });
});

describe('power-of-two scale rule', () => {
  it('ceilLog2Exact on powers of two and their neighbours', () => {
    for (let k = -140; k < 120; k++) {
      expect(ceilLog2Exact(2 ** k)).toBe(k);
      expect(ceilLog2Exact(2 ** k * (1 + 2 ** -23))).toBe(k + 1);
      expect(ceilLog2Exact(2 ** k * (1 - 2 ** -24))).toBe(k);
    }
  });
  it('the floor 1e-4 is the fp32 value and gives e = −22 for an all-zero tile', () => {
    expect(SCALE_AMAX_FLOOR).toBe(Math.fround(1e-4));
    expect(Math.abs(SCALE_AMAX_FLOOR - 9.99999974737875e-5)).toBeLessThan(1e-18);
    expect(pow2ScaleExponent(0)).toBe(-22);
    expect(pow2ScaleByte(0)).toBe(0x69);
  });
  it('boundaries: amax = 448·2^k gives k exactly; the next fp32 value gives k+1', () => {
    for (let k = -12; k <= 20; k++) {
      const a = 448 * 2 ** k;
      expect(pow2ScaleExponent(a)).toBe(k);
      const up = a * (1 + 2 ** -23);
      expect(pow2ScaleExponent(up)).toBe(k + 1);
    }
  });
  it('every positive finite bf16 amax: 2^(e−1) < fp32(amax/448) ≤ 2^e, division equals reciprocal multiply, scaled amax ≤ 448', () => {
    const recip = Math.fround(1 / 448);
    let checked = 0;
    for (let bits = 1; bits < 0x7f80; bits++) {
      const amax = bf16FromBits(bits);
      const e = pow2ScaleExponent(amax);
      const a = Math.max(amax, SCALE_AMAX_FLOOR);
      const y = Math.fround(a / 448);
      expect(y <= 2 ** e && y > 2 ** (e - 1)).toBe(true);
      expect(ceilLog2Exact(Math.fround(a * recip))).toBe(e);
      if (amax >= SCALE_AMAX_FLOOR) expect(amax * 2 ** -e).toBeLessThanOrEqual(448);
      checked++;
    }
    expect(checked).toBe(0x7f7f);
  });
  it('rejects NaN, negative and infinite amax with an error naming amax', () => {
    for (const bad of [NaN, -1, Infinity]) {
      try {
        pow2ScaleExponent(bad);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).argument).toBe('amax');
      }
    }
  });
});
