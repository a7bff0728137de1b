/**
 * Invariants of the scheduler's queues and request accounting (checked after every step in
 * tests): queues partition the unfinished requests, running requests hold KV for their computed
 * tokens, nobody exceeds max_num_seqs, max_tokens or max_model_len; then the KV manager's own
 * invariants (ref counts, free + used = total, hashed blocks).
 */
import { assert } from '../base/errors';
import type { EngineConfig } from '../config/engine-config';
import type { KVCacheManager } from '../kv/kv-cache-manager';
import type { Request } from '../request/request';
import type { RequestQueue } from './request-queue';

/** What the check reads from a scheduler. */
export interface SchedulerQueues {
  readonly config: EngineConfig;
  readonly running: readonly Request[];
  readonly waiting: RequestQueue;
  readonly requests: ReadonlyMap<string, Request>;
  readonly kv: KVCacheManager;
}

export function checkSchedulerInvariants(s: SchedulerQueues): void {
  assert(s.running.length <= s.config.maxNumSeqs, () => `${s.running.length} running > maxNumSeqs ${s.config.maxNumSeqs}`);
  const seen = new Set<string>();
  for (const r of s.running) {
    assert(r.status === 'RUNNING', () => `${r.requestId} in running with status ${r.status}`);
    assert(!seen.has(r.requestId), () => `${r.requestId} twice in running`);
    seen.add(r.requestId);
  }
  for (const r of s.waiting.toArray()) {
    assert(r.status === 'WAITING' || r.status === 'PREEMPTED', () => `${r.requestId} in waiting with status ${r.status}`);
    assert(!seen.has(r.requestId), () => `${r.requestId} both running and waiting`);
    assert(s.kv.blockTable(r.requestId) === undefined, () => `waiting request ${r.requestId} holds KV blocks`);
    seen.add(r.requestId);
  }
  assert(seen.size === s.requests.size, () => `${s.requests.size} unfinished requests but ${seen.size} queued`);
  const bs = s.config.blockSize;
  for (const r of s.running) {
    const table = s.kv.blockTable(r.requestId);
    assert(table !== undefined, () => `running request ${r.requestId} holds no block table`);
    assert(table.length * bs >= Math.min(r.numComputedTokens, s.config.maxModelLen), () => `${r.requestId}: ${r.numComputedTokens} computed tokens but ${table.length} blocks`);
  }
  for (const r of s.requests.values()) {
    assert(r.numOutputTokens <= r.sampling.maxTokens, () => `${r.requestId}: ${r.numOutputTokens} outputs > maxTokens ${r.sampling.maxTokens}`);
    assert(r.numTokens <= s.config.maxModelLen, () => `${r.requestId}: ${r.numTokens} tokens > maxModelLen`);
    assert(r.numComputedTokens <= r.numTokensWithSpec + r.numOutputPlaceholders, () => `${r.requestId}: computed ${r.numComputedTokens} beyond its tokens`);
    assert(r.numComputedTokens < s.config.maxModelLen || r.numComputedTokens === r.numTokens, () => `${r.requestId}: computed ${r.numComputedTokens} reaches maxModelLen`);
  }
  s.kv.checkInvariants();
}
