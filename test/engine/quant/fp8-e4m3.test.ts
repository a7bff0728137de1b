// Exhaustive FP8 E4M3FN tests: all 256 codes, round trips, NaN rules, saturation at ±448 and
// round-to-nearest-even at every midpoint, against an independent brute-force nearest-code oracle.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';
import { decodeE4m3, decodeE4m3Array, E4M3_DECODE_TABLE, encodeE4m3, encodeE4m3Array } from '../../../engine/quant/fp8-e4m3';

/** Decode from the bit string, written independently of the implementation. */
function specDecode(code: number): number {
  const bits = code.toString(2).padStart(8, '0');
  const s = bits[0] === '1' ? -1 : 1;
  const e = parseInt(bits.slice(1, 5), 2);
  const m = parseInt(bits.slice(5), 2);
  if (e === 15 && m === 7) return NaN;
  return e === 0 ? s * m * 2 ** -9 : s * (8 + m) * 2 ** (e - 10);
}

const finiteCodes = Array.from({ length: 256 }, (_, c) => c).filter((c) => (c & 0x7f) !== 0x7f);
const positiveCodes = Array.from({ length: 127 }, (_, c) => c); // 0x00 … 0x7E, increasing values

/** Nearest finite code to x after clamping, ties to the even code (brute force over all codes). */
function oracleEncode(x: number): number {
  if (Number.isNaN(x)) return 0x7f;
  const sign = x < 0 || Object.is(x, -0) ? 0x80 : 0;
  const a = Math.min(Math.abs(x), 448);
  let best = 0;
  let bestErr = Infinity;
  for (const c of positiveCodes) {
    const err = Math.abs(specDecode(c) - a);
    if (err < bestErr || (err === bestErr && c % 2 === 0)) {
      best = c;
      bestErr = err;
    }
  }
  return sign | best;
}

describe('E4M3FN decode', () => {
  it('all 256 codes match the bit-level definition', () => {
    for (let c = 0; c < 256; c++) {
      const want = specDecode(c);
      if (Number.isNaN(want)) expect(decodeE4m3(c)).toBeNaN();
      else expect(Object.is(decodeE4m3(c), want) || decodeE4m3(c) === want).toBe(true);
    }
  });
  it('exactly two NaN codes (0x7F, 0xFF), no infinities, ±0 keep their sign', () => {
    const nans = Array.from(E4M3_DECODE_TABLE.keys()).filter((c) => Number.isNaN(E4M3_DECODE_TABLE[c]!));
    expect(nans).toEqual([0x7f, 0xff]);
    expect(Array.from(E4M3_DECODE_TABLE).some((v) => !Number.isFinite(v) && !Number.isNaN(v))).toBe(false);
    expect(Object.is(decodeE4m3(0x00), 0)).toBe(true);
    expect(Object.is(decodeE4m3(0x80), -0)).toBe(true);
  });
  it('range landmarks: max 448, min normal 2^-6, min subnormal 2^-9', () => {
    expect(decodeE4m3(0x7e)).toBe(448);
    expect(decodeE4m3(0xfe)).toBe(-448);
    expect(decodeE4m3(0x08)).toBe(2 ** -6);
    expect(decodeE4m3(0x07)).toBe(7 * 2 ** -9);
    expect(decodeE4m3(0x01)).toBe(2 ** -9);
  });
  it('positive codes are strictly increasing in value', () => {
    for (let c = 1; c < 127; c++) expect(decodeE4m3(c)).toBeGreaterThan(decodeE4m3(c - 1));
  });
});

describe('E4M3FN encode', () => {
  it('round-trips every finite code (254 codes, both zeros included)', () => {
    for (const c of finiteCodes) expect(encodeE4m3(decodeE4m3(c))).toBe(c);
  });
  it('NaN → 0x7F; the NaN codes decode to NaN', () => {
    expect(encodeE4m3(NaN)).toBe(0x7f);
    expect(decodeE4m3(encodeE4m3(NaN))).toBeNaN();
  });
  it('saturates at ±448 (clamp first): 448.5, 464, 480, 1e6, ±Infinity', () => {
    for (const x of [448.5, 463.99, 464, 480, 1e6, Infinity]) {
      expect(encodeE4m3(x)).toBe(0x7e);
      expect(encodeE4m3(-x)).toBe(0xfe);
    }
  });
  it('every midpoint between adjacent codes rounds to the even code; just off the midpoint rounds to the nearer', () => {
    for (let c = 0; c < 126; c++) {
      const lo = decodeE4m3(c);
      const hi = decodeE4m3(c + 1);
      const mid = (lo + hi) / 2;
      const even = c % 2 === 0 ? c : c + 1;
      expect(encodeE4m3(mid)).toBe(even);
      expect(encodeE4m3(-mid)).toBe(0x80 | even);
      const eps = (hi - lo) * 2 ** -20;
      expect(encodeE4m3(mid - eps)).toBe(c);
      expect(encodeE4m3(mid + eps)).toBe(c + 1);
    }
  });
  it('matches the brute-force nearest-even oracle on 20,000 seeded inputs over every binade', () => {
    const rng = new Rng(42);
    for (let i = 0; i < 20000; i++) {
      const x = (rng.next() < 0.5 ? -1 : 1) * 2 ** (rng.next() * 22 - 13) * (1 + rng.next());
      const xf = Math.fround(x);
      expect(encodeE4m3(xf)).toBe(oracleEncode(xf));
    }
  });
  it('sign of zero and of tiny values is kept', () => {
    expect(encodeE4m3(-0)).toBe(0x80);
    expect(encodeE4m3(-1e-30)).toBe(0x80);
    expect(encodeE4m3(1e-30)).toBe(0x00);
  });
  it('array helpers agree with the scalar functions', () => {
    const xs = [0.3, -17, 1000, NaN, 2 ** -10];
    expect(Array.from(encodeE4m3Array(xs))).toEqual(xs.map(encodeE4m3));
    const codes = Uint8Array.from({ length: 256 }, (_, c) => c);
    const dec = decodeE4m3Array(codes);
    for (let c = 0; c < 256; c++) expect(Object.is(dec[c], E4M3_DECODE_TABLE[c])).toBe(true);
  });
});
