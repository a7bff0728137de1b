import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../engine/api/create-engine';
import { randomWorkload } from '../invariants/workloads';

describe('sync and async loops agree', () => {
  it('produce the same tokens for every request for the same seed and workload', () => {
    let compared = 0;
    for (let seed = 0; seed < 200; seed++) {
      const base = randomWorkload(30_000 + seed, { allowNgram: false });
      const outs = [false, true].map((asyncScheduling) => {
        const e = createEngine({ ...base.config, asyncScheduling });
        for (const r of base.requests) e.addRequest(r);
        e.run();
        return e.requests.map((r) => [r.requestId, r.outputTokenIds, r.finishReason]);
      });
      expect(outs[1], `seed ${seed}`).toEqual(outs[0]);
      compared += outs[0]!.length;
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('with MTP k=3 and synthetic acceptance both loops emit the same tokens', () => {
    const mk = (asyncScheduling: boolean) => {
      const e = createEngine({ asyncScheduling, speculative: { method: 'mtp', numSpeculativeTokens: 3 }, blockSize: 4, numGpuBlocks: 257, maxModelLen: 128, maxNumBatchedTokens: 64, maxNumSeqs: 8 });
      for (let i = 0; i < 8; i++) e.addRequest({ promptLen: 12, maxTokens: 40, ignoreEos: true });
      e.run();
      return e;
    };
    const s = mk(false);
    const a = mk(true);
    expect(a.requests.map((r) => r.outputTokenIds)).toEqual(s.requests.map((r) => r.outputTokenIds));
    expect(a.stats.numGeneratedTokens).toBe(s.stats.numGeneratedTokens);
  });
});
