import { describe, expect, it } from 'vitest';
import { EngineCostModel, type EngineCostModelOptions } from '../../../engine/cost/index';
import { makeBatch } from './make-batch';

const OPTS: EngineCostModelOptions = {
  model: 'deepseek-r1', hardware: 'B200', tensorParallelSize: 8, numSpecTokens: 3, kvCacheDtype: 'fp8', cudagraphMode: 'FULL_AND_PIECEWISE',
  attentionBackend: 'FLASHINFER_MLA', maxNumSeqs: 1024, maxNumBatchedTokens: 8192, maxCaptureSize: 2048, asyncScheduling: false,
};

const batch = (batchId: number, rows: { id: string; n: number; kind?: 'new' | 'running' }[]) => makeBatch(batchId, rows);

describe('EngineCostModel (the engine step-time plug-in)', () => {
  it('records graph mode, padding and a step time that is GPU + host in sync mode', () => {
    const m = new EngineCostModel(OPTS);
    const us = m.stepTimeUs(batch(0, [{ id: 'a', n: 4, kind: 'new' }, { id: 'b', n: 4, kind: 'new' }]));
    const r = m.records[0]!;
    expect(r).toMatchObject({ batchId: 0, graphMode: 'FULL', numTokens: 8, numTokensPadded: 8, uniformDecode: true, numReadded: 0 });
    expect(us).toBeCloseTo(r.gpuUs + r.hostUs, 6);
  });

  it('detects running requests absent from the previous batch as re-added (extra host time)', () => {
    const m = new EngineCostModel(OPTS);
    m.stepTimeUs(batch(0, [{ id: 'a', n: 4 }, { id: 'b', n: 4 }]));
    m.stepTimeUs(batch(1, [{ id: 'a', n: 4 }]));
    m.stepTimeUs(batch(2, [{ id: 'a', n: 4 }, { id: 'b', n: 2 }]));
    expect(m.records.map((r) => r.numReadded)).toEqual([2, 0, 1]);
    expect(m.records[2]!.graphMode).toBe('PIECEWISE');
    const fresh = new EngineCostModel(OPTS);
    fresh.stepTimeUs(batch(0, [{ id: 'a', n: 4 }, { id: 'b', n: 2 }]));
    fresh.stepTimeUs(batch(1, [{ id: 'a', n: 4 }, { id: 'b', n: 2 }]));
    expect(m.records[2]!.hostUs).toBeGreaterThan(fresh.records[1]!.hostUs);
  });

  it('async zero-bubble is never slower than sync for the same batch; empty batches cost nothing', () => {
    const rows = Array.from({ length: 128 }, (_, i) => ({ id: `r${i}`, n: 4 }));
    const sync = new EngineCostModel(OPTS).stepTimeUs(batch(0, rows));
    const zb = new EngineCostModel({ ...OPTS, asyncScheduling: true }).stepTimeUs(batch(0, rows));
    const old = new EngineCostModel({ ...OPTS, asyncScheduling: true, asyncSpecHostSync: 'sync_24799' }).stepTimeUs(batch(0, rows));
    expect(zb).toBeLessThan(old);
    expect(old).toBeLessThan(sync);
    expect(new EngineCostModel(OPTS).stepTimeUs(batch(0, []))).toBe(0);
  });
});
