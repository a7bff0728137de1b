/*
 * Phase 3: O = P K for a range of heads (P = the merged weights left in s by phase 2).
 *
 * Outer-product form: a register tile of 4 heads x 24 dims (12 ymm accumulators) walks down
 * the candidate rows; per row it loads 3 K vectors and broadcasts 4 weights, 12 FMAs for 7
 * loads. Dims left over when D is not a multiple of 24 take a 4 x 16 or 4 x 8 tile. Rows are
 * walked in blocks of PV_ROW_BLOCK so that a 24-dim stripe of one block of K (about 12 KB) stays
 * in L1 while all of this thread's head tiles use it; O is carried between blocks in memory.
 *
 * Every output element is o = fma(p_r, k_r, o) over r = 0..n-1 in order, starting from 0, the
 * same sequence as the wasm relaxed-SIMD kernel, and independent of how heads are split.
 */
#include <immintrin.h>
#include <string.h>

#include "sparse-mla.h"

#define PV_ROW_BLOCK 128

/* Each tile accumulates rows [r0, r1) into o[h..h+3, d..d+8W) for W = 3, 2 or 1 vectors of 8
 * dims; `first` starts from zero instead of loading o (the first block). Accumulators are named
 * variables, not arrays: GCC keeps arrays of vectors in memory and stores them every row. */
#define LOAD(i, w) (first ? _mm256_setzero_ps() : _mm256_loadu_ps(o + (i) * D + 8 * (w)))
#define STORE(i, w, v) _mm256_storeu_ps(o + (i) * D + 8 * (w), (v))

static inline void tile_4x3(const float *p, size_t np, const float *k, size_t ldk, float *o, size_t D,
                            size_t r0, size_t r1, int first) {
  __m256 a00 = LOAD(0, 0), a01 = LOAD(0, 1), a02 = LOAD(0, 2);
  __m256 a10 = LOAD(1, 0), a11 = LOAD(1, 1), a12 = LOAD(1, 2);
  __m256 a20 = LOAD(2, 0), a21 = LOAD(2, 1), a22 = LOAD(2, 2);
  __m256 a30 = LOAD(3, 0), a31 = LOAD(3, 1), a32 = LOAD(3, 2);
  const float *kr = k + r0 * ldk;
  for (size_t r = r0; r < r1; r++, kr += ldk) {
    const __m256 x0 = _mm256_loadu_ps(kr), x1 = _mm256_loadu_ps(kr + 8), x2 = _mm256_loadu_ps(kr + 16);
    __m256 b = _mm256_broadcast_ss(p + r);
    a00 = _mm256_fmadd_ps(b, x0, a00); a01 = _mm256_fmadd_ps(b, x1, a01); a02 = _mm256_fmadd_ps(b, x2, a02);
    b = _mm256_broadcast_ss(p + np + r);
    a10 = _mm256_fmadd_ps(b, x0, a10); a11 = _mm256_fmadd_ps(b, x1, a11); a12 = _mm256_fmadd_ps(b, x2, a12);
    b = _mm256_broadcast_ss(p + 2 * np + r);
    a20 = _mm256_fmadd_ps(b, x0, a20); a21 = _mm256_fmadd_ps(b, x1, a21); a22 = _mm256_fmadd_ps(b, x2, a22);
    b = _mm256_broadcast_ss(p + 3 * np + r);
    a30 = _mm256_fmadd_ps(b, x0, a30); a31 = _mm256_fmadd_ps(b, x1, a31); a32 = _mm256_fmadd_ps(b, x2, a32);
  }
  STORE(0, 0, a00); STORE(0, 1, a01); STORE(0, 2, a02);
  STORE(1, 0, a10); STORE(1, 1, a11); STORE(1, 2, a12);
  STORE(2, 0, a20); STORE(2, 1, a21); STORE(2, 2, a22);
  STORE(3, 0, a30); STORE(3, 1, a31); STORE(3, 2, a32);
}

