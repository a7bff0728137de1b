/**
 * Test factories for the engine core (tiny defaults, vLLM-test style): requests, KV managers,
 * engines, and a scripted acceptance model for exact speculative-decoding scenarios.
 */
import { createEngine, type EngineOptions } from '../../../engine/api/create-engine';
import type { PartialEngineConfig } from '../../../engine/config/engine-config';
import { KVCacheManager, type KVCacheManagerOptions } from '../../../engine/kv/kv-cache-manager';
import { Request } from '../../../engine/request/request';
import type { AcceptanceModel } from '../../../engine/contracts/draft-proposer';
import type { Engine } from '../../../engine/api/engine';

let seq = 0;

export function makeRequest(id: string, tokens: readonly number[], opts: { maxTokens?: number; priority?: number; arrivalTime?: number; ignoreEos?: boolean; stopTokenIds?: number[]; minTokens?: number; eosTokenId?: number | null; cacheSalt?: string | null } = {}): Request {
  return new Request({
    requestId: id,
    seq: seq++,
    promptTokenIds: tokens,
    sampling: { maxTokens: opts.maxTokens ?? 16, minTokens: opts.minTokens ?? 0, ignoreEos: opts.ignoreEos ?? true, stopTokenIds: opts.stopTokenIds ?? [] },
    arrivalTime: opts.arrivalTime ?? 0,
    priority: opts.priority ?? 0,
    eosTokenId: opts.eosTokenId ?? null,
    cacheSalt: opts.cacheSalt ?? null,
  });
}

export function range(start: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

export function makeKV(o: Partial<KVCacheManagerOptions> = {}): KVCacheManager {
  return new KVCacheManager({
    numGpuBlocks: 11,
    blockSize: 4,
    maxModelLen: 40,
    maxNumBatchedTokens: 64,
    enablePrefixCaching: true,
    useEagle: false,
    slidingWindow: null,
    seed: 0,
    ...o,
  });
}

/** A tiny engine without a cost model (clock stays at 0 unless given one). */
export function makeEngine(config: PartialEngineConfig = {}, options: EngineOptions = {}): Engine {
  return createEngine({ blockSize: 4, numGpuBlocks: 65, maxModelLen: 64, maxNumSeqs: 8, maxNumBatchedTokens: 32, ...config }, { costModel: null, ...options });
}

/** Accepts `script[i]` drafts at the i-th verification (capped by the drafts offered), then `rest`. */
export function scriptedAcceptance(script: readonly number[], rest = 0): AcceptanceModel {
  let i = 0;
  return {
    numAccepted(numDrafts) {
      const a = i < script.length ? script[i]! : rest;
      i++;
      return Math.min(a, numDrafts);
    },
  };
}

/** Tokens scheduled for `reqId` in each step record (0 when absent), until it finishes. */
export function tokensPerStep(engine: Engine, reqId: string, maxSteps = 200): number[] {
  const out: number[] = [];
  for (let s = 0; s < maxSteps && engine.request(reqId).finishReason === null; s++) {
    const r = engine.step();
    out.push(r.schedule?.requests.find((x) => x.reqId === reqId)?.numScheduledTokens ?? 0);
  }
  return out;
}
