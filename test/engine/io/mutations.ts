/**
 * Seeded mutants of a file's bytes for the reader fuzzer. Mutant `index` of a seed depends on
 * nothing else (its own Rng), so a failure is reproduced from (format, seed, index) alone.
 * Kinds: single/multi bit flips, a byte set to an interesting value, truncation, insertion and
 * deletion of random bytes, and length-field edits (an aligned 32- or 64-bit little-endian word
 * set to 0, 1, ±8 around the file size, 2^31 − 1, 2^32 − 1, 2^63 …) — every length, offset and
 * count in these formats is such a word. `bitFlip(i)` is the exhaustive single-bit-flip series.
 */
import { Rng } from '../../../engine/base/rng';

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x7b, 0x22, 0x2c, 0x5d, 0x20, 0x0a];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Flips bit `index % 8` of byte `index >> 3`. */
export function bitFlip(base: Uint8Array, index: number): { bytes: Uint8Array; how: string } {
  const c = base.slice();
  c[index >> 3]! ^= 1 << (index & 7);
  return { bytes: c, how: `flip bit ${index & 7} of byte ${index >> 3}` };
}

function lengthWords(n: number): number[] {
  return [0, 1, 2, 7, 8, n, n - 8, n + 8, n >>> 1, 0x7fffffff, 0xffffffff, 0x80000000, 0xfffffff8];
}

function once(rng: Rng, b: Uint8Array): { bytes: Uint8Array; how: string } {
  const pos = rng.int(Math.max(1, b.length));
  switch (rng.int(7)) {
    case 0: {
      const c = b.slice();
      const k = 1 + rng.int(3);
      for (let i = 0; i < k; i++) c[rng.int(c.length)]! ^= 1 << rng.int(8);
      return { bytes: c, how: `flip ${k} bits` };
    }
    case 1: {
      const c = b.slice();
      c[pos] = INTERESTING_BYTES[rng.int(INTERESTING_BYTES.length)]!;
      return { bytes: c, how: `set byte ${pos} to ${c[pos]}` };
    }
    case 2:
      return { bytes: b.slice(0, pos), how: `truncate at ${pos}` };
    case 3: {
      const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
      return { bytes: concat(b.subarray(0, pos), extra, b.subarray(pos)), how: `insert ${extra.length} at ${pos}` };
    }
    case 4: {
      const n = 1 + rng.int(16);
      return { bytes: concat(b.subarray(0, pos), b.subarray(pos + n)), how: `delete ${n} at ${pos}` };
    }
    default: {
      // Length-field edit: an aligned word (most lengths sit near the start or end of a file).
      const c = b.slice();
      if (c.length < 8) return { bytes: c, how: 'too short for a word' };
      const dv = new DataView(c.buffer);
      const near = rng.int(3);
      const region = near === 0 ? Math.min(c.length - 4, 64) : near === 1 ? c.length - 4 : c.length - 4;
      let at = near === 1 ? Math.max(0, c.length - 4 - rng.int(64)) : rng.int(region + 1);
      at -= at % 4;
      const v = lengthWords(c.length)[rng.int(13)]! >>> 0;
      if (rng.int(4) === 0 && at + 8 <= c.length) {
        dv.setBigUint64(at, rng.int(2) === 0 ? BigInt(v) : 1n << 63n, true);
        return { bytes: c, how: `u64 at ${at}` };
      }
      dv.setUint32(at, v, true);
      return { bytes: c, how: `u32 ${v} at ${at}` };
    }
  }
}

/** Mutant `index` of `base` under `seed`: one to three mutations. */
export function mutant(base: Uint8Array, seed: number, index: number): { bytes: Uint8Array; how: string } {
  const rng = new Rng((seed * 1_000_003 + index) >>> 0);
  let m = once(rng, base);
  const extra = rng.int(4) === 0 ? 1 + rng.int(2) : 0;
  for (let i = 0; i < extra; i++) {
    const next = once(rng, m.bytes);
    m = { bytes: next.bytes, how: `${m.how}; ${next.how}` };
  }
  return m;
}
