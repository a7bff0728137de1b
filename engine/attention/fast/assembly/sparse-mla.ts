// Sparse-MLA attention kernels for one query token over a compacted list of candidate rows,
// WebAssembly SIMD (f32x4). Built by scripts/build-wasm.mjs twice: plain SIMD (mul then add)
// and relaxed SIMD (f32x4.relaxed_madd, an FMA where the CPU has one).
//
// Memory is owned by the TypeScript side (engine/attention/fast/wasm-kernels.ts), which passes
// byte offsets. Layouts (all f32, 16-byte aligned, row-major):
//   q [numHeadsPad, D]   k [N, ldk] (valid candidate rows only, subset 0 then subset 1; the row
//                        stride ldk = D + 16 floats keeps rows off a single L1 set: with a
//                        2048-byte stride, P·K's walk down 64 rows thrashed two sets and ran at
//                        70% of the padded speed)
//   s [numHeadsPad, N]   scores, then softmax weights in place
//   o [numHeadsPad, D]   output
// Preconditions (checked by the caller): D % 8 == 0, head ranges start and end on multiples of 4.
// Every kernel takes a head range [hBegin, hEnd) so that several threads sharing one memory can
// each run a disjoint range of heads over the same gathered candidate rows (heads are independent).

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Candidates per tile: a tile of K (TILE rows of D floats) stays in L2 while every head uses it.
const TILE: i32 = 64;

/** s[h, n] = scale * dot(q[h], k[n]) for h < numHeadsPad, n < N; 4 heads x 2 candidates per block. */
export function qkScores(q: usize, k: usize, s: usize, hBegin: i32, hEnd: i32, N: i32, D: i32, ldk: i32, scale: f32): void {
  const rowBytes = <usize>D << 2;
  const kStride = <usize>ldk << 2;
  const sRow = <usize>N << 2;
  for (let n0: i32 = 0; n0 < N; n0 += TILE) {
    const n1 = min(n0 + TILE, N);
    for (let h: i32 = hBegin; h < hEnd; h += 4) {
      const q0 = q + <usize>h * rowBytes;
      const q1 = q0 + rowBytes;
      const q2 = q1 + rowBytes;
      const q3 = q2 + rowBytes;
      const sOut = s + <usize>h * sRow;
      let n = n0;
      for (; n + 1 < n1; n += 2) {
        const ka = k + <usize>n * kStride;
        const kb = ka + kStride;
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
        for (let d: usize = 0; d < rowBytes; d += 16) {
          const x = v128.load(ka + d);
          const y = v128.load(kb + d);
          const v0 = v128.load(q0 + d);
          a0 = madd(v0, x, a0); b0 = madd(v0, y, b0);
          const v1 = v128.load(q1 + d);
          a1 = madd(v1, x, a1); b1 = madd(v1, y, b1);
          const v2 = v128.load(q2 + d);
          a2 = madd(v2, x, a2); b2 = madd(v2, y, b2);
          const v3 = v128.load(q3 + d);
          a3 = madd(v3, x, a3); b3 = madd(v3, y, b3);
        }
        const o = sOut + (<usize>n << 2);
        store<f32>(o, hsum(a0) * scale); store<f32>(o, hsum(b0) * scale, 4);
        store<f32>(o + sRow, hsum(a1) * scale); store<f32>(o + sRow, hsum(b1) * scale, 4);
        store<f32>(o + 2 * sRow, hsum(a2) * scale); store<f32>(o + 2 * sRow, hsum(b2) * scale, 4);
        store<f32>(o + 3 * sRow, hsum(a3) * scale); store<f32>(o + 3 * sRow, hsum(b3) * scale, 4);
      }
      if (n < n1) {
        const ka = k + <usize>n * kStride;
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        for (let d: usize = 0; d < rowBytes; d += 16) {
          const x = v128.load(ka + d);
          a0 = madd(v128.load(q0 + d), x, a0);
          a1 = madd(v128.load(q1 + d), x, a1);
          a2 = madd(v128.load(q2 + d), x, a2);
          a3 = madd(v128.load(q3 + d), x, a3);
        }
        const o = sOut + (<usize>n << 2);
        store<f32>(o, hsum(a0) * scale);
        store<f32>(o + sRow, hsum(a1) * scale);
        store<f32>(o + 2 * sRow, hsum(a2) * scale);
        store<f32>(o + 3 * sRow, hsum(a3) * scale);
      }
    }
  }
}

