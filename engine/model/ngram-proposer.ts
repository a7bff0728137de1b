/**
 * vLLM's n-gram (prompt-lookup) drafter as a pure function: for n from `maxN` down to `minN`, find
 * the most recent earlier occurrence of the sequence's last n tokens and propose the (up to) k
 * tokens that followed it. No match → no drafts. It needs no model state, so it is what makes
 * speculative decoding of the tiny (randomly initialised) model accept drafts on repetitive text.
 */
export function proposeNgramDrafts(tokens: readonly number[], k: number, minN = 1, maxN = 3): number[] {
  const L = tokens.length;
  for (let n = Math.min(maxN, L - 1); n >= minN; n--) {
    for (let start = L - n - 1; start >= 0; start--) {
      let match = true;
      for (let i = 0; i < n; i++) {
        if (tokens[start + i] !== tokens[L - n + i]) {
          match = false;
          break;
        }
      }
      if (!match) continue;
      const from = start + n;
      return tokens.slice(from, Math.min(L, from + k));
    }
  }
  return [];
}
