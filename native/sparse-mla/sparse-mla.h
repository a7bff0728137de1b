/*
 * Native (AVX2 + FMA) sparse-MLA head kernels: the same three phases as the WebAssembly kernel
 * attendHeads (engine/attention/fast/assembly/sparse-mla.ts), run IN PLACE on the wasm kernel
 * memory so that the row gather stays in WebAssembly and this is a drop-in head runner.
 *
 * Layouts (all fp32, row-major, offsets from one base pointer; see the wasm kernel):
 *   q [numHeadsPad, D]  k [n, ldk] (subset 0 rows, then subset 1)  s [numHeadsPad, n]
 *   o [numHeadsPad, D]  sink [numHeadsPad]  stats [numHeadsPad][m0, l0, m1, l1]
 * Invariants (checked by addon.c before any kernel runs): numHeadsPad % 4 == 0, head ranges on
 * multiples of 4, D % 8 == 0, ldk >= D, 0 <= n0 <= n.
 */
#ifndef ENGINELAB_SPARSE_MLA_H
#define ENGINELAB_SPARSE_MLA_H

#include <stddef.h>
#include <stdint.h>

/* One token's problem: pointers already resolved against the wasm memory. */
typedef struct {
  const float *q;
  const float *k;
  float *s;
  float *o;
  const float *sink;
  float *stats;
  int32_t num_heads_pad;
  int32_t n;   /* gathered candidate rows */
  int32_t n0;  /* rows of subset 0 */
  int32_t d;   /* head dim */
  int32_t ldk; /* row stride of k in floats */
  float scale;
} smla_call;

/* Heads per register tile: four heads share every K load (MLA has one KV head). */
#define SMLA_HEAD_TILE 4

/* s[h, :] = scale * q[h] . k[r] for h in [h0, h1). qk-scores.c */
void smla_qk_scores(const smla_call *c, int32_t h0, int32_t h1);

/* Scores -> merged softmax weights in place, and the per-subset stats. softmax-merge.c */
void smla_softmax_merge(const smla_call *c, int32_t h0, int32_t h1);

/* o[h, :] = sum_r p[h, r] k[r, :] for h in [h0, h1). pv-accumulate.c */
void smla_pv_accumulate(const smla_call *c, int32_t h0, int32_t h1);

/* All three phases for heads [h0, h1). attend-heads.c */
void smla_attend_range(const smla_call *c, int32_t h0, int32_t h1);

/* Runs all heads of the call on up to `threads` threads, the caller's included: disjoint head
 * chunks claimed by whoever is free. Returns 0, or -1 when the worker threads could not be
 * started (nothing was written). thread-pool.c */
int smla_run_threads(const smla_call *c, int32_t threads);

/* Most threads one call may use (the caller plus workers). */
#define SMLA_MAX_THREADS 64

#endif