/** o[h, :] = sum_n p[h, n] * k[n, :]; 4 heads x 8 dims per block, K tiled over candidates. */
export function pvAccumulate(p: usize, k: usize, o: usize, hBegin: i32, hEnd: i32, N: i32, D: i32, ldk: i32): void {
  const rowBytes = <usize>D << 2;
  const kStride = <usize>ldk << 2;
  const pRow = <usize>N << 2;
  memory.fill(o + <usize>hBegin * rowBytes, 0, <usize>(hEnd - hBegin) * rowBytes);
  for (let n0: i32 = 0; n0 < N; n0 += TILE) {
    const n1 = min(n0 + TILE, N);
    for (let h: i32 = hBegin; h < hEnd; h += 4) {
      const p0 = p + <usize>h * pRow;
      const o0 = o + <usize>h * rowBytes;
      for (let d: usize = 0; d < rowBytes; d += 32) {
        const oa = o0 + d;
        let a0 = v128.load(oa), b0 = v128.load(oa, 16);
        let a1 = v128.load(oa + rowBytes), b1 = v128.load(oa + rowBytes, 16);
        let a2 = v128.load(oa + 2 * rowBytes), b2 = v128.load(oa + 2 * rowBytes, 16);
        let a3 = v128.load(oa + 3 * rowBytes), b3 = v128.load(oa + 3 * rowBytes, 16);
        let kr = k + <usize>n0 * kStride + d;
        let pn = p0 + (<usize>n0 << 2);
        for (let n = n0; n < n1; n++) {
          const x = v128.load(kr);
          const y = v128.load(kr, 16);
          const w0 = v128.load32_splat(pn);
          a0 = madd(w0, x, a0); b0 = madd(w0, y, b0);
          const w1 = v128.load32_splat(pn + pRow);
          a1 = madd(w1, x, a1); b1 = madd(w1, y, b1);
          const w2 = v128.load32_splat(pn + 2 * pRow);
          a2 = madd(w2, x, a2); b2 = madd(w2, y, b2);
          const w3 = v128.load32_splat(pn + 3 * pRow);
          a3 = madd(w3, x, a3); b3 = madd(w3, y, b3);
          kr += kStride;
          pn += 4;
        }
        v128.store(oa, a0); v128.store(oa, b0, 16);
        v128.store(oa + rowBytes, a1); v128.store(oa + rowBytes, b1, 16);
        v128.store(oa + 2 * rowBytes, a2); v128.store(oa + 2 * rowBytes, b2, 16);
        v128.store(oa + 3 * rowBytes, a3); v128.store(oa + 3 * rowBytes, b3, 16);
      }
    }
  }
}

// exp(x) for x <= 0 on four lanes: x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial for e^r,
// 2^n assembled in the exponent field. Relative error about 2 ulp; below -87.3 the result is 0
// (also for x = -Infinity).
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  const lo = f32x4.splat(-87.33654);
  const xc = f32x4.max(x, lo);
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = madd(n, f32x4.splat(-0.693359375), xc);
  r = madd(n, f32x4.splat(2.12194440e-4), r);
  let y = f32x4.splat(1.9875691500e-4);
  y = madd(y, r, f32x4.splat(1.3981999507e-3));
  y = madd(y, r, f32x4.splat(8.3334519073e-3));
  y = madd(y, r, f32x4.splat(4.1665795894e-2));
  y = madd(y, r, f32x4.splat(1.6666665459e-1));
  y = madd(y, r, f32x4.splat(5.0000001201e-1));
  y = madd(y, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1)));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  const res = f32x4.mul(y, pow2);
  return v128.andnot(res, f32x4.lt(x, lo));
}

// @ts-ignore: decorator
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/** Max of s[0..count) (count may be 0 → -Infinity). */
function rowMax(s: usize, count: i32): f32 {
  let m4 = f32x4.splat(-Infinity);
  let i: i32 = 0;
  for (; i + 4 <= count; i += 4) m4 = f32x4.max(m4, v128.load(s + (<usize>i << 2)));
  let m = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  for (; i < count; i++) m = max(m, load<f32>(s + (<usize>i << 2)));
  return m;
}

