/**
 * The engine's only source of randomness: a seeded sfc32 generator whose whole state is four
 * 32-bit words, so it snapshots and restores exactly. Streams for independent purposes are
 * derived with `fork(label)`, which never advances the parent, so adding a consumer in one
 * place does not perturb the numbers drawn elsewhere.
 */

/**
 * murmur3's 32-bit finaliser: every input bit affects every output bit. The one mixer behind the
 * engine's stateless hashes (block hashes, synthetic tokens and uniforms, per-request factors).
 */
export function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** splitmix32 step: spreads a seed over the state words (its outputs are well mixed). */
function splitmix32(x: number): [number, number] {
  x = (x + 0x9e3779b9) | 0;
  return [x, fmix32(x)];
}

/** FNV-1a over a string, for deriving fork seeds from labels. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Four state words plus the pending Box–Muller value (null when none; JSON-safe), so restore is exact. */
export type RngState = readonly [number, number, number, number, number | null];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number | RngState) {
    if (typeof seed === 'number') {
      let x = seed >>> 0;
      const w: number[] = [];
      for (let i = 0; i < 4; i++) {
        const [nx, v] = splitmix32(x);
        x = nx;
        w.push(v);
      }
      [this.a, this.b, this.c, this.d] = w as [number, number, number, number];
      // Warm up so that nearby seeds diverge.
      for (let i = 0; i < 12; i++) this.nextU32();
    } else {
      [this.a, this.b, this.c, this.d] = seed;
      this.spare = seed[4] ?? undefined;
    }
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  intRange(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Standard normal (Box–Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    let u = 0;
    while (u === 0) u = this.next();
    return -Math.log(u) / rate;
  }

  /** An independent stream derived from this one's state and `label`; does not advance this one. */
  fork(label: string): Rng {
    const h = hashString(label, (this.a ^ Math.imul(this.b, 31) ^ Math.imul(this.c, 131) ^ Math.imul(this.d, 1031)) >>> 0);
    return new Rng(h);
  }

  /** Serialisable state; `new Rng(state)` continues the same sequence. */
  state(): RngState {
    return [this.a, this.b, this.c, this.d, this.spare ?? null];
  }
}
