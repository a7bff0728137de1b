import { describe, expect, it } from 'vitest';
import type { Engine } from '../../../engine/api/engine';
import { makeEngine, range } from './factories';

/** One line per step: `req:n[c=chunk][new blocks]`, preempted, finished, freed, waiting. */
function trace(e: Engine, n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n && e.hasWork(); i++) {
    const r = e.step();
    const sched = (r.schedule?.requests ?? []).map((x) => `${x.reqId}:${x.numScheduledTokens}${x.isPrefillChunk ? 'c' : ''}[${x.newBlockIds}]`).join(' ');
    lines.push(`${sched} | pre ${r.preemptedReqIds} | fin ${r.finishedReqIds} | freed ${r.freedBlockIds} | W ${e.waiting.map((w) => w.requestId)}`);
  }
  return lines;
}

describe('scheduler scenarios with exact block ids (block size 4)', () => {
  it('long-prefill threshold chunks, preempts the last running request, resumes with a prefix hit', () => {
    const e = makeEngine({ numGpuBlocks: 13, maxModelLen: 48, maxNumBatchedTokens: 16, longPrefillTokenThreshold: 12 });
    e.addRequest({ requestId: 'A', promptTokenIds: range(0, 40), maxTokens: 4 });
    e.addRequest({ requestId: 'B', promptTokenIds: range(100, 2), maxTokens: 8 });
    e.addRequest({ requestId: 'C', promptTokenIds: range(200, 2), maxTokens: 8 });
    expect(trace(e, 12)).toEqual([
      'A:12c[1,2,3] B:2[4] C:2[5] | pre  | fin  | freed  | W ',
      'A:12c[6,7,8] B:1[] C:1[] | pre  | fin  | freed  | W ',
      'A:12c[9,10,11] B:1[] C:1[] | pre  | fin  | freed  | W ',
      // B needs a second block and none is free: the last running request (C) is the victim;
      // no admissions in a step that preempted.
      'A:4[12] B:1[5] | pre C | fin  | freed 5 | W C',
      // A's first decode needs block 11 of its table: B (now last) is preempted and goes in
      // front of C.
      'A:1[5] | pre B | fin  | freed 5,4 | W B,C',
      'A:1[] | pre  | fin  | freed  | W B,C',
      'A:1[] | pre  | fin A | freed 5,12,11,10,9,8,7,6,3,2,1 | W B,C',
      // B resumes: its first block (4) is still cached → 4-token hit, recompute 2 tokens; C has no
      // full block left, recomputes its 5 tokens (prompt + 3 outputs) into 12, 11.
      'B:2[4,5] C:5[12,11] | pre  | fin  | freed  | W ',
      'B:1[] C:1[] | pre  | fin  | freed  | W ',
      'B:1[] C:1[] | pre  | fin  | freed  | W ',
      'B:1[10] C:1[] | pre  | fin B | freed 10,5,4 | W ',
      'C:1[9] | pre  | fin C | freed 9,11,12 | W ',
    ]);
    expect(e.request('B').numPreemptions).toBe(1);
    expect(e.request('B').numCachedTokens).toBe(0);
    expect(e.stats.numPreemptions).toBe(2);
    expect(e.request('B').outputTokenIds).toHaveLength(8);
  });

  it('several FCFS victims in one step land in front of waiting in their running order', () => {
    const e = makeEngine({ numGpuBlocks: 5, maxModelLen: 16, maxNumBatchedTokens: 16, longPrefillTokenThreshold: 8 });
    e.addRequest({ requestId: 'A', promptTokenIds: range(0, 15), maxTokens: 1 });
    e.addRequest({ requestId: 'B', promptTokenIds: range(100, 2), maxTokens: 4 });
    e.addRequest({ requestId: 'C', promptTokenIds: range(200, 2), maxTokens: 4 });
    expect(trace(e, 3)).toEqual([
      'A:8c[1,2] B:2[3] C:2[4] | pre  | fin  | freed  | W ',
      // A needs two more blocks: C (last) is preempted, still one short, then B.
      'A:7[4,3] | pre C,B | fin A | freed 4,3,3,4,2,1 | W B,C',
      'B:3[3] C:3[4] | pre  | fin  | freed  | W ',
    ]);
  });

  it('chunked prefill: running requests first, waiting requests get the leftover budget', () => {
    const e = makeEngine({ maxNumBatchedTokens: 32 });
    e.addRequest({ requestId: 'A', promptTokenIds: range(0, 50), maxTokens: 2 });
    e.addRequest({ requestId: 'B', promptTokenIds: range(100, 20), maxTokens: 2 });
    expect(trace(e, 4)).toEqual([
      'A:32c[1,2,3,4,5,6,7,8] | pre  | fin  | freed  | W B',
      'A:18[9,10,11,12,13] B:14c[14,15,16,17] | pre  | fin  | freed  | W ',
      'A:1[] B:6[18] | pre  | fin A | freed 13,12,11,10,9,8,7,6,5,4,3,2,1 | W ',
      'B:1[19] | pre  | fin B | freed 19,18,17,16,15,14 | W ',
    ]);
  });

  it('without chunked prefill a waiting request that does not fit stops admission (no skipping ahead)', () => {
    const e = makeEngine({ enableChunkedPrefill: false, maxNumBatchedTokens: 32, maxModelLen: 32 });
    e.addRequest({ requestId: 'A', promptTokenIds: range(0, 20), maxTokens: 2 });
    e.addRequest({ requestId: 'B', promptTokenIds: range(100, 20), maxTokens: 2 });
    e.addRequest({ requestId: 'C', promptTokenIds: range(200, 5), maxTokens: 2 });
    const r = e.step();
    expect(r.schedule!.requests.map((x) => x.reqId)).toEqual(['A']);
    expect(e.waiting.map((w) => w.requestId)).toEqual(['B', 'C']);
    const r2 = e.step();
    expect(r2.schedule!.requests.map((x) => [x.reqId, x.numScheduledTokens])).toEqual([['A', 1], ['B', 20], ['C', 5]]);
  });

  it('max_num_seqs counts running requests even when they are not scheduled', () => {
    const e = makeEngine({ maxNumSeqs: 2 });
    for (const id of ['A', 'B', 'C']) e.addRequest({ requestId: id, promptTokenIds: range(0, 3), maxTokens: 3 });
    const r = e.step();
    expect(r.schedule!.requests.map((x) => x.reqId)).toEqual(['A', 'B']);
    expect(r.numRunning).toBe(2);
    expect(r.numWaiting).toBe(1);
  });

  it('priority policy admits by (priority, arrival) and preempts the least urgent running request', () => {
    const e = makeEngine({ policy: 'priority', numGpuBlocks: 9, maxModelLen: 32, maxNumBatchedTokens: 32 });
    e.addRequest({ requestId: 'low', promptTokenIds: range(0, 8), maxTokens: 20, priority: 5 });
    e.addRequest({ requestId: 'high', promptTokenIds: range(100, 8), maxTokens: 20, priority: 0 });
    e.addRequest({ requestId: 'mid', promptTokenIds: range(200, 8), maxTokens: 20, priority: 1 });
    expect(trace(e, 3)).toEqual([
      'high:8[1,2] mid:8[3,4] low:8[5,6] | pre  | fin  | freed  | W ',
      // `low` is the victim while it is itself being scheduled: Phase A stops there.
      'high:1[7] mid:1[8] | pre low | fin  | freed 6,5 | W low',
      'high:1[] mid:1[] | pre  | fin  | freed  | W low',
    ]);
  });

  it('two identical prompts admitted in the same step share their full blocks', () => {
    const e = makeEngine();
    e.addRequest({ requestId: 'A', promptTokenIds: range(0, 10), maxTokens: 2 });
    e.addRequest({ requestId: 'B', promptTokenIds: range(0, 10), maxTokens: 2 });
    const r = e.step();
    expect(r.schedule!.requests.map((x) => [x.reqId, x.numScheduledTokens, x.numCachedTokens, x.newBlockIds])).toEqual([
      ['A', 10, 0, [1, 2, 3]],
      ['B', 2, 8, [1, 2, 4]],
    ]);
    expect(r.prefixCacheQueries).toBe(20);
    expect(r.prefixCacheHits).toBe(8);
    expect(e.block(1)).toMatchObject({ refCount: 2, isFree: false, heldBy: ['A', 'B'] });
  });
});