/** s[i] = exp(s[i] - m) in place for i < count; returns the sum (count 0 → 0). */
function expShiftSum(s: usize, count: i32, m: f32): f32 {
  const mv = f32x4.splat(m);
  let acc = f32x4.splat(0);
  let i: i32 = 0;
  for (; i + 4 <= count; i += 4) {
    const a = s + (<usize>i << 2);
    const e = exp4(f32x4.sub(v128.load(a), mv));
    v128.store(a, e);
    acc = f32x4.add(acc, e);
  }
  let sum = hsum(acc);
  for (; i < count; i++) {
    const a = s + (<usize>i << 2);
    const e = exp1(load<f32>(a) - m);
    store<f32>(a, e);
    sum += e;
  }
  return sum;
}

/** s[i] *= c for i < count. */
function scaleRow(s: usize, count: i32, c: f32): void {
  const cv = f32x4.splat(c);
  let i: i32 = 0;
  for (; i + 4 <= count; i += 4) {
    const a = s + (<usize>i << 2);
    v128.store(a, f32x4.mul(v128.load(a), cv));
  }
  for (; i < count; i++) store<f32>(s + (<usize>i << 2), load<f32>(s + (<usize>i << 2)) * c);
}

/**
 * Turns scores into the final weights of the sink-aware two-subset merge, in place, for
 * heads hBegin <= h < hEnd: subset 0 = columns [0, n0), subset 1 = [n0, N). Writes per head and subset
 * the online-softmax state m (f32 at stats + (2h + j)*4*2) and l (next f32): j = 0, 1.
 * Weight of column c in subset j: exp(z_c - m_j) * exp(m_j - M) / den, where
 * M = max(m_0, m_1, sink) over the non-empty ones and den = sum_j l_j e^{m_j - M} + e^{sink - M}.
 */
export function softmaxMerge(s: usize, hBegin: i32, hEnd: i32, N: i32, n0: i32, sink: usize, stats: usize): void {
  const sRow = <usize>N << 2;
  for (let h: i32 = hBegin; h < hEnd; h++) {
    const row = s + <usize>h * sRow;
    const m0 = rowMax(row, n0);
    const m1 = rowMax(row + (<usize>n0 << 2), N - n0);
    const l0 = n0 > 0 ? expShiftSum(row, n0, m0) : <f32>0;
    const l1 = N - n0 > 0 ? expShiftSum(row + (<usize>n0 << 2), N - n0, m1) : <f32>0;
    const sg = load<f32>(sink + (<usize>h << 2));
    const has0 = l0 > 0, has1 = l1 > 0, hasSink = sg > -Infinity;
    let M: f32 = -Infinity;
    if (has0) M = max(M, m0);
    if (has1) M = max(M, m1);
    if (hasSink) M = max(M, sg);
    const e0: f32 = has0 ? exp1(m0 - M) : 0;
    const e1: f32 = has1 ? exp1(m1 - M) : 0;
    const es: f32 = hasSink ? exp1(sg - M) : 0;
    const den = l0 * e0 + l1 * e1 + es;
    const inv: f32 = den > 0 ? <f32>1 / den : 0;
    scaleRow(row, n0, e0 * inv);
    scaleRow(row + (<usize>n0 << 2), N - n0, e1 * inv);
    const st = stats + (<usize>h << 4);
    store<f32>(st, m0); store<f32>(st, l0, 4); store<f32>(st, m1, 8); store<f32>(st, l1, 12);
  }
}

/** First byte the host may use: static data (if any) lies below it. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~<usize>15;
}

/** The three phases for heads [hBegin, hEnd) of one token: scores, merged softmax weights, output. */
export function attendHeads(q: usize, k: usize, s: usize, o: usize, sink: usize, stats: usize,
                            hBegin: i32, hEnd: i32, N: i32, n0: i32, D: i32, ldk: i32, scale: f32): void {
  qkScores(q, k, s, hBegin, hEnd, N, D, ldk, scale);
  softmaxMerge(s, hBegin, hEnd, N, n0, sink, stats);
  pvAccumulate(s, k, o, hBegin, hEnd, N, D, ldk);
}

/** Gathers rows for a kv pool resident in this memory: k[i] = pool[idx[i]] (rows of D floats, k stride ldk). */
export function gatherRows(pool: usize, idx: usize, k: usize, count: i32, D: i32, ldk: i32): void {
  const rowBytes = <usize>D << 2;
  const kStride = <usize>ldk << 2;
  for (let i: i32 = 0; i < count; i++) {
    const slot = <usize>load<i32>(idx + (<usize>i << 2));
    memory.copy(k + <usize>i * kStride, pool + slot * rowBytes, rowBytes);
  }
}
