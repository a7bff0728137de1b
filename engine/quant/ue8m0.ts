/**
 * UE8M0 (`float8_e8m0fnu`) scales and the power-of-two scale rule of sparse-mla.md §6.2–§6.3.
 * A UE8M0 byte `b` is the pure power of two 2^(b−127); 0xFF is NaN (OCP). V4 writers choose, per
 * tile, `e = ⌈log2(max(amax, 1e‑4) / 448)⌉` evaluated exactly on the fp32 quotient, store
 * `clamp(e + 127, 0, 255)` and quantise `x · 2^−e`, which is exact, so the only rounding is e4m3's.
 */
import { EngineError } from '../base/errors';
import { E4M3_MAX } from './fp8-e4m3';

/** The amax floor of the rule: 1e‑4 as fp32 (9.99999974737875e‑5). */
export const SCALE_AMAX_FLOOR = Math.fround(1e-4);
/** UE8M0 exponent bias. */
export const UE8M0_BIAS = 127;

/** Value of a UE8M0 byte: 2^(b−127), NaN for 0xFF. */
export function decodeUe8m0(byte: number): number {
  const b = byte & 0xff;
  return b === 0xff ? NaN : 2 ** (b - UE8M0_BIAS);
}

/** UE8M0 byte of an integer exponent, clamped to 0..255 as the V4 writers store it. */
export function encodeUe8m0(exponent: number): number {
  if (!Number.isInteger(exponent)) throw new EngineError(`exponent must be an integer, got ${exponent}`, 'exponent');
  return Math.min(255, Math.max(0, exponent + UE8M0_BIAS));
}

/**
 * Exact ⌈log2 y⌉ of a positive finite number: with y = f·2^k, f ∈ [0.5, 1), it is k−1 when
 * f = 0.5 (y is a power of two) and k otherwise.
 */
export function ceilLog2Exact(y: number): number {
  if (!(y > 0) || !Number.isFinite(y)) throw new EngineError(`y must be positive and finite, got ${y}`, 'y');
  let k = Math.floor(Math.log2(y)) + 1; // candidate with y / 2^k ∈ [0.5, 1)
  while (y / 2 ** k >= 1) k++;
  while (y / 2 ** k < 0.5) k--;
  return y / 2 ** k === 0.5 ? k - 1 : k;
}

/**
 * The tile exponent `e` of the power-of-two rule for a tile whose max |x| is `amax`
 * (fp32 arithmetic: the amax and the quotient by 448 are rounded to fp32, as on the GPU).
 */
export function pow2ScaleExponent(amax: number): number {
  if (Number.isNaN(amax) || amax < 0 || !Number.isFinite(amax)) {
    throw new EngineError(`amax must be a finite non-negative number, got ${amax}`, 'amax');
  }
  const a = Math.max(Math.fround(amax), SCALE_AMAX_FLOOR);
  return ceilLog2Exact(Math.fround(a / E4M3_MAX));
}

/** The stored UE8M0 byte for a tile with max |x| = `amax` (`pow2ScaleExponent(amax) + 127`). */
export function pow2ScaleByte(amax: number): number {
  return encodeUe8m0(pow2ScaleExponent(amax));
}

/**
 * FlashMLA's test quantiser variant (sparse-mla.md §7.2 quirk): it clamps the *ratio*,
 * e = ⌈log2(max(amax/448, 1e‑4))⌉, so every tile with amax < 0.0448 gets e = −13 (vLLM goes down
 * to −22). Both decode the same way; use the vLLM rule to replay vLLM dumps.
 */
export function pow2ScaleExponentFlashMla(amax: number): number {
  if (Number.isNaN(amax) || amax < 0 || !Number.isFinite(amax)) {
    throw new EngineError(`amax must be a finite non-negative number, got ${amax}`, 'amax');
  }
  return ceilLog2Exact(Math.max(Math.fround(Math.fround(amax) / E4M3_MAX), SCALE_AMAX_FLOOR));
}
