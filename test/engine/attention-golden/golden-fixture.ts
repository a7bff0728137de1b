/**
 * Reads fixtures/golden-mla/{manifest.json, golden.bin} written by make_golden.py (an independent
 * PyTorch implementation run on an H100): every array is little-endian at a byte offset with a
 * dtype and shape. bf16 arrays are stored as their 16-bit patterns ('u16').
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDEN_DIR = join(__dirname, '../../../fixtures/golden-mla');

export interface ArrayRecord {
  readonly dtype: 'f32' | 'f64' | 'i32' | 'u8' | 'u16';
  readonly shape: number[];
  readonly offset: number;
  readonly nbytes: number;
}

export interface GoldenCase {
  readonly name: string;
  readonly kind: 'attention' | 'fp8' | 'v4-entry';
  readonly arrays: Record<string, ArrayRecord>;
  readonly [key: string]: unknown;
}

export interface Golden {
  readonly manifest: { torch: string; device: string; cases: GoldenCase[] };
  readonly bytes: Uint8Array;
}

export function loadGolden(): Golden {
  const manifest = JSON.parse(readFileSync(join(GOLDEN_DIR, 'manifest.json'), 'utf8'));
  const file = readFileSync(join(GOLDEN_DIR, 'golden.bin'));
  const bytes = new Uint8Array(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
  return { manifest, bytes };
}

export function goldenCase(g: Golden, name: string): GoldenCase {
  const c = g.manifest.cases.find((x) => x.name === name);
  if (!c) throw new Error(`golden case ${name} missing`);
  return c;
}

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array;

export function goldenArray(g: Golden, c: GoldenCase, key: string): Typed {
  const r = c.arrays[key];
  if (!r) throw new Error(`golden array ${c.name}.${key} missing`);
  const buf = g.bytes.buffer.slice(g.bytes.byteOffset + r.offset, g.bytes.byteOffset + r.offset + r.nbytes);
  switch (r.dtype) {
    case 'f32': return new Float32Array(buf);
    case 'f64': return new Float64Array(buf);
    case 'i32': return new Int32Array(buf);
    case 'u8': return new Uint8Array(buf);
    case 'u16': return new Uint16Array(buf);
  }
}

/** bf16 bit patterns → float32 values (exact). */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const u = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) u[i] = bits[i]! << 16;
  return new Float32Array(u.buffer);
}

/** An array as float32 values: bf16 patterns are widened, f32 passes through. */
export function goldenF32(g: Golden, c: GoldenCase, key: string): Float32Array {
  const a = goldenArray(g, c, key);
  if (a instanceof Uint16Array) return bf16ToF32(a);
  if (a instanceof Float32Array) return a;
  throw new Error(`${c.name}.${key} is not f32 or bf16`);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue; // also equal infinities
    const d = Math.abs(x - y);
    if (!(d <= m)) m = d; // NaN or an infinity mismatch makes m NaN/Infinity
  }
  return m;
}
