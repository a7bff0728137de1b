/**
 * The numeric engine's correctness links: the emitted tokens are a function of the model and the
 * prompts only — identical with and without speculative decoding (MTP or n-gram drafts verified
 * greedily), sync or async, chunked or unchunked prefill, prefix-cache hit or miss.
 */
import { describe, expect, it } from 'vitest';
import { createNumericEngine } from '../../../engine/api/numeric-engine';
import { prompt, runWorkload } from './workload';

const base = runWorkload();

describe('numeric engine correctness links', () => {
  it('produces non-trivial greedy outputs', () => {
    expect(base.outputs.map((o) => o.length)).toEqual([14, 14, 14]);
    // Different prompts give different continuations, and not one repeated token.
    expect(new Set(base.outputs.map((o) => o.join(','))).size).toBe(3);
    for (const o of base.outputs) expect(new Set(o).size).toBeGreaterThan(3);
  });

  it('speculative decoding with MTP drafts emits the same tokens', () => {
    const spec = runWorkload({ speculative: { method: 'mtp', numSpeculativeTokens: 2 } });
    expect(spec.outputs).toEqual(base.outputs);
    expect(spec.ne.engine.stats.specDecoding.numDraftTokens).toBeGreaterThan(0);
  }, 60_000);

  it('speculative decoding with n-gram drafts (some accepted, some rejected) emits the same tokens', () => {
    const spec = runWorkload({ speculative: { method: 'ngram', numSpeculativeTokens: 3 } });
    expect(spec.outputs).toEqual(base.outputs);
    const s = spec.ne.engine.stats.specDecoding;
    expect(s.numAcceptedTokens).toBeGreaterThan(0);
    expect(s.numAcceptedTokens).toBeLessThan(s.numDraftTokens);
    expect(s.meanAcceptanceLength).toBeGreaterThan(1);
  }, 60_000);

  it('async scheduling emits the same tokens as sync, with and without MTP', () => {
    expect(runWorkload({ asyncScheduling: true }).outputs).toEqual(base.outputs);
    expect(runWorkload({ asyncScheduling: true, speculative: { method: 'mtp', numSpeculativeTokens: 2 } }).outputs).toEqual(base.outputs);
  }, 90_000);

  it('chunked prefill emits the same tokens as unchunked prefill', () => {
    // The default 32-token budget chunks the 41- and 135-token prompts; 2048 runs each whole.
    const unchunked = runWorkload({ maxNumBatchedTokens: 2048 });
    const chunked = runWorkload({ maxNumBatchedTokens: 64, enableChunkedPrefill: true });
    expect(base.sawPrefillChunk).toBe(true);
    expect(chunked.sawPrefillChunk).toBe(true);
    expect(unchunked.sawPrefillChunk).toBe(false);
    expect(base.outputs).toEqual(unchunked.outputs);
    expect(chunked.outputs).toEqual(unchunked.outputs);
  }, 60_000);

  it('a prefix-cache hit reuses the cached page and emits the same tokens as a miss', () => {
    const shared = prompt(260, 7);
    const tail = [5, 9, 11, 400, 2];
    const run = (enablePrefixCaching: boolean, salt?: string): { out: number[]; cached: number | null; firstBlock: number; firstA: number } => {
      const { engine } = createNumericEngine({ seed: 5, enablePrefixCaching }, { keepSteps: 0 });
      engine.addRequest({ requestId: 'a', promptTokenIds: shared, maxTokens: 2 });
      engine.step();
      const firstA = engine.blockTable('a')[0]!;
      engine.run();
      engine.addRequest({ requestId: 'b', promptTokenIds: [...shared, ...tail], maxTokens: 8, ...(salt !== undefined ? { cacheSalt: salt } : {}) });
      engine.step();
      const firstBlock = engine.blockTable('b')[0]!;
      engine.run();
      return { out: engine.request('b').outputTokenIds.slice(), cached: engine.request('b').numCachedTokens, firstBlock, firstA };
    };
    const hit = run(true);
    const miss = run(false);
    const saltedMiss = run(true, 'other-tenant');
    expect(hit.cached).toBe(256);
    // The hit maps b's first page onto a's page, whose entries it reads without recomputing them.
    expect(hit.firstBlock).toBe(hit.firstA);
    expect(miss.cached).toBe(0);
    expect(saltedMiss.cached).toBe(0);
    expect(hit.out).toEqual(miss.out);
    expect(saltedMiss.out).toEqual(miss.out);
    expect(hit.out.length).toBe(8);
  }, 90_000);
});

describe('preemption', () => {
  it('a request preempted for KV space and recomputed emits the same tokens', () => {
    const run = (config: Parameters<typeof createNumericEngine>[0]): { out: number[][]; preemptions: number; resumed: boolean } => {
      const { engine } = createNumericEngine({ seed: 3, ...config }, { keepSteps: 0 });
      for (let i = 0; i < 3; i++) engine.addRequest({ requestId: `p${i}`, promptTokenIds: prompt(248 + i, i), maxTokens: 12 });
      let resumed = false;
      while (engine.hasWork()) if (engine.step().schedule?.requests.some((r) => r.kind === 'resumed')) resumed = true;
      return { out: [0, 1, 2].map((i) => engine.request(`p${i}`).outputTokenIds.slice()), preemptions: engine.stats.numPreemptions, resumed };
    };
    const roomy = run({});
    // 3 usable pages for three requests that each grow into a second page.
    const tight = run({ numGpuBlocks: 4, maxModelLen: 512, schedulerReserveFullIsl: false });
    expect(roomy.preemptions).toBe(0);
    expect(tight.preemptions).toBeGreaterThan(0);
    expect(tight.resumed).toBe(true);
    expect(tight.out).toEqual(roomy.out);
  }, 120_000);
});

describe('seeded sampling', () => {
  it('is position-keyed: n-gram speculation keeps the tokens; another seed changes them', () => {
    const a = runWorkload({}, { temperature: 0.8 }, 10);
    const b = runWorkload({ speculative: { method: 'ngram', numSpeculativeTokens: 2 } }, { temperature: 0.8 }, 10);
    const c = runWorkload({ seed: 4 }, { temperature: 0.8 }, 10);
    expect(b.outputs).toEqual(a.outputs);
    expect(c.outputs).not.toEqual(a.outputs);
    expect(a.outputs).not.toEqual(base.outputs);
  }, 90_000);
});
