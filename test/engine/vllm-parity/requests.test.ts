/**
 * Request options with vLLM's semantics through the public engine (`addRequest`): prompt_logprobs
 * (no prefix-cache reads, still writes), cache_salt, stop_token_ids, min_tokens; the forced prefix
 * reset through `Engine.resetPrefixCache`; and the vLLM-test fixture's max_model_len, which is
 * never checked against the block pool.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../engine/api/create-engine';
import { resolveConfig } from '../../../engine/config/validate';
import { createScheduler, createRequests, runnerOutput, toVllmSchedulerOutput } from '../../../engine/testing/index';
import { range } from './kv-helpers';

const small = { blockSize: 4, numGpuBlocks: 65, maxModelLen: 64, maxNumSeqs: 4, maxNumBatchedTokens: 64 };

describe('request options with vLLM semantics', () => {
  it('prompt_logprobs skips prefix-cache reads but its blocks serve later requests', () => {
    const e = createEngine(small, { costModel: null });
    e.addRequest({ requestId: 'a', promptTokenIds: range(0, 20), maxTokens: 1 });
    e.run();
    e.addRequest({ requestId: 'plp', promptTokenIds: range(0, 20), maxTokens: 1, promptLogprobs: 2 });
    const r = e.step();
    expect(r.schedule!.requests[0]).toMatchObject({ reqId: 'plp', numScheduledTokens: 20, numCachedTokens: 0 });
    expect(r.prefixCacheQueries).toBe(0);
    e.run();
    e.addRequest({ requestId: 'b', promptTokenIds: range(0, 20), maxTokens: 1 });
    expect(e.step().schedule!.requests[0]).toMatchObject({ reqId: 'b', numCachedTokens: 16, numScheduledTokens: 4 });
    expect(() => e.addRequest({ promptLen: 3, promptLogprobs: -1 })).toThrowError(/promptLogprobs/);
  });

  it('cache_salt separates caches; stop_token_ids stop with the stop reason; min_tokens holds past a stop id', () => {
    const e = createEngine(small, { costModel: null });
    e.addRequest({ requestId: 's1', promptTokenIds: range(0, 20), maxTokens: 1, cacheSalt: 'x' });
    e.run();
    e.addRequest({ requestId: 's2', promptTokenIds: range(0, 20), maxTokens: 1, cacheSalt: 'y' });
    e.addRequest({ requestId: 's3', promptTokenIds: range(0, 20), maxTokens: 1, cacheSalt: 'x' });
    const hits = Object.fromEntries(e.step().schedule!.requests.map((q) => [q.reqId, q.numCachedTokens]));
    expect(hits).toEqual({ s2: 0, s3: 16 });
    e.run();
    // The synthetic token stream is fixed per request: stop on its second token, once unguarded.
    const probe = createEngine(small, { costModel: null });
    probe.addRequest({ requestId: 'p', promptTokenIds: range(0, 8), maxTokens: 4, ignoreEos: true });
    probe.run();
    const [, second, third] = probe.request('p').outputTokenIds;
    const f = createEngine(small, { costModel: null });
    f.addRequest({ requestId: 'p', promptTokenIds: range(0, 8), maxTokens: 4, ignoreEos: true, stopTokenIds: [second!] });
    f.run();
    expect([f.request('p').outputTokenIds.length, f.request('p').finishReason, f.request('p').stopReason]).toEqual([2, 'stop', second]);
    const g = createEngine(small, { costModel: null });
    g.addRequest({ requestId: 'p', promptTokenIds: range(0, 8), maxTokens: 4, ignoreEos: true, stopTokenIds: [second!, third!], minTokens: 3 });
    g.run();
    expect([g.request('p').outputTokenIds.length, g.request('p').stopReason]).toEqual([3, third]);
  });

  it('Engine.resetPrefixCache({ resetRunningRequests: true }) preempts the running requests first (sync and async)', () => {
    for (const asyncScheduling of [false, true]) {
      const e = createEngine({ ...small, asyncScheduling }, { costModel: null });
      e.addRequest({ requestId: 'a', promptLen: 30, maxTokens: 6, ignoreEos: true });
      e.addRequest({ requestId: 'b', promptLen: 10, maxTokens: 6, ignoreEos: true });
      e.step();
      e.step();
      expect(e.resetPrefixCache()).toBe(false);
      expect(e.resetPrefixCache({ resetRunningRequests: true })).toBe(true);
      expect([e.running.length, e.waiting.map((w) => w.requestId), e.kvUsage.numCachedBlocks]).toEqual([0, ['a', 'b'], 0]);
      e.checkInvariants();
      e.run();
      expect(e.requests.map((r) => [r.finishReason, r.numOutputTokens])).toEqual([['length', 6], ['length', 6]]);
      expect(e.request('a').numPreemptions).toBe(1);
    }
  });

  it("the fixture's max_model_len is set apart from the start-up memory check, as in vLLM's tests", () => {
    const o = { numBlocks: 6, blockSize: 16, maxNumBatchedTokens: 200, maxModelLen: 200 };
    expect(() => resolveConfig({ numGpuBlocks: 6, blockSize: 16, maxNumBatchedTokens: 200, maxModelLen: 200 })).toThrowError(/cannot hold one request/);
    const s = createScheduler(o);
    expect([s.config.maxModelLen, s.kv.pool.numUsableBlocks]).toEqual([200, 5]);
    // A running request absent from the previous batch resends its tokens (vLLM `all_token_ids`).
    const [r0, r1] = createRequests({ numRequests: 2, numTokens: 20 });
    s.addRequest(r0!);
    const a = s.schedule();
    s.addRequest(r1!);
    const b = s.schedule();
    expect(b.scheduled.map((x) => x.reqId)).toEqual(['1']);
    s.updateFromOutput(a, runnerOutput(a, { 0: [5] }));
    const v = toVllmSchedulerOutput(s.schedule());
    expect(v.scheduled_cached_reqs.req_ids).toEqual(['0']);
    expect(v.scheduled_cached_reqs.all_token_ids).toEqual({ 0: [...new Array(20).fill(0), 5] });
    expect(v.scheduled_cached_reqs.new_block_ids).toEqual([null]);
  });
});

describe('the vLLM view of a hybrid step: block ids per KV-cache group', () => {
  it('new requests carry each group\'s table; running requests only the blocks this step added', () => {
    const s = createScheduler({ blockSize: 4, numBlocks: 100, maxModelLen: 64, attention: { kind: 'hybrid', slidingWindow: 4 } });
    const [r] = createRequests({ numRequests: 1, numTokens: 12 });
    s.addRequest(r!);
    const a = s.schedule();
    const va = toVllmSchedulerOutput(a);
    expect(va.scheduled_new_reqs[0]!.block_ids).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(va.num_common_prefix_blocks).toHaveLength(2);
    s.updateFromOutput(a, runnerOutput(a, [[7]]));
    // Token 12 needs a fourth block in both groups; window blocks left of the window turn null.
    const vb = toVllmSchedulerOutput(s.schedule());
    expect(vb.scheduled_cached_reqs.new_block_ids).toEqual([[[7], [8]]]);
    expect(s.kv.blockTables('0')).toEqual([[1, 2, 3, 7], [0, 0, 6, 8]]);
  });
});
