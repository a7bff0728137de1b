// BF16 round-to-nearest-even (sparse-mla.md §6.4): all 65,536 patterns round-trip, midpoint
// cases against an independent nearest-neighbour oracle, overflow and NaN handling.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';
import { bf16Bits, bf16FromBits, f32Bits, f32FromBits, roundBf16, roundBf16Array } from '../../../engine/quant/bf16';

/**
 * Nearest bf16 by comparing the two neighbouring bf16 values in double; ties to the even pattern.
 * A neighbour whose pattern is the infinity pattern counts as 2^128 (IEEE overflow rule).
 */
function oracle(bits32: number): number {
  const x = Math.abs(f32FromBits(bits32));
  const sign = bits32 >>> 31 ? 0x8000 : 0;
  const lo = (bits32 >>> 16) & 0x7fff; // magnitude truncated toward zero
  const hi = lo + 1;
  const vlo = f32FromBits(lo << 16);
  const vhi = hi === 0x7f80 ? 2 ** 128 : f32FromBits(hi << 16);
  const dlo = x - vlo;
  const dhi = vhi - x;
  const pick = dlo < dhi ? lo : dhi < dlo ? hi : (lo & 1) === 0 ? lo : hi;
  return sign | pick;
}

describe('bf16', () => {
  it('all 65,536 bf16 patterns round-trip; NaNs stay NaN, quiet, with their sign', () => {
    let nans = 0;
    for (let b = 0; b < 0x10000; b++) {
      const v = bf16FromBits(b);
      const back = bf16Bits(v);
      if ((b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0) {
        nans++;
        expect(v).toBeNaN();
        expect(bf16FromBits(back)).toBeNaN();
        expect(back & 0x0040).toBe(0x0040);
      } else {
        expect(back).toBe(b);
      }
    }
    expect(nans).toBe(2 * 127);
  });
  it('exact midpoints tie to the even pattern; one fp32 ulp off the midpoint goes to the nearer', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 5000; i++) {
      const hiBits = rng.int(0x7f7f) | (rng.next() < 0.5 ? 0x8000 : 0); // finite, not the largest
      const mid = ((hiBits << 16) | 0x8000) >>> 0;
      const expectEven = (hiBits & 1) === 0 ? hiBits : hiBits + 1;
      expect(bf16Bits(f32FromBits(mid))).toBe(expectEven);
      expect(bf16Bits(f32FromBits(mid - 1))).toBe(hiBits);
      expect(bf16Bits(f32FromBits(mid + 1))).toBe((hiBits + 1) & 0xffff);
    }
  });
  it('matches a nearest-neighbour oracle on 50,000 random fp32 patterns', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 50000; i++) {
      const bits = rng.nextU32();
      if ((bits & 0x7f800000) === 0x7f800000) continue; // Inf/NaN handled separately
      expect(bf16Bits(f32FromBits(bits))).toBe(oracle(bits));
    }
  });
  it('known values: 1 + 2^-8 ties down to 1, 1 + 3·2^-8 ties up, overflow to infinity, fp32 rounding first', () => {
    expect(roundBf16(1 + 2 ** -8)).toBe(1);
    expect(roundBf16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(roundBf16(3.4e38)).toBe(Infinity);
    expect(roundBf16(-0)).toBe(-0);
    expect(f32Bits(1)).toBe(0x3f800000);
    expect(Array.from(roundBf16Array([1 + 2 ** -8, -2.5]))).toEqual([1, -2.5]);
  });
});
