/**
 * FP8 E4M3FN (`float8_e4m3fn`, Triton `float8e4nv`), as sparse-mla.md §6.1 states it.
 * Byte layout `S EEEE MMM`: sign bit 7, biased exponent bits 6..3 (bias 7), mantissa bits 2..0.
 * There are no infinities; 0x7F and 0xFF are NaN; the largest finite magnitude is 448 (0x7E).
 * The encoder clamps to [−448, 448] first (what vLLM's writers do), then rounds to the nearest
 * code with ties to the even code (the code LSB is the mantissa LSB), so no overflow case remains.
 */

/** Largest finite E4M3FN magnitude: 1.75 · 2^8. */
export const E4M3_MAX = 448;
/** Smallest positive normal value, 2^−6 (code 0x08). */
export const E4M3_MIN_NORMAL = 2 ** -6;
/** Smallest positive subnormal value, 2^−9 (code 0x01). */
export const E4M3_MIN_SUBNORMAL = 2 ** -9;
/** The canonical NaN code the encoder produces. */
export const E4M3_NAN_CODE = 0x7f;

function decodeOne(code: number): number {
  const sign = code & 0x80 ? -1 : 1;
  const exp = (code >> 3) & 0x0f; // bits 6..3
  const man = code & 0x07; // bits 2..0
  if (exp === 0x0f && man === 0x07) return NaN;
  if (exp === 0) return sign * (man / 8) * 2 ** -6; // subnormal (man 0 gives ±0)
  return sign * (1 + man / 8) * 2 ** (exp - 7);
}

/** All 256 codes decoded once; decoding is a table lookup. */
export const E4M3_DECODE_TABLE: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let c = 0; c < 256; c++) t[c] = decodeOne(c);
  return t;
})();

/** Decodes one E4M3FN code (0..255) to its exact value (NaN for 0x7F/0xFF). */
export function decodeE4m3(code: number): number {
  return E4M3_DECODE_TABLE[code & 0xff]!;
}

/** Round-half-to-even of a non-negative double to an integer. */
function roundHalfEven(t: number): number {
  const f = Math.floor(t);
  const d = t - f; // exact: t is far below 2^52 here
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Exact floor(log2(a)) for a positive finite double (Math.log2 can be off by one near powers of two). */
export function floorLog2(a: number): number {
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  return e;
}

/**
 * Encodes a number to an E4M3FN code: clamp to ±448, round to nearest even, keep the sign
 * (−0 → 0x80), NaN → 0x7F. The value is rounded exactly as given (pass fp32 values for fp32 data).
 */
export function encodeE4m3(x: number): number {
  if (Number.isNaN(x)) return E4M3_NAN_CODE;
  const signBit = x < 0 || Object.is(x, -0) ? 0x80 : 0;
  const a = Math.min(Math.abs(x), E4M3_MAX);
  if (a < E4M3_MIN_NORMAL) {
    // Subnormal grid: multiples of 2^−9; rounding up to 8 lands on code 0x08 = 2^−6, the next normal.
    return signBit | roundHalfEven(a * 2 ** 9);
  }
  const e = floorLog2(a); // −6 … 8
  // q = a / 2^(e−3) ∈ [8, 16); the code is (e+7)·8 + (q−8), and q = 16 carries into the exponent.
  const q = roundHalfEven(a * 2 ** (3 - e));
  return signBit | ((e + 7) * 8 + q - 8);
}

/** Encodes a whole array (each element as `encodeE4m3`). */
export function encodeE4m3Array(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = encodeE4m3(values[i]!);
  return out;
}

/** Decodes a whole array of codes. */
export function decodeE4m3Array(codes: ArrayLike<number>): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = E4M3_DECODE_TABLE[codes[i]! & 0xff]!;
  return out;
}
