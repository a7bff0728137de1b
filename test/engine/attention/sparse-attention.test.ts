// Property tests of sparse MLA attention on seeded inputs with −1 entries, duplicates, truncation
// and all-invalid rows: the chunked sparse path equals the dense reference; merging subsets
// equals attention over the concatenated candidates; chunk knobs change results only by rounding.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';
import {
  attendSubset,
  candidateLists,
  concatCandidateLists,
  countValidCandidates,
  denseSinkAttentionReference,
  sparseMlaAttention,
  type AttentionSubset,
  type CandidateLists,
} from '../../../engine/attention/index';

/** Tolerance of the float64 reference against itself under re-chunking / re-association. */
const TOL = 1e-12;

interface Case {
  q: Float32Array;
  subsets: AttentionSubset[];
  sink: number[];
  H: number;
  D: number;
  scale: number;
}

/** Random lists over `rows` rows: −1 entries, duplicates, truncation (len < width), all-invalid rows. */
function randomLists(rng: Rng, T: number, rows: number, width: number): CandidateLists {
  const lists: number[][] = [];
  const lens: number[] = [];
  for (let t = 0; t < T; t++) {
    const kind = rng.int(6);
    const row: number[] = [];
    for (let i = 0; i < width; i++) {
      if (kind === 0) row.push(-1); // all invalid
      else if (rng.next() < 0.2) row.push(-1);
      else if (i > 0 && rng.next() < 0.2) row.push(row[rng.int(i)]! >= 0 ? row[rng.int(i)]! : rng.int(rows)); // duplicate
      else row.push(rng.int(rows));
    }
    lists.push(row);
    lens.push(kind === 1 ? 0 : kind === 2 ? rng.int(width + 1) : width);
  }
  return candidateLists(lists, lens);
}

function randomCase(seed: number, T: number, H: number, D: number, widths: number[]): Case {
  const rng = new Rng(seed);
  const q = new Float32Array(T * H * D).map(() => rng.normal());
  const subsets = widths.map((w) => {
    const rows = 3 + rng.int(30);
    const kv = new Float32Array(rows * D).map(() => rng.normal());
    return { kv, candidates: randomLists(rng, T, rows, w) };
  });
  const sink = Array.from({ length: H }, (_, h) => (h % 3 === 2 ? -Infinity : rng.normal()));
  return { q, subsets, sink, H, D, scale: D ** -0.5 };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('sparse MLA attention vs the dense reference', () => {
  it('two subsets, −1, duplicates, truncation, all-invalid rows: equal within 1e-12, and the sparse path really ran', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const c = randomCase(seed, 10, 4, 16, [9, 5]);
      let chunks = 0;
      const sparse = sparseMlaAttention({ ...c, numHeads: c.H, headDim: c.D, knobs: { topkChunkSize: 4 }, onChunk: () => chunks++ });
      const dense = denseSinkAttentionReference({ ...c, numHeads: c.H, headDim: c.D });
      expect(chunks).toBeGreaterThan(0);
      expect(maxAbsDiff(sparse.out, dense.out)).toBeLessThan(TOL);
      expect(Array.from(sparse.out).every(Number.isFinite)).toBe(true);
    }
  });
  it('NaN garbage in rows that are never valid candidates does not leak', () => {
    const c = randomCase(99, 6, 2, 8, [7]);
    const s = c.subsets[0]!;
    const used = new Set<number>();
    const cl = s.candidates;
    for (let t = 0; t < 6; t++) for (let i = 0; i < Math.min(cl.lens[t]!, cl.width); i++) if (cl.slots[t * cl.width + i]! >= 0) used.add(cl.slots[t * cl.width + i]!);
    const kv = s.kv.slice();
    for (let r = 0; r < kv.length / 8; r++) if (!used.has(r)) kv.fill(NaN, r * 8, r * 8 + 8);
    // `used` counts positions < len only, so rows referenced only past len are poisoned too.
    const r = sparseMlaAttention({ ...c, subsets: [{ kv, candidates: cl }], numHeads: 2, headDim: 8 });
    const want = sparseMlaAttention({ ...c, numHeads: 2, headDim: 8 });
    expect(maxAbsDiff(r.out, want.out)).toBe(0);
  });
  it('all-invalid rows give out_no_sink = 0, lse_no_sink = −∞ and merged output exactly 0', () => {
    const c = randomCase(5, 3, 2, 4, [4]);
    const lists = candidateLists([[-1, -1, -1, -1], [3, 1, 2, 0], [-1, 2, -1, 2]], [4, 0, 1]);
    const r = sparseMlaAttention({ ...c, subsets: [{ kv: c.subsets[0]!.kv, candidates: lists }], sink: [0.5, -Infinity], numHeads: 2, headDim: 4 });
    expect(Array.from(countValidCandidates(lists))).toEqual([0, 0, 0]);
    expect(Array.from(r.subsets[0]!.lse).every((v) => v === -Infinity)).toBe(true);
    expect(Array.from(r.out).every((v) => v === 0)).toBe(true);
  });
});

