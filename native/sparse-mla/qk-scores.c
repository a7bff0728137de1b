/*
 * Phase 1: S = scale * Q K^T over the gathered rows, for a range of heads.
 *
 * Q and K rows both run along the head dim, so each score is a dot product. The register tile
 * is 4 heads x 3 rows: 12 ymm accumulators, 3 K vectors loaded once and used by all four heads,
 * and one Q vector at a time (16 registers in all, no spills). Per 8 dims that is 12 FMAs for 7
 * loads, so the loop is FMA-bound, not load-bound. The candidate rows are walked in blocks of
 * QK_ROW_BLOCK so that one block of K (about 200 KB) stays in L2 while every head tile of this
 * thread sweeps it; each head tile's Q rows (8 KB) stay in L1 across the block.
 *
 * Each score's arithmetic depends only on its own head and row (never on which other heads share
 * the tile or the thread), so any split of the heads over threads gives identical bits.
 */
#include <immintrin.h>

#include "sparse-mla.h"

#define QK_ROW_BLOCK 96

/* Sums the 8 lanes of each of a, b, c, d: returns [sum a, sum b, sum c, sum d]. */
static inline __m128 hsum4x8(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 ab = _mm256_hadd_ps(a, b);
  const __m256 cd = _mm256_hadd_ps(c, d);
  const __m256 abcd = _mm256_hadd_ps(ab, cd);
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

/* Stores the four heads' scores of one row: s[h * ld + r] for the tile's heads h = 0..3. */
static inline void store_column(float *s, size_t ld, __m128 v) {
  s[0] = _mm_cvtss_f32(v);
  s[ld] = _mm_cvtss_f32(_mm_shuffle_ps(v, v, 1));
  s[2 * ld] = _mm_cvtss_f32(_mm_shuffle_ps(v, v, 2));
  s[3 * ld] = _mm_cvtss_f32(_mm_shuffle_ps(v, v, 3));
}

/* 4 heads x 3 rows. */
static inline void tile_4x3(const float *q, size_t D, const float *k0, const float *k1, const float *k2,
                            float *s, size_t ns, __m128 scale) {
  __m256 a00 = _mm256_setzero_ps(), a01 = _mm256_setzero_ps(), a02 = _mm256_setzero_ps();
  __m256 a10 = _mm256_setzero_ps(), a11 = _mm256_setzero_ps(), a12 = _mm256_setzero_ps();
  __m256 a20 = _mm256_setzero_ps(), a21 = _mm256_setzero_ps(), a22 = _mm256_setzero_ps();
  __m256 a30 = _mm256_setzero_ps(), a31 = _mm256_setzero_ps(), a32 = _mm256_setzero_ps();
  const float *q0 = q, *q1 = q + D, *q2 = q + 2 * D, *q3 = q + 3 * D;
  for (size_t d = 0; d < D; d += 8) {
    const __m256 x0 = _mm256_loadu_ps(k0 + d);
    const __m256 x1 = _mm256_loadu_ps(k1 + d);
    const __m256 x2 = _mm256_loadu_ps(k2 + d);
    __m256 v = _mm256_loadu_ps(q0 + d);
    a00 = _mm256_fmadd_ps(v, x0, a00); a01 = _mm256_fmadd_ps(v, x1, a01); a02 = _mm256_fmadd_ps(v, x2, a02);
    v = _mm256_loadu_ps(q1 + d);
    a10 = _mm256_fmadd_ps(v, x0, a10); a11 = _mm256_fmadd_ps(v, x1, a11); a12 = _mm256_fmadd_ps(v, x2, a12);
    v = _mm256_loadu_ps(q2 + d);
    a20 = _mm256_fmadd_ps(v, x0, a20); a21 = _mm256_fmadd_ps(v, x1, a21); a22 = _mm256_fmadd_ps(v, x2, a22);
    v = _mm256_loadu_ps(q3 + d);
    a30 = _mm256_fmadd_ps(v, x0, a30); a31 = _mm256_fmadd_ps(v, x1, a31); a32 = _mm256_fmadd_ps(v, x2, a32);
  }
  store_column(s, ns, _mm_mul_ps(hsum4x8(a00, a10, a20, a30), scale));
  store_column(s + 1, ns, _mm_mul_ps(hsum4x8(a01, a11, a21, a31), scale));
  store_column(s + 2, ns, _mm_mul_ps(hsum4x8(a02, a12, a22, a32), scale));
}

/* 4 heads x 1 row (the rows left over after the triples). Same per-score arithmetic as tile_4x3. */
static inline void tile_4x1(const float *q, size_t D, const float *k0, float *s, size_t ns, __m128 scale) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
  for (size_t d = 0; d < D; d += 8) {
    const __m256 x = _mm256_loadu_ps(k0 + d);
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), x, a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + D + d), x, a1);
    a2 = _mm256_fmadd_ps(_mm256_loadu_ps(q + 2 * D + d), x, a2);
    a3 = _mm256_fmadd_ps(_mm256_loadu_ps(q + 3 * D + d), x, a3);
  }
  store_column(s, ns, _mm_mul_ps(hsum4x8(a0, a1, a2, a3), scale));
}

void smla_qk_scores(const smla_call *c, int32_t h0, int32_t h1) {
  const size_t D = (size_t)c->d, ldk = (size_t)c->ldk, N = (size_t)c->n;
  const __m128 scale = _mm_set1_ps(c->scale);
  for (size_t r0 = 0; r0 < N; r0 += QK_ROW_BLOCK) {
    const size_t r1 = r0 + QK_ROW_BLOCK < N ? r0 + QK_ROW_BLOCK : N;
    for (size_t h = (size_t)h0; h < (size_t)h1; h += SMLA_HEAD_TILE) {
      const float *q = c->q + h * D;
      float *s = c->s + h * N;
      size_t r = r0;
      for (; r + 3 <= r1; r += 3) {
        const float *k0 = c->k + r * ldk;
        tile_4x3(q, D, k0, k0 + ldk, k0 + 2 * ldk, s + r, N, scale);
      }
      for (; r < r1; r++) tile_4x1(q, D, c->k + r * ldk, s + r, N, scale);
    }
  }
}
