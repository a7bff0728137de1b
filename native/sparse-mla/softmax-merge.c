/*
 * Phase 2: scores -> the final weights of the sink-aware two-subset merge, in place, and the
 * per-subset online-softmax states (m_j, l_j) that the TypeScript side turns into LSEs.
 *
 * Same math as the wasm kernel's softmaxMerge: subset 0 = columns [0, n0), subset 1 = [n0, n);
 * weight of column c in subset j = exp(z_c - m_j) * exp(m_j - M) / den with
 * M = max(m_0, m_1, sink) over the non-empty ones and den = sum_j l_j e^{m_j - M} + e^{sink - M}.
 * An empty subset has m = -inf, l = 0; a padded head has sink = -inf and contributes nothing.
 * exp is the same degree-6 polynomial with the same constants and FMA steps as the wasm
 * relaxed-SIMD build, eight lanes at a time.
 */
#include <immintrin.h>
#include <math.h>

#include "sparse-mla.h"

/* exp(x) for x <= 0: x = n ln2 + r, |r| <= ln2/2, polynomial for e^r, 2^n built in the exponent
 * field. Below -87.33654 (and for -inf) the result is 0; NaN stays NaN (max keeps its second
 * operand when one is NaN, so x goes second). */
static inline __m256 exp8(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-87.33654f);
  const __m256 xc = _mm256_max_ps(lo, x);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693359375f), xc);
  r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i pow2 = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
  const __m256 res = _mm256_mul_ps(y, _mm256_castsi256_ps(pow2));
  return _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), res);
}

static inline float exp1(float x) { return _mm256_cvtss_f32(exp8(_mm256_set1_ps(x))); }

static inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* Max of s[0..count) (count 0 -> -inf); NaN anywhere gives NaN, as wasm's f32x4.max does. */
static float row_max(const float *s, int32_t count) {
  __m256 m8 = _mm256_set1_ps(-INFINITY);
  __m256 nan8 = _mm256_setzero_ps();
  int32_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 v = _mm256_loadu_ps(s + i);
    m8 = _mm256_max_ps(m8, v);
    nan8 = _mm256_or_ps(nan8, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(m8), _mm256_extractf128_ps(m8, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  h = _mm_max_ss(h, _mm_movehdup_ps(h));
  float m = _mm_cvtss_f32(h);
  int nan = _mm256_movemask_ps(nan8) != 0;
  for (; i < count; i++) {
    if (s[i] != s[i]) nan = 1;
    else if (s[i] > m) m = s[i];
  }
  return nan ? NAN : m;
}

/* s[i] = exp(s[i] - m) in place for i < count; returns the sum (count 0 -> 0). */
static float exp_shift_sum(float *s, int32_t count, float m) {
  const __m256 mv = _mm256_set1_ps(m);
  __m256 acc = _mm256_setzero_ps();
  int32_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(s + i), mv));
    _mm256_storeu_ps(s + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  float sum = hsum8(acc);
  for (; i < count; i++) {
    const float e = exp1(s[i] - m);
    s[i] = e;
    sum += e;
  }
  return sum;
}

static void scale_row(float *s, int32_t count, float f) {
  const __m256 fv = _mm256_set1_ps(f);
  int32_t i = 0;
  for (; i + 8 <= count; i += 8) _mm256_storeu_ps(s + i, _mm256_mul_ps(_mm256_loadu_ps(s + i), fv));
  for (; i < count; i++) s[i] *= f;
}

void smla_softmax_merge(const smla_call *c, int32_t h0, int32_t h1) {
  const int32_t N = c->n, n0 = c->n0;
  for (int32_t h = h0; h < h1; h++) {
    float *row = c->s + (size_t)h * (size_t)N;
    const float m0 = row_max(row, n0);
    const float m1 = row_max(row + n0, N - n0);
    const float l0 = n0 > 0 ? exp_shift_sum(row, n0, m0) : 0.0f;
    const float l1 = N - n0 > 0 ? exp_shift_sum(row + n0, N - n0, m1) : 0.0f;
    const float sg = c->sink[h];
    const int has0 = l0 > 0, has1 = l1 > 0, has_sink = sg > -INFINITY;
    float M = -INFINITY;
    if (has0) M = fmaxf(M, m0);
    if (has1) M = fmaxf(M, m1);
    if (has_sink) M = fmaxf(M, sg);
    const float e0 = has0 ? exp1(m0 - M) : 0.0f;
    const float e1 = has1 ? exp1(m1 - M) : 0.0f;
    const float es = has_sink ? exp1(sg - M) : 0.0f;
    const float den = l0 * e0 + l1 * e1 + es;
    const float inv = den > 0 ? 1.0f / den : 0.0f;
    scale_row(row, n0, e0 * inv);
    scale_row(row + n0, N - n0, e1 * inv);
    float *st = c->stats + 4 * (size_t)h;
    st[0] = m0;
    st[1] = l0;
    st[2] = m1;
    st[3] = l1;
  }
}
