/**
 * BF16 as sparse-mla.md §6.4 states it: the upper 16 bits of an fp32 after round-to-nearest-even
 * on the 16 dropped bits (`bits + 0x7FFF + ((bits >> 16) & 1)`, then `>> 16`); NaN → quiet NaN.
 * Inputs are first converted to fp32 (`Math.fround`), because every producer of bf16 data in the
 * modelled kernels rounds from an fp32 register.
 */

// One scratch word shared by the bit casts (reinterpretation, not I/O).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The IEEE-754 bits of `x` rounded to fp32. */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** The fp32 value with the given 32 bits. */
export function f32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

/** bf16 bit pattern (0..0xFFFF) of `x`, rounded to nearest even; NaN keeps its sign and gets the quiet bit. */
export function bf16Bits(x: number): number {
  const bits = f32Bits(x);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) {
    return ((bits >>> 16) | 0x0040) & 0xffff; // 0x0040 = top mantissa bit of bf16 = quiet bit
  }
  // Adding 0x7FFF plus the LSB of the kept half rounds the dropped half to nearest, ties to even;
  // a carry out of the mantissa correctly bumps the exponent (up to infinity).
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 0;
  return (rounded >>> 16) & 0xffff;
}

/** The value of a bf16 bit pattern. */
export function bf16FromBits(bits: number): number {
  return f32FromBits((bits & 0xffff) << 16);
}

/** `x` rounded to the nearest bf16 value (ties to even). */
export function roundBf16(x: number): number {
  return bf16FromBits(bf16Bits(x));
}

/** Rounds every element to bf16, returning a new Float32Array. */
export function roundBf16Array(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = roundBf16(values[i]!);
  return out;
}
