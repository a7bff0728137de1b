import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../engine/api/create-engine';
import { maxNumScheduledTokens } from '../../../engine/config/engine-config';
import { check, checkStepRecord } from './step-checks';
import { randomWorkload } from './workloads';

const NUM_WORKLOADS = 1200;


describe(`invariants after every step over ${NUM_WORKLOADS} seeded workloads`, () => {
  it('ref counts = block-table references, free + used = total, hashed blocks hold their hash, budgets hold', () => {
    let steps = 0;
    let preemptions = 0;
    let hits = 0;
    let specSteps = 0;
    for (let seed = 0; seed < NUM_WORKLOADS; seed++) {
      const w = randomWorkload(seed, { allowAborts: true });
      const engine = createEngine(w.config);
      const cfg = engine.config;
      const budget = maxNumScheduledTokens(cfg);
      for (const r of w.requests) engine.addRequest(r);
      let i = 0;
      while (engine.hasWork()) {
        for (const [at, id] of w.aborts) if (at === i) engine.abort(id);
        const rec = engine.step();
        i++;
        try {
          engine.checkInvariants();
          checkStepRecord(rec, cfg, budget);
          for (const x of rec.schedule?.requests ?? []) if (x.numSpecTokens > 0) specSteps++;
          if (seed % 10 === 0) check(JSON.stringify(JSON.parse(JSON.stringify(rec))) === JSON.stringify(rec), 'record is not plain JSON');
        } catch (e) {
          throw new Error(`workload seed ${seed}, step ${rec.step}: ${(e as Error).message}`);
        }
        if (i > 5000) throw new Error(`workload seed ${seed} did not finish`);
      }
      for (const r of engine.requests) {
        expect(r.finishReason, `seed ${seed} ${r.requestId}`).not.toBeNull();
        expect(r.numOutputTokens).toBeLessThanOrEqual(r.maxTokens);
      }
      expect(engine.kvUsage.numUsedBlocks).toBe(0);
      steps += i;
      preemptions += engine.stats.numPreemptions;
      hits += engine.stats.prefixCacheHits;
    }
    // The generator must actually exercise the interesting paths.
    expect(steps).toBeGreaterThan(10_000);
    expect(preemptions).toBeGreaterThan(100);
    expect(hits).toBeGreaterThan(1000);
    expect(specSteps).toBeGreaterThan(1000);
  });
});