describe('the equivalence property (§2.7)', () => {
  it('merge of the subsets equals attention over the concatenated candidates (same KV rows, random multiset partitions)', () => {
    for (let seed = 10; seed < 20; seed++) {
      const c = randomCase(seed, 8, 3, 12, [11]);
      const kv = c.subsets[0]!.kv;
      const full = c.subsets[0]!.candidates;
      // Partition each token's list positionally into up to three subsets at random cut points.
      const rng = new Rng(seed * 7);
      const parts: number[][][] = [[], [], []];
      for (let t = 0; t < 8; t++) {
        const row = Array.from(full.slots.subarray(t * full.width, t * full.width + Math.min(full.lens[t]!, full.width)));
        const a = rng.int(row.length + 1);
        const b = a + rng.int(row.length - a + 1);
        parts[0]!.push(row.slice(0, a));
        parts[1]!.push(row.slice(a, b));
        parts[2]!.push(row.slice(b));
      }
      const subsets = parts.map((p) => ({ kv, candidates: candidateLists(p) }));
      const merged = sparseMlaAttention({ ...c, subsets, numHeads: c.H, headDim: c.D });
      const concat = sparseMlaAttention({ ...c, subsets: [{ kv, candidates: concatCandidateLists(subsets.map((s) => s.candidates), 8) }], numHeads: c.H, headDim: c.D });
      expect(maxAbsDiff(merged.out, concat.out)).toBeLessThan(TOL);
    }
  });
});

describe('chunking knobs', () => {
  it('TOPK_CHUNK_SIZE changes results only by rounding; QUERY_CHUNK_SIZE and HEAD_BLOCK_SIZE not at all', () => {
    const c = randomCase(31, 20, 8, 16, [37, 13]);
    const base = sparseMlaAttention({ ...c, numHeads: c.H, headDim: c.D });
    for (const topkChunkSize of [1, 2, 5, 16, 512]) {
      const r = sparseMlaAttention({ ...c, numHeads: c.H, headDim: c.D, knobs: { topkChunkSize } });
      expect(maxAbsDiff(r.out, base.out)).toBeLessThan(TOL);
      r.subsets.forEach((s, j) => expect(maxAbsDiff(s.lse.map((v) => (v === -Infinity ? -1e300 : v)), base.subsets[j]!.lse.map((v) => (v === -Infinity ? -1e300 : v)))).toBeLessThan(TOL));
    }
    for (const queryChunkSize of [1, 3, 256]) {
      for (const headBlockSize of [1, 2, 4, 'auto'] as const) {
        const r = sparseMlaAttention({ ...c, numHeads: c.H, headDim: c.D, knobs: { queryChunkSize, headBlockSize } });
        expect(maxAbsDiff(r.out, base.out)).toBe(0);
      }
    }
  });
  it('onChunk reports the state after every chunk: chunk boundaries follow TOPK_CHUNK_SIZE up to len', () => {
    const c = randomCase(32, 3, 2, 4, [10]);
    const seen: Array<[number, number, number]> = [];
    attendSubset({ q: c.q, numHeads: 2, headDim: 4, scale: c.scale, subset: c.subsets[0]!, knobs: { topkChunkSize: 4 }, onChunk: (s) => seen.push([s.token, s.candidateStart, s.candidateEnd]) });
    const want: Array<[number, number, number]> = [];
    const lens = c.subsets[0]!.candidates.lens;
    for (let t = 0; t < 3; t++) for (let s = 0; s < Math.min(lens[t]!, 10); s += 4) want.push([t, s, Math.min(s + 4, lens[t]!, 10)]);
    expect(seen).toEqual(want);
  });
});
