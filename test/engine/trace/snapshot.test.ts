import { describe, expect, it } from 'vitest';
import { createEngine, restoreEngine } from '../../../engine/api/create-engine';
import { EngineError } from '../../../engine/base/errors';
import type { Engine } from '../../../engine/api/engine';
import { randomWorkload } from '../invariants/workloads';

function remaining(e: Engine): string {
  return JSON.stringify(e.run());
}

describe('snapshot / restore', () => {
  it('continues with a byte-identical trace after a JSON round trip (many seeded workloads, both loops)', () => {
    let checked = 0;
    for (let seed = 0; seed < 60; seed++) {
      const w = randomWorkload(40_000 + seed);
      const a = createEngine(w.config);
      for (const r of w.requests) a.addRequest(r);
      const cut = 1 + (seed % 7);
      for (let i = 0; i < cut && a.hasWork(); i++) a.step();
      const snap = JSON.parse(JSON.stringify(a.snapshot()));
      const b = restoreEngine(snap);
      expect(JSON.stringify(b.snapshot()), `seed ${seed}`).toBe(JSON.stringify(a.snapshot()));
      const ra = remaining(a);
      const rb = remaining(b);
      expect(rb, `seed ${seed}`).toBe(ra);
      expect(JSON.stringify(b.requests)).toBe(JSON.stringify(a.requests));
      checked++;
    }
    expect(checked).toBe(60);
  });

  it('engine.restore rewinds the same engine; the replay equals the original continuation', () => {
    const e = createEngine({ asyncScheduling: true, speculative: { method: 'mtp', numSpeculativeTokens: 2 }, blockSize: 4, numGpuBlocks: 40, maxModelLen: 64, maxNumSeqs: 4, maxNumBatchedTokens: 24 });
    for (let i = 0; i < 6; i++) e.addRequest({ promptLen: 10 + 3 * i, maxTokens: 12, ignoreEos: true, arrivalTime: i * 3000 });
    e.run({ until: 3 });
    const snap = e.snapshot();
    expect(snap.inFlight.length).toBeGreaterThan(0);
    const first = remaining(e);
    e.restore(snap);
    expect(remaining(e)).toBe(first);
  });

  it('carries aborts not yet reported', () => {
    const e = createEngine({ blockSize: 4, numGpuBlocks: 40, maxModelLen: 64, maxNumSeqs: 4, maxNumBatchedTokens: 24 });
    e.addRequest({ requestId: 'a', promptLen: 5, maxTokens: 9 });
    e.addRequest({ requestId: 'b', promptLen: 5, maxTokens: 9 });
    e.step();
    e.abort('a');
    const b = restoreEngine(JSON.parse(JSON.stringify(e.snapshot())));
    expect(b.step().finishedReqIds).toEqual(['a']);
    expect(JSON.stringify(b.run())).toBe(JSON.stringify((e.step(), e.run())));
  });

  it('rejects something that is not a snapshot', () => {
    expect(() => restoreEngine({ version: 99 } as never)).toThrow(EngineError);
  });
});