describe('stop rules', () => {
  it('EOS stops unless ignore_eos; stop tokens set stopReason; min_tokens defers both', () => {
    const probe = makeEngine({ synthetic: { vocabSize: 4, eosTokenId: null } });
    probe.addRequest({ requestId: 'x', promptTokenIds: [0, 1], maxTokens: 12 });
    probe.run();
    const toks = probe.request('x').outputTokenIds;
    const eos = toks[3]!;
    const firstEos = toks.indexOf(eos);

    const e = makeEngine({ synthetic: { vocabSize: 4, eosTokenId: eos } });
    e.addRequest({ requestId: 'x', promptTokenIds: [0, 1], maxTokens: 12 });
    e.addRequest({ requestId: 'ignore', promptTokenIds: [0, 1], maxTokens: 12, ignoreEos: true });
    e.run();
    expect(e.request('x').outputTokenIds).toEqual(toks.slice(0, firstEos + 1));
    expect(e.request('x').finishReason).toBe('stop');
    expect(e.request('x').stopReason).toBeNull();
    expect(e.request('ignore').finishReason).toBe('length');
    expect(e.request('ignore').outputTokenIds).toHaveLength(12);

    const s = makeEngine({ synthetic: { vocabSize: 4, eosTokenId: null } });
    s.addRequest({ requestId: 'x', promptTokenIds: [0, 1], maxTokens: 12, stopTokenIds: [eos], minTokens: 4 });
    s.run();
    const idx = toks.findIndex((t, i) => t === eos && i >= 3);
    expect(s.request('x').outputTokenIds).toEqual(toks.slice(0, idx + 1));
    expect(s.request('x').stopReason).toBe(eos);
  });

  it('a multi-token (speculative) output is truncated at max_tokens', () => {
    const e = makeEngine({ speculative: { method: 'mtp', numSpeculativeTokens: 3 } }, { acceptance: () => ({ numAccepted: (d) => d }) });
    e.addRequest({ requestId: 'x', promptTokenIds: range(0, 5), maxTokens: 2 });
    const recs = e.run();
    const out = recs.flatMap((r) => r.processed?.outputs ?? []);
    // Prefill emits 1 token; the decode step verifies 3 drafts, accepts all (4 tokens) → kept 1.
    expect(out.map((o) => o.newTokenIds.length)).toEqual([1, 1]);
    expect(out[1]!.numAcceptedTokens).toBe(3);
    expect(out[1]!.finishReason).toBe('length');
    expect(e.request('x').outputTokenIds).toHaveLength(2);
  });

  it('the max_model_len cap finishes a request whose max_tokens would go further', () => {
    const e = makeEngine({ maxModelLen: 12 });
    e.addRequest({ requestId: 'x', promptTokenIds: range(0, 10) });
    e.run();
    expect(e.request('x').numTokens).toBe(12);
    expect(e.request('x').finishReason).toBe('length');
  });

  it('abort removes a request from its queue and frees its blocks', () => {
    const e = makeEngine();
    e.addRequest({ requestId: 'A', promptTokenIds: range(0, 9), maxTokens: 20 });
    e.addRequest({ requestId: 'B', promptTokenIds: range(50, 9), maxTokens: 20, arrivalTime: 1e9 });
    e.step();
    expect(e.blockTable('A')).toEqual([1, 2, 3]);
    expect(e.abort(['A', 'B', 'nope'])).toEqual(['A', 'B']);
    expect(e.request('A').finishReason).toBe('abort');
    expect(e.kvUsage.numUsedBlocks).toBe(0);
    const r = e.step();
    expect(r.finishedReqIds).toEqual(['A', 'B']);
    expect(e.hasWork()).toBe(false);
    e.checkInvariants();
  });
});