static inline void tile_4x2(const float *p, size_t np, const float *k, size_t ldk, float *o, size_t D,
                            size_t r0, size_t r1, int first) {
  __m256 a00 = LOAD(0, 0), a01 = LOAD(0, 1), a10 = LOAD(1, 0), a11 = LOAD(1, 1);
  __m256 a20 = LOAD(2, 0), a21 = LOAD(2, 1), a30 = LOAD(3, 0), a31 = LOAD(3, 1);
  const float *kr = k + r0 * ldk;
  for (size_t r = r0; r < r1; r++, kr += ldk) {
    const __m256 x0 = _mm256_loadu_ps(kr), x1 = _mm256_loadu_ps(kr + 8);
    __m256 b = _mm256_broadcast_ss(p + r);
    a00 = _mm256_fmadd_ps(b, x0, a00); a01 = _mm256_fmadd_ps(b, x1, a01);
    b = _mm256_broadcast_ss(p + np + r);
    a10 = _mm256_fmadd_ps(b, x0, a10); a11 = _mm256_fmadd_ps(b, x1, a11);
    b = _mm256_broadcast_ss(p + 2 * np + r);
    a20 = _mm256_fmadd_ps(b, x0, a20); a21 = _mm256_fmadd_ps(b, x1, a21);
    b = _mm256_broadcast_ss(p + 3 * np + r);
    a30 = _mm256_fmadd_ps(b, x0, a30); a31 = _mm256_fmadd_ps(b, x1, a31);
  }
  STORE(0, 0, a00); STORE(0, 1, a01); STORE(1, 0, a10); STORE(1, 1, a11);
  STORE(2, 0, a20); STORE(2, 1, a21); STORE(3, 0, a30); STORE(3, 1, a31);
}

static inline void tile_4x1(const float *p, size_t np, const float *k, size_t ldk, float *o, size_t D,
                            size_t r0, size_t r1, int first) {
  __m256 a0 = LOAD(0, 0), a1 = LOAD(1, 0), a2 = LOAD(2, 0), a3 = LOAD(3, 0);
  const float *kr = k + r0 * ldk;
  for (size_t r = r0; r < r1; r++, kr += ldk) {
    const __m256 x = _mm256_loadu_ps(kr);
    a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(p + r), x, a0);
    a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(p + np + r), x, a1);
    a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(p + 2 * np + r), x, a2);
    a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(p + 3 * np + r), x, a3);
  }
  STORE(0, 0, a0); STORE(1, 0, a1); STORE(2, 0, a2); STORE(3, 0, a3);
}

void smla_pv_accumulate(const smla_call *c, int32_t h0, int32_t h1) {
  const size_t D = (size_t)c->d, ldk = (size_t)c->ldk, N = (size_t)c->n;
  if (N == 0) {
    memset(c->o + (size_t)h0 * D, 0, (size_t)(h1 - h0) * D * sizeof(float));
    return;
  }
  for (size_t r0 = 0; r0 < N; r0 += PV_ROW_BLOCK) {
    const size_t r1 = r0 + PV_ROW_BLOCK < N ? r0 + PV_ROW_BLOCK : N;
    const int first = r0 == 0;
    size_t d = 0;
    for (; d + 24 <= D; d += 24) {
      for (size_t h = (size_t)h0; h < (size_t)h1; h += SMLA_HEAD_TILE) {
        tile_4x3(c->s + h * N, N, c->k + d, ldk, c->o + h * D + d, D, r0, r1, first);
      }
    }
    for (size_t h = (size_t)h0; h < (size_t)h1 && d < D; h += SMLA_HEAD_TILE) {
      if (D - d == 16) tile_4x2(c->s + h * N, N, c->k + d, ldk, c->o + h * D + d, D, r0, r1, first);
      else tile_4x1(c->s + h * N, N, c->k + d, ldk, c->o + h * D + d, D, r0, r1, first);
    }
  }
}
