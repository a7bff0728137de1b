import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../engine/api/create-engine';
import { maxNumScheduledTokens } from '../../../engine/config/engine-config';
import { resolveConfig } from '../../../engine/config/validate';
import { EngineCore } from '../../../engine/core/engine-core';
import { Scheduler } from '../../../engine/sched/scheduler';
import { buildRequest } from '../../../engine/api/add-request';
import { SyntheticExecutor } from '../../../engine/runner/synthetic-executor';
import { PerPositionAcceptance } from '../../../engine/spec-decode/acceptance-model';
import { check, checkStepRecord } from './step-checks';
import { tightWorkload } from './tight-workloads';

const NUM_SEEDS = 1200;


describe(`${NUM_SEEDS} seeded workloads on the smallest valid pools (hybrid included)`, () => {
  it('every request finishes or is aborted, and the invariants hold after every step', () => {
    const seen = { hybrid: 0, sliding_window: 0, full: 0 };
    let steps = 0;
    let preemptions = 0;
    let forcedResets = 0;
    let aborted = 0;
    for (let seed = 0; seed < NUM_SEEDS; seed++) {
      const w = tightWorkload(seed);
      seen[w.attention]++;
      const engine = createEngine(w.config, { costModel: null });
      const cfg = engine.config;
      const budget = maxNumScheduledTokens(cfg);
      for (const r of w.requests) engine.addRequest(r);
      let i = 0;
      while (engine.hasWork()) {
        for (const ev of w.events) {
          if (ev.step !== i) continue;
          if (ev.kind === 'abort') aborted += engine.abort(ev.id).length;
          else if (ev.force) {
            check(engine.resetPrefixCache({ resetRunningRequests: true }), 'forced reset failed');
            check(engine.kvUsage.numCachedBlocks === 0, 'cache not empty after a forced reset');
            forcedResets++;
          } else engine.resetPrefixCache();
        }
        const rec = engine.step();
        i++;
        try {
          engine.checkInvariants();
          checkStepRecord(rec, cfg, budget);
        } catch (e) {
          throw new Error(`seed ${seed}, step ${rec.step}: ${(e as Error).message}`);
        }
        if (i > 3000) throw new Error(`seed ${seed} did not finish: waiting ${engine.waiting.map((r) => r.requestId)}, free ${engine.kvUsage.numFreeBlocks}`);
      }
      steps += i;
      preemptions += engine.stats.numPreemptions;
      for (const r of engine.requests) expect(r.finishReason, `seed ${seed} ${r.requestId}`).not.toBeNull();
      expect(engine.kvUsage.numUsedBlocks, `seed ${seed}`).toBe(0);
    }
    // The generator must reach the hard cases.
    expect(seen.hybrid).toBeGreaterThan(400);
    expect(seen.sliding_window).toBeGreaterThan(150);
    expect(preemptions).toBeGreaterThan(400);
    expect(forcedResets).toBeGreaterThan(50);
    expect(aborted).toBeGreaterThan(50);
    expect(steps).toBeGreaterThan(10_000);
  });
});

describe('the same hybrid workloads on the pools the old full-attention-only check accepted', () => {
  it('validation now rejects every one of them, and without it most never finish', () => {
    let hybrid = 0;
    let hung = 0;
    for (let seed = 0; seed < 400; seed++) {
      const w = tightWorkload(seed);
      if (w.attention !== 'hybrid') continue;
      hybrid++;
      const c = resolveConfig(w.config);
      const old = { ...w.config, numGpuBlocks: Math.ceil(c.maxModelLen / c.blockSize) + 1 };
      expect(() => resolveConfig(old), `seed ${seed}`).toThrowError(/shared pool/);
      const cfg = resolveConfig(old, { checkKvCacheFit: false });
      const core = new EngineCore(cfg, new Scheduler(cfg), new SyntheticExecutor({
        seed: cfg.seed, vocabSize: cfg.synthetic.vocabSize, acceptance: new PerPositionAcceptance(cfg.synthetic.acceptanceRates), proposer: null,
      }));
      w.requests.forEach((r, i) => core.addRequest(buildRequest(r, cfg, i, 0)));
      for (let i = 0; i < 1000 && core.hasWork(); i++) core.step();
      if (core.hasWork()) hung++;
    }
    expect(hybrid).toBeGreaterThan(150);
    expect(hung / hybrid).toBeGreaterThan(0.8);
  });
});
