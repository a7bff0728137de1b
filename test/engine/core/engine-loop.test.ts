import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../engine/api/create-engine';
import { EngineError, InvariantError } from '../../../engine/base/errors';
import { linearStepCost } from '../../../engine/cost/linear-step-cost';
import { makeEngine, range } from '../sched/factories';

describe('async loop: the output of step n arrives while step n+1 is scheduled', () => {
  it('processes batch n in the step that launches batch n+1', () => {
    const e = makeEngine({ asyncScheduling: true });
    e.addRequest({ requestId: 'a', promptTokenIds: range(0, 6), maxTokens: 3 });
    const r0 = e.step();
    expect(r0.schedule!.batchId).toBe(0);
    expect(r0.processed).toBeNull();
    expect(r0.numInFlightBatches).toBe(1);
    expect(e.request('a').numOutputTokens).toBe(0);
    const r1 = e.step();
    expect([r1.schedule!.batchId, r1.processed!.batchId]).toEqual([1, 0]);
    expect(e.request('a').numOutputTokens).toBe(1);
    // Decode of token 2 was scheduled before token 1 was known (placeholder).
    expect(r1.schedule!.requests[0]).toMatchObject({ reqId: 'a', numScheduledTokens: 1, numComputedTokens: 6 });
  });

  it('a stop detected at step n wastes the request’s slot in step n+1 (EOS one step late)', () => {
    const probe = makeEngine({ synthetic: { vocabSize: 4, eosTokenId: null } });
    probe.addRequest({ requestId: 'a', promptTokenIds: [1, 2], maxTokens: 20 });
    probe.run();
    const toks = probe.request('a').outputTokenIds;
    const eos = toks[2]!;
    const stopAt = toks.indexOf(eos); // EOS is the (stopAt+1)-th output
    const count = (asyncScheduling: boolean): number => {
      const e = makeEngine({ asyncScheduling, synthetic: { vocabSize: 4, eosTokenId: eos } });
      e.addRequest({ requestId: 'a', promptTokenIds: [1, 2], maxTokens: 20 });
      const recs = e.run();
      expect(e.request('a').outputTokenIds).toEqual(toks.slice(0, stopAt + 1));
      return recs.filter((r) => r.schedule?.requests.some((x) => x.reqId === 'a')).length;
    };
    expect(count(false)).toBe(stopAt + 1);
    expect(count(true)).toBe(stopAt + 2);
  });

  it('an empty schedule lets the queued output be processed at once', () => {
    const e = makeEngine({ asyncScheduling: true, maxNumSeqs: 1 });
    e.addRequest({ requestId: 'a', promptTokenIds: range(0, 4), maxTokens: 1 });
    const r0 = e.step();
    expect(r0.processed).toBeNull();
    // maxTokens 1: #29759 skips the request (its in-flight step certainly finishes it).
    const r1 = e.step();
    expect(r1.schedule!.totalNumScheduledTokens).toBe(0);
    expect(r1.processed!.batchId).toBe(0);
    expect(r1.finishedReqIds).toEqual(['a']);
  });
});

