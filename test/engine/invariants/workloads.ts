/**
 * Seeded random engine configs and workloads for property tests: small pools (so preemption and
 * eviction happen), shared prompt prefixes (so prefix caching hits), chunked prefill on and off,
 * both policies, speculative decoding, sliding windows, arrivals over time and aborts.
 */
import { Rng } from '../../../engine/base/rng';
import type { PartialEngineConfig, MaxTokensCapPolicy } from '../../../engine/config/engine-config';
import type { AddRequestOptions } from '../../../engine/api/add-request';
import { kvCacheFit } from '../../../engine/config/kv-cache-fit';

export interface Workload {
  readonly config: PartialEngineConfig;
  readonly requests: AddRequestOptions[];
  /** `[step, requestId]`: abort this request before that step. */
  readonly aborts: [number, string][];
}

const CAPS: MaxTokensCapPolicy[] = ['none', 'cap_27922', 'cap_29542', 'skip_29759'];

export interface WorkloadOptions {
  readonly allowAborts?: boolean;
  /** Force the loop kind (conformance runs both). */
  readonly asyncScheduling?: boolean;
  readonly allowNgram?: boolean;
}

export function randomWorkload(seed: number, o: WorkloadOptions = {}): Workload {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const blockSize = pick([1, 2, 4, 8]);
  const maxModelLen = rng.intRange(16, 80);
  const enableChunkedPrefill = rng.next() < 0.8;
  const maxNumSeqs = rng.intRange(1, 8);
  let maxNumBatchedTokens = Math.max(maxNumSeqs, rng.intRange(4, 64));
  if (!enableChunkedPrefill) maxNumBatchedTokens = Math.max(maxNumBatchedTokens, maxModelLen);
  const slidingWindow = rng.next() < 0.25 ? rng.intRange(4, 24) : null;
  const hybrid = slidingWindow !== null && rng.next() < 0.5;
  const minBlocks = Math.ceil(maxModelLen / blockSize) + 1;
  const numGpuBlocks = slidingWindow !== null && !hybrid && rng.next() < 0.5
    ? Math.max(4, Math.ceil((slidingWindow + maxNumBatchedTokens) / blockSize) + 2)
    : rng.intRange(minBlocks, minBlocks * 3);
  const asyncScheduling = o.asyncScheduling ?? rng.next() < 0.5;
  const specRoll = rng.next();
  const speculative = specRoll < 0.35
    ? { method: 'mtp' as const, numSpeculativeTokens: rng.intRange(1, 3) }
    : specRoll < 0.45 && !asyncScheduling && o.allowNgram !== false
      ? { method: 'ngram' as const, numSpeculativeTokens: rng.intRange(1, 3) }
      : null;
  const vocabSize = pick([8, 64, 32000]);
  // Never below the blocks one max-length request can hold (validation rejects smaller pools).
  const lookahead = speculative?.method === 'mtp' ? speculative.numSpeculativeTokens : 0;
  const groups = slidingWindow === null ? [{ slidingWindow: null }] : hybrid ? [{ slidingWindow: null }, { slidingWindow }] : [{ slidingWindow }];
  const fitBlocks = kvCacheFit({ numGpuBlocks: 2, blockSize, maxModelLen, maxNumBatchedTokens, numLookaheadTokens: lookahead, groups }).numBlocksNeeded + 1;
  const config: PartialEngineConfig = {
    seed: rng.int(1000),
    blockSize,
    maxModelLen,
    numGpuBlocks: Math.max(fitBlocks, slidingWindow !== null && !hybrid ? numGpuBlocks : Math.max(numGpuBlocks, minBlocks) * (hybrid ? 2 : 1)),
    maxNumSeqs,
    maxNumBatchedTokens,
    enableChunkedPrefill,
    longPrefillTokenThreshold: rng.next() < 0.3 ? rng.intRange(1, maxModelLen) : 0,
    enablePrefixCaching: rng.next() < 0.7,
    schedulerReserveFullIsl: rng.next() < 0.8,
    policy: rng.next() < 0.3 ? 'priority' : 'fcfs',
    asyncScheduling,
    speculative,
    maxTokensCapPolicy: pick(CAPS),
    attention: slidingWindow === null ? { kind: 'full' } : { kind: hybrid ? 'hybrid' : 'sliding_window', slidingWindow },
    synthetic: { vocabSize, eosTokenId: rng.next() < 0.5 ? rng.int(vocabSize) : null, acceptanceRates: [0.8, 0.5, 0.3] },
  };
  const prefixes = [0, 1, 2].map(() => Array.from({ length: rng.intRange(1, 24) }, () => rng.int(vocabSize)));
  const n = rng.intRange(1, 10);
  const requests: AddRequestOptions[] = [];
  for (let i = 0; i < n; i++) {
    const len = rng.intRange(1, Math.max(1, maxModelLen - 2));
    const prefix = rng.next() < 0.6 ? pick(prefixes).slice(0, len) : [];
    const tail = Array.from({ length: len - prefix.length }, () => rng.int(vocabSize));
    const promptTokenIds = [...prefix, ...tail];
    const room = maxModelLen - promptTokenIds.length;
    requests.push({
      requestId: `r${i}`,
      promptTokenIds,
      maxTokens: rng.next() < 0.2 ? undefined : rng.intRange(1, Math.max(1, Math.min(room, 24))),
      ignoreEos: rng.next() < 0.5,
      priority: rng.int(3),
      arrivalTime: rng.next() < 0.5 ? 0 : rng.int(200_000),
      minTokens: rng.next() < 0.1 ? 1 : undefined,
      stopTokenIds: rng.next() < 0.1 ? [rng.int(vocabSize)] : undefined,
    });
  }
  const aborts: [number, string][] = [];
  if (o.allowAborts && rng.next() < 0.3) aborts.push([rng.intRange(0, 20), `r${rng.int(n)}`]);
  return { config, requests, aborts };
}
