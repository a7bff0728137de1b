/**
 * The hybrid hang and its fix: full-attention and sliding-window groups draw from ONE block
 * pool, so a pool that holds one max-length request in the full-attention group alone passes a
 * full-attention-only check and then admits nothing (the request waits forever with blocks
 * free). Validation now sums every group, with vLLM's `max_memory_usage_bytes` arithmetic in
 * blocks, and a pool of exactly that size runs a max-length request to the end.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../engine/base/errors';
import { resolveConfig } from '../../../engine/config/validate';
import { createEngine } from '../../../engine/api/create-engine';
import { createRequests, createScheduler, kvCacheFit, oneTokenEach } from '../../../engine/testing/index';

const hybrid = { blockSize: 4, maxModelLen: 32, maxNumSeqs: 2, maxNumBatchedTokens: 32, attention: { kind: 'hybrid' as const, slidingWindow: 8 } };

describe('hybrid KV-cache fit', () => {
  it('reproduces the hang: 8 usable blocks hold 32 tokens of full attention, but the request needs 17 blocks', () => {
    const s = createScheduler({ ...hybrid, numBlocks: 9, config: hybrid });
    const [r] = createRequests({ numRequests: 1, numTokens: 30, maxTokens: 2 });
    s.addRequest(r!);
    for (let i = 0; i < 50; i++) {
      const o = s.schedule();
      expect(o.totalNumScheduledTokens).toBe(0);
      s.updateFromOutput(o, oneTokenEach(o));
    }
    expect(s.waiting.toArray()).toEqual([r]);
    expect(s.kv.pool.numFreeBlocks).toBe(8);
  });

  it('validation rejects that pool with the arithmetic of both groups', () => {
    let err: unknown;
    try {
      resolveConfig({ ...hybrid, numGpuBlocks: 9 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([{
      path: 'numGpuBlocks',
      message: '8 usable blocks (numGpuBlocks 9 − the null block) cannot hold one request of maxModelLen 32: the full-attention group needs '
        + 'ceil(32 / 4) = 8 blocks; the sliding-window group (window 8) needs ceil(min(8 − 1 + 32, 32) / 4) + 1 = 9 blocks, 17 in all from the '
        + 'one shared pool. Raise numGpuBlocks to at least 18 (memory) or lower maxModelLen (the largest maxModelLen these blocks hold is 12).',
    }]);
    expect(() => resolveConfig({ ...hybrid, numGpuBlocks: 17 })).toThrowError(/at least 18/);
    expect(resolveConfig({ ...hybrid, numGpuBlocks: 18 }).numGpuBlocks).toBe(18);
  });

  it('at exactly the minimum a max-length hybrid request runs to the end, alone and with company', () => {
    for (const n of [1, 2]) {
      const e = createEngine({ ...hybrid, numGpuBlocks: 18 }, { costModel: null });
      for (let i = 0; i < n; i++) e.addRequest({ requestId: `r${i}`, promptLen: 31 - i, maxTokens: 1 + i, ignoreEos: true });
      e.run({ maxSteps: 500 });
      expect(e.requests.map((r) => r.finishReason)).toEqual(new Array(n).fill('length'));
      expect(e.kvUsage.numUsedBlocks).toBe(0);
    }
  });

  it('the estimate is the largest length that fits; MTP lookahead slots widen the window span', () => {
    const p = { numGpuBlocks: 9, blockSize: 4, maxModelLen: 32, maxNumBatchedTokens: 32, numLookaheadTokens: 0, groups: [{ slidingWindow: null }, { slidingWindow: 8 }] };
    const fit = kvCacheFit(p);
    expect([fit.numBlocksNeeded, fit.numUsableBlocks, fit.fits, fit.estimatedMaxModelLen]).toEqual([17, 8, false, 12]);
    expect(kvCacheFit({ ...p, maxModelLen: 12 }).fits).toBe(true);
    expect(kvCacheFit({ ...p, maxModelLen: 13 }).fits).toBe(false);
    // A window group alone: ceil(min(7 + 8 + 3, 100) / 2) + 1 = 10 blocks with k = 3 drafts, 9 without.
    const w = { numGpuBlocks: 11, blockSize: 2, maxModelLen: 100, maxNumBatchedTokens: 8, groups: [{ slidingWindow: 8 }] };
    expect(kvCacheFit({ ...w, numLookaheadTokens: 3 }).groups[0]!.numBlocks).toBe(10);
    expect(kvCacheFit({ ...w, numLookaheadTokens: 0 }).groups[0]!.numBlocks).toBe(9);
    expect(() => resolveConfig({ blockSize: 2, maxModelLen: 100, maxNumBatchedTokens: 8, maxNumSeqs: 4, numGpuBlocks: 10, attention: { kind: 'sliding_window', slidingWindow: 8 },
      speculative: { method: 'mtp', numSpeculativeTokens: 3 } })).toThrowError(/\+ 3, 100\) \/ 2\) \+ 1 = 10/);
  });
});