describe('virtual clock and arrivals', () => {
  it('advances by the cost model; requests arrive when the clock reaches them; idle engines jump', () => {
    const e = createEngine({ blockSize: 4, numGpuBlocks: 65, maxModelLen: 64, maxNumSeqs: 8, maxNumBatchedTokens: 32 }, { costModel: linearStepCost({ fixedUs: 1000, perTokenUs: 10, perRequestUs: 0 }) });
    e.addRequest({ requestId: 'a', promptTokenIds: range(0, 10), maxTokens: 3 });
    e.addRequest({ requestId: 'b', promptTokenIds: range(50, 5), maxTokens: 2, arrivalTime: 2500 });
    e.addRequest({ requestId: 'late', promptTokenIds: range(80, 5), maxTokens: 1, arrivalTime: 1_000_000 });
    expect(e.pending.map((r) => r.requestId)).toEqual(['b', 'late']);
    const r0 = e.step();
    expect(r0.timeUs).toBe(1100);
    expect(r0.schedule!.stepTimeUs).toBe(1100);
    e.step(); // t = 2110
    const r2 = e.step(); // b arrives at 2500 > 2110: not yet
    expect(r2.arrivedReqIds).toEqual([]);
    const r3 = e.step();
    expect(r3.arrivedReqIds).toEqual(['b']);
    e.run({ until: { requestFinished: ['a', 'b'] } });
    // One empty step ships the finished ids to the workers; then the idle engine jumps.
    const recs = e.run({ until: (x) => x.arrivedReqIds.length > 0 });
    expect(recs.map((x) => x.schedule?.totalNumScheduledTokens)).toEqual([0, 5]);
    const r = recs.at(-1)!;
    expect(r.arrivedReqIds).toEqual(['late']);
    expect(r.timeUs).toBe(1_000_000 + 1000 + 50);
    expect(e.request('late').firstScheduledTime).toBe(1_000_000);
    expect(e.request('b').firstTokenTime).toBeGreaterThan(2500);
  });
});

describe('run({ until }) predicates', () => {
  const mk = () => {
    const e = makeEngine({ numGpuBlocks: 9, maxModelLen: 32, maxNumBatchedTokens: 32 });
    for (const id of ['A', 'B', 'C']) e.addRequest({ requestId: id, promptTokenIds: range(id.charCodeAt(0) * 10, 8), maxTokens: 20 });
    return e;
  };
  it('step counts, request finished, preemption, KV usage, custom functions, idle', () => {
    expect(mk().run({ until: 2 })).toHaveLength(2);
    expect(mk().run({ until: { steps: 3 } })).toHaveLength(3);
    const p = mk().run({ until: { preemption: true } });
    expect(p.at(-1)!.preemptedReqIds).toEqual(['C']);
    expect(p).toHaveLength(2);
    const k = mk().run({ until: { kvUsageAbove: 0.7 } });
    expect(k.at(-1)!.kvUsage).toBeGreaterThan(0.7);
    expect(k.slice(0, -1).every((r) => r.kvUsage <= 0.7)).toBe(true);
    const e = mk();
    e.run({ until: { requestFinished: 'A' } });
    expect(e.request('A').finishReason).toBe('length');
    expect(e.request('C').finishReason).toBeNull();
    const f = mk().run({ until: (r) => r.numRunning === 2 });
    expect(f.at(-1)!.numRunning).toBe(2);
    const all = mk();
    all.run();
    expect(all.hasWork()).toBe(false);
    expect(all.requests.every((r) => r.finishReason === 'length')).toBe(true);
  });
  it('names malformed predicates and caps runaway runs', () => {
    expect(() => mk().run({ until: 0 })).toThrow(EngineError);
    expect(() => mk().run({ until: { kvUsageAbove: 2 } })).toThrow(/kvUsageAbove/);
    expect(() => mk().run({ until: { bogus: 1 } as never })).toThrow(/unknown until predicate/);
    expect(() => mk().run({ until: () => false, maxSteps: 3 })).toThrow(/maxSteps/);
  });
});

