/**
 * Engine snapshots of the numeric engine carry the executor's device state and every written
 * cache page: a fresh engine restored from a snapshot (through JSON and through the snapshot
 * file codec) continues with the same step trace and the same cache bytes.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../engine/base/errors';
import { decodeSnapshotFile, encodeSnapshotFile } from '../../../engine/io/snapshot-file';
import { createNumericEngine, restoreNumericEngine } from '../../../engine/api/numeric-engine';
import { NumericExecutor } from '../../../engine/runner/numeric-executor';
import type { StepRecord } from '../../../engine/trace/step-record';
import { prompt } from './workload';

function start() {
  const ne = createNumericEngine({ seed: 11, maxNumBatchedTokens: 128, speculative: { method: 'ngram', numSpeculativeTokens: 2 } }, { keepSteps: 2 });
  ne.engine.addRequest({ requestId: 'a', promptTokenIds: prompt(150, 3), maxTokens: 12 });
  ne.engine.addRequest({ requestId: 'b', promptTokenIds: prompt(40, 4), maxTokens: 12 });
  return ne;
}

const strip = (r: StepRecord[]): string => JSON.stringify(r);

describe('numeric engine snapshots', () => {
  it('a restored engine continues the trace exactly', () => {
    const whole = start();
    const full = whole.engine.run();
    const cut = start();
    const head: StepRecord[] = [];
    for (let i = 0; i < 4; i++) head.push(cut.engine.step());
    const snap = JSON.parse(JSON.stringify(cut.engine.snapshot()));
    const viaFile = decodeSnapshotFile(encodeSnapshotFile(cut.engine.snapshot())).value;
    const restored = restoreNumericEngine(snap, { keepSteps: 2 });
    const restored2 = restoreNumericEngine(viaFile as typeof snap, { keepSteps: 2 });
    const tail = restored.engine.run();
    expect(strip([...head, ...tail])).toBe(strip(full));
    expect(strip(restored2.engine.run())).toBe(strip(tail));
    expect(strip(cut.engine.run())).toBe(strip(tail));
    expect(restored.engine.request('a').outputTokenIds).toEqual(whole.engine.request('a').outputTokenIds);
    // Same cache bytes at the same slots in the end.
    for (let layer = 0; layer < 4; layer++) {
      for (const blockId of [1, 2, 3]) {
        expect(restored.inspector.block({ layer, blockId }).pageBytes).toEqual(whole.inspector.block({ layer, blockId }).pageBytes);
      }
    }
    const idx = restored.inspector.block({ layer: 1, blockId: 1, cache: 'indexer' }).pageBytes;
    expect(idx.some((x) => x !== 0)).toBe(true);
    expect(idx).toEqual(whole.inspector.block({ layer: 1, blockId: 1, cache: 'indexer' }).pageBytes);
  }, 120_000);

  it('an async engine with MTP drafts on the device restores mid-run with an in-flight batch', () => {
    const make = () => {
      const ne = createNumericEngine({ seed: 12, asyncScheduling: true, speculative: { method: 'mtp', numSpeculativeTokens: 2 } }, { keepSteps: 0 });
      ne.engine.addRequest({ requestId: 'x', promptTokenIds: prompt(30, 5), maxTokens: 10 });
      ne.engine.addRequest({ requestId: 'y', promptTokenIds: prompt(17, 6), maxTokens: 10 });
      return ne;
    };
    const whole = make().engine.run();
    const cut = make();
    const head: StepRecord[] = [];
    for (let i = 0; i < 3; i++) head.push(cut.engine.step());
    expect(cut.engine.snapshot().inFlight.length).toBeGreaterThan(0);
    const restored = restoreNumericEngine(JSON.parse(JSON.stringify(cut.engine.snapshot())), { keepSteps: 0 });
    expect(strip([...head, ...restored.engine.run()])).toBe(strip(whole));
  }, 60_000);

  it('rejects malformed executor state with a named error', () => {
    const { engine } = start();
    engine.step();
    const ex = (engine.internals as unknown as { executor: NumericExecutor }).executor;
    const real = ex instanceof NumericExecutor ? ex : null;
    const target = real ?? new NumericExecutor({ model: (createNumericEngine().inspector as unknown as { executor: () => NumericExecutor }).executor().model.config, seed: 0, numPages: 4, maxModelLen: 512, temperature: 0, numSpeculativeTokens: 0, draftMethod: 'mtp', returnDrafts: true, keepSteps: 0, numTopLogits: 1 });
    for (const bad of [null, [], { device: 3 }, { device: [['a']], caches: [] }, { device: [], caches: [[0, 'token', 99, '']] }, { device: [], caches: [[0, 'token', 0, '!!']] }, { device: [], caches: [[0, 'nope', 0, '']] }]) {
      expect(() => target.restoreState(bad as never)).toThrow(EngineError);
    }
  });
});
