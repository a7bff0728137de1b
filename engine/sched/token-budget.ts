/**
 * How many tokens a running request asks for this step (engine-semantics.md §4.2 steps 1–5 and the
 * §11.7 era toggles). Pure: reads the request, the remaining budget and the config.
 */
import type { MaxTokensCapPolicy } from '../config/engine-config';
import type { Request } from '../request/request';

export interface RunningBudgetRules {
  readonly maxModelLen: number;
  readonly longPrefillTokenThreshold: number;
  readonly maxTokensCapPolicy: MaxTokensCapPolicy;
}

/** Tokens to schedule for a running request; 0 means skip it this step (`continue`). */
export function numRunningTokens(req: Request, budget: number, rules: RunningBudgetRules): number {
  const p = req.numOutputPlaceholders;
  const comp = req.numComputedTokens;
  const limit = req.numPromptTokens + req.sampling.maxTokens;
  // #29759: skip a request whose in-flight step certainly finishes it (≥ 1 token even if every
  // in-flight draft is rejected).
  if (rules.maxTokensCapPolicy === 'skip_29759' && p > 0 && comp + 2 - p >= limit) return 0;
  let n = req.numTokensWithSpec + p - comp;
  const thr = rules.longPrefillTokenThreshold;
  if (thr > 0 && n > thr) n = thr;
  if (n > budget) n = budget;
  const lenCap = rules.maxModelLen - 1 - comp;
  if (n > lenCap) n = lenCap;
  if (rules.maxTokensCapPolicy === 'cap_27922') {
    // #27922: never schedule past max_tokens, counting in-flight drafts as certain.
    n = Math.min(n, limit - 1 - comp);
  } else if (rules.maxTokensCapPolicy === 'cap_29542') {
    // #29542: same cap, but in-flight drafts are assumed rejected.
    n = Math.min(n, limit + Math.max(0, p - 1) - 1 - comp);
  }
  return n > 0 ? n : 0;
}
