/**
 * Seeded workloads on the smallest pools validation accepts: full attention, a sliding window or
 * hybrid full + sliding window, with the pool at the blocks one max-length request can hold
 * (`kvCacheFit`) plus 0–3 — exactly where a pool shared by two groups used to hang. Mixed in:
 * async and sync loops, MTP/ngram drafts, both policies, chunked prefill on and off, prefix
 * caching with shared prefixes, prompt-logprobs and salted requests, stop ids and min_tokens,
 * arrivals over time, aborts and forced prefix-cache resets.
 */
import { Rng } from '../../../engine/base/rng';
import type { PartialEngineConfig } from '../../../engine/config/engine-config';
import type { AddRequestOptions } from '../../../engine/api/add-request';
import { kvCacheFit } from '../../../engine/config/kv-cache-fit';

export type TightEvent = { readonly step: number } & ({ readonly kind: 'abort'; readonly id: string } | { readonly kind: 'reset'; readonly force: boolean });

export interface TightWorkload {
  readonly config: PartialEngineConfig;
  readonly requests: AddRequestOptions[];
  readonly events: TightEvent[];
  readonly attention: 'full' | 'sliding_window' | 'hybrid';
}

export function tightWorkload(seed: number): TightWorkload {
  const rng = new Rng(seed ^ 0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const blockSize = pick([1, 2, 4, 8]);
  const maxModelLen = rng.intRange(12, 64);
  const enableChunkedPrefill = rng.next() < 0.8;
  const maxNumSeqs = rng.intRange(1, 6);
  let maxNumBatchedTokens = Math.max(maxNumSeqs, rng.intRange(4, 48));
  if (!enableChunkedPrefill) maxNumBatchedTokens = Math.max(maxNumBatchedTokens, maxModelLen);
  const roll = rng.next();
  const attention = roll < 0.45 ? 'hybrid' : roll < 0.65 ? 'sliding_window' : 'full';
  const slidingWindow = rng.intRange(2, 20);
  const asyncScheduling = rng.next() < 0.5;
  const specRoll = rng.next();
  const speculative = specRoll < 0.35
    ? { method: 'mtp' as const, numSpeculativeTokens: rng.intRange(1, 3) }
    : specRoll < 0.45 && !asyncScheduling ? { method: 'ngram' as const, numSpeculativeTokens: rng.intRange(1, 3) } : null;
  const groups = attention === 'full' ? [{ slidingWindow: null }] : attention === 'hybrid' ? [{ slidingWindow: null }, { slidingWindow }] : [{ slidingWindow }];
  const lookahead = speculative?.method === 'mtp' ? speculative.numSpeculativeTokens : 0;
  const need = kvCacheFit({ numGpuBlocks: 2, blockSize, maxModelLen, maxNumBatchedTokens, numLookaheadTokens: lookahead, groups }).numBlocksNeeded;
  const vocabSize = pick([8, 64, 32000]);
  const config: PartialEngineConfig = {
    seed: rng.int(1000), blockSize, maxModelLen, maxNumSeqs, maxNumBatchedTokens, enableChunkedPrefill,
    numGpuBlocks: need + 1 + rng.int(4),
    longPrefillTokenThreshold: rng.next() < 0.3 ? rng.intRange(1, maxModelLen) : 0,
    enablePrefixCaching: rng.next() < 0.75,
    schedulerReserveFullIsl: rng.next() < 0.8,
    policy: rng.next() < 0.3 ? 'priority' : 'fcfs',
    asyncScheduling, speculative,
    maxTokensCapPolicy: pick(['none', 'cap_27922', 'cap_29542', 'skip_29759'] as const),
    attention: attention === 'full' ? { kind: 'full' } : { kind: attention, slidingWindow },
    synthetic: { vocabSize, eosTokenId: rng.next() < 0.5 ? rng.int(vocabSize) : null, acceptanceRates: [0.8, 0.5, 0.3] },
  };
  const prefixes = [0, 1].map(() => Array.from({ length: rng.intRange(1, 20) }, () => rng.int(vocabSize)));
  const n = rng.intRange(1, 8);
  const requests: AddRequestOptions[] = [];
  for (let i = 0; i < n; i++) {
    // Long prompts are the point: near max_model_len they need the whole pool.
    const len = rng.next() < 0.4 ? rng.intRange(Math.max(1, maxModelLen - 6), maxModelLen - 1) : rng.intRange(1, maxModelLen - 1);
    const prefix = rng.next() < 0.6 ? pick(prefixes).slice(0, len) : [];
    const promptTokenIds = [...prefix, ...Array.from({ length: len - prefix.length }, () => rng.int(vocabSize))];
    const room = maxModelLen - len;
    requests.push({
      requestId: `r${i}`, promptTokenIds,
      maxTokens: rng.next() < 0.2 ? undefined : rng.intRange(1, Math.max(1, Math.min(room, 16))),
      ignoreEos: rng.next() < 0.5, priority: rng.int(3),
      arrivalTime: rng.next() < 0.6 ? 0 : rng.int(100_000),
      minTokens: rng.next() < 0.1 ? 1 : undefined,
      stopTokenIds: rng.next() < 0.1 ? [rng.int(vocabSize)] : undefined,
      promptLogprobs: rng.next() < 0.1 ? 1 : undefined,
      cacheSalt: rng.next() < 0.1 ? `salt${rng.int(2)}` : undefined,
    });
  }
  const events: TightEvent[] = [];
  if (rng.next() < 0.25) events.push({ step: rng.intRange(0, 15), kind: 'abort', id: `r${rng.int(n)}` });
  if (rng.next() < 0.15) events.push({ step: rng.intRange(0, 15), kind: 'reset', force: rng.next() < 0.7 });
  return { config, requests, events, attention };
}