describe('read-only views', () => {
  it('queues, requests, block tables and blocks are plain copies', () => {
    const e = makeEngine();
    e.addRequest({ requestId: 'A', promptTokenIds: range(0, 9), maxTokens: 4 });
    e.addRequest({ requestId: 'B', promptTokenIds: range(0, 9), maxTokens: 4 });
    e.step();
    const view = e.request('A');
    expect(view).toMatchObject({ status: 'RUNNING', numPromptTokens: 9, numComputedTokens: 9, numTokens: 10, numOutputTokens: 1 });
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    (view.outputTokenIds as number[]).push(99);
    expect(e.request('A').outputTokenIds).toHaveLength(1);
    const table = e.blockTable('A');
    table.push(7);
    expect(e.blockTable('A')).toEqual([1, 2, 3]);
    expect(e.blockTable('B')).toEqual([1, 2, 4]);
    expect(e.block(0)).toMatchObject({ isNull: true, heldBy: [] });
    expect(e.block(3)).toMatchObject({ refCount: 1, blockHash: null, isFree: false, heldBy: ['A'] });
    expect(e.block(5)).toMatchObject({ refCount: 0, isFree: true, freeQueuePosition: 0 });
    expect(e.block(1).blockHash).toEqual(expect.any(Number));
    expect(e.running.map((r) => r.requestId)).toEqual(['A', 'B']);
    expect(e.kvUsage).toMatchObject({ numGpuBlocks: 65, numUsableBlocks: 64, numUsedBlocks: 4, numCachedBlocks: 2 });
    expect(e.freeBlockQueue.slice(0, 2)).toEqual([5, 6]);
    expect(() => e.block(65)).toThrow(/blockId/);
    expect(() => e.request('nope')).toThrow(EngineError);
  });

  it('checkInvariants notices a corrupted block pool', () => {
    const e = makeEngine();
    e.addRequest({ requestId: 'A', promptTokenIds: range(0, 9), maxTokens: 4 });
    e.step();
    e.checkInvariants();
    e.internals.scheduler.kv.pool.touch([2]);
    expect(() => e.checkInvariants()).toThrow(InvariantError);
  });
});

describe('addRequest validation names the argument', () => {
  const e = makeEngine({ maxModelLen: 32 });
  it.each([
    [{}, 'promptTokenIds'],
    [{ promptLen: 4, promptTokenIds: [1] }, 'promptTokenIds'],
    [{ promptLen: 0 }, 'promptLen'],
    [{ promptLen: 40 }, 'promptLen'],
    [{ promptLen: 4, maxTokens: 0 }, 'maxTokens'],
    [{ promptLen: 30, maxTokens: 5 }, 'maxTokens'],
    [{ promptTokenIds: [1, -2] }, 'promptTokenIds'],
    [{ promptLen: 4, priority: 0.5 }, 'priority'],
    [{ promptLen: 4, arrivalTime: -1 }, 'arrivalTime'],
    [{ promptLen: 4, maxToken: 3 }, 'maxToken'],
    [{ promptLen: 4, minTokens: 9, maxTokens: 3 }, 'minTokens'],
  ])('%j → %s', (opts, arg) => {
    try {
      e.addRequest(opts as never);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).argument).toBe(arg);
    }
  });
  it('rejects a duplicate id and defaults max_tokens to max_model_len − prompt', () => {
    const f = makeEngine({ maxModelLen: 32 });
    f.addRequest({ requestId: 'x', promptLen: 10 });
    expect(() => f.addRequest({ requestId: 'x', promptLen: 3 })).toThrow(/already in use/);
    expect(f.request('x').maxTokens).toBe(22);
    expect(f.addRequest({ promptLen: 3 })).toBe('req-1');
  });
});

describe('async preemption while an output is in flight (vLLM test_preempt_during_execution)', () => {
  it('the in-flight token is still appended to the preempted request, which later resumes', () => {
    const e = makeEngine({ asyncScheduling: true, numGpuBlocks: 9, maxModelLen: 32, maxNumBatchedTokens: 32 });
    for (const id of ['A', 'B', 'C']) e.addRequest({ requestId: id, promptTokenIds: range(id.charCodeAt(0) * 10, 8), maxTokens: 6 });
    e.step(); // batch 0: three prefills, in flight
    const r1 = e.step(); // batch 1 needs a third block for each: C (last) is preempted, then batch 0 is processed
    expect(r1.preemptedReqIds).toEqual(['C']);
    expect(r1.processed!.outputs.map((o) => o.reqId)).toEqual(['A', 'B', 'C']);
    expect(e.request('C')).toMatchObject({ status: 'PREEMPTED', numOutputTokens: 1, numComputedTokens: 0 });
    expect(e.blockTable('C')).toEqual([]);
    e.checkInvariants();
    e.run();
    expect(e.request('C')).toMatchObject({ finishReason: 'length', numOutputTokens: 6, numPreemptions: 1 });
    expect(e.request('A').outputTokenIds).toHaveLength(6);
  });
});
