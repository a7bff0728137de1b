/*
 * The three phases for one range of heads, in the wasm kernel's order: scores, merged softmax
 * weights (and stats), output. A range touches only its own rows of s, o and stats, so several
 * threads may run disjoint ranges over the same q, k and sink at once.
 */
#include "sparse-mla.h"

void smla_attend_range(const smla_call *c, int32_t h0, int32_t h1) {
  if (h1 <= h0) return;
  smla_qk_scores(c, h0, h1);
  smla_softmax_merge(c, h0, h1);
  smla_pv_accumulate(c, h0, h1);
}
