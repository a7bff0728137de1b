/**
 * The worker_threads head runner (bench/sparse-mla-threads.ts) over the shared kernel memory:
 * results must be bit-identical to the single-thread runner (heads are independent, each head's
 * arithmetic is the same code in the same order), for several thread counts and problem shapes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createThreadedHeadRunner, type ThreadedHeadRunner } from '../../../bench/sparse-mla-threads';
import { randomSparseMlaProblem } from '../../../engine/attention/fast/agreement';
import { setSparseMlaHeadRunner } from '../../../engine/attention/fast/head-runner';
import { sparseMlaAttentionFast } from '../../../engine/attention/fast/sparse-mla-fast';

const runners: ThreadedHeadRunner[] = [];
afterAll(async () => {
  setSparseMlaHeadRunner(null);
  await Promise.all(runners.map((r) => r.close()));
});

describe('threaded head runner', () => {
  it.each([2, 3])('%i threads give the single-thread bits on V4-shaped and odd-shaped problems', async (threads) => {
    const runner = await createThreadedHeadRunner(threads);
    runners.push(runner);
    for (const p of [randomSparseMlaProblem(41, 5, 64, 512, [300, 128]), randomSparseMlaProblem(42, 9, 6, 24, [17, 5])]) {
      setSparseMlaHeadRunner(null);
      const one = sparseMlaAttentionFast(p);
      setSparseMlaHeadRunner(runner);
      const many = sparseMlaAttentionFast(p);
      expect(many.path).toBe(one.path);
      expect(Buffer.from(many.out.buffer).equals(Buffer.from(one.out.buffer))).toBe(true);
      many.lse.forEach((l, j) => expect(Array.from(l)).toEqual(Array.from(one.lse[j]!)));
    }
  });

  it('rejects a bad thread count', async () => {
    await expect(createThreadedHeadRunner(0)).rejects.toThrow(/numThreads/);
  });
});
