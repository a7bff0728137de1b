/**
 * The tiny model's KV entries are real fp8_ds_mla entries at the KV manager's slots, its
 * candidate lists follow the V4 rules, and its attention output equals C's dense reference over
 * the same (dequantised) cache; the inspector reports all of it as plain values.
 */
import { describe, expect, it } from 'vitest';
import { denseSinkAttentionReference } from '../../../engine/attention/dense-reference';
import { candidateLists } from '../../../engine/attention/candidate-list';
import { V4_SOFTMAX_SCALE } from '../../../engine/attention/v4-candidates';
import { ConfigError, EngineError } from '../../../engine/base/errors';
import { createNumericEngine } from '../../../engine/api/numeric-engine';
import { proposeNgramDrafts } from '../../../engine/model/ngram-proposer';
import { dequantizeEntryV4 } from '../../../engine/quant/v4-entry';
import { dequantizeSlotsV4 } from '../../../engine/quant/v4-paged-cache';
import { prompt } from './workload';

const H = 4;
const D = 512;

function setup() {
  const ne = createNumericEngine({ seed: 9, maxNumBatchedTokens: 96 }, { keepSteps: 64 });
  ne.engine.addRequest({ requestId: 'long', promptTokenIds: prompt(140, 1), maxTokens: 6 });
  ne.engine.addRequest({ requestId: 'short', promptTokenIds: prompt(21, 2), maxTokens: 6 });
  return ne;
}

describe('numeric engine caches and attention', () => {
  it('writes each token at blockTable[pos div 256]·256 + pos mod 256 and matches the dense reference', () => {
    const { engine, inspector } = setup();
    const model = () => inspector;
    let checkedRows = 0;
    let checkedC4aSelections = 0;
    let sawC128a = false;
    const tables = new Map<string, number[]>();
    while (engine.hasWork()) {
      const rec = engine.step();
      const batchId = rec.schedule?.batchId;
      if (batchId === undefined) continue;
      // Block tables as the KV manager handed them out (whole list for new, appended for running).
      for (const s of rec.schedule!.requests) tables.set(s.reqId, s.kind === 'running' ? [...tables.get(s.reqId)!, ...s.newBlockIds] : s.newBlockIds.slice());
      const r = model().record(batchId);
      for (let row = 0; row < r.tokens.length; row++) {
        const tok = r.tokens[row]!;
        const bt = tables.get(tok.reqId)!;
        const expectedSlot = bt[Math.floor(tok.pos / 256)]! * 256 + (tok.pos % 256);
        for (let layer = 0; layer < r.traces.length; layer++) {
          const tr = r.traces[layer]![row]!;
          expect(tr.slot).toBe(expectedSlot);
          const view = inspector.slot({ layer, slot: tr.slot });
          expect(view.bytes).toEqual(Array.from(tr.entry));
          expect(view.values).toEqual(Array.from(dequantizeEntryV4(tr.entry)));
          // SWA candidates: the last min(pos+1, 128) positions, oldest first, through the block table.
          const swa = tr.subsets.find((s) => s.name === 'swa')!;
          const n = Math.min(tok.pos + 1, 128);
          expect(swa.len).toBe(n);
          expect(Array.from(swa.slots.subarray(0, n))).toEqual(Array.from({ length: n }, (_, i) => {
            const p = tok.pos - n + 1 + i;
            return bt[Math.floor(p / 256)]! * 256 + (p % 256);
          }));
          const ratio = [1, 4, 128, 4][layer]!;
          const comp = tr.subsets.find((s) => s.name === 'compressed');
          expect(comp === undefined).toBe(ratio === 1);
          const nVis = Math.floor((tok.pos + 1) / ratio);
          if (ratio === 128) {
            expect(comp!.len).toBe(nVis);
            if (nVis > 0) sawC128a = true;
          }
          if (ratio === 4) {
            const ix = tr.indexer!;
            expect(ix.numVisible).toBe(nVis);
            const chosen = Array.from(ix.localTopk).filter((j) => j >= 0);
            expect(chosen.length).toBe(Math.min(nVis, 8));
            if (nVis > 8) {
              // The chosen entries are the 8 largest logits of the visible range.
              const sorted = Array.from(ix.logits.subarray(0, nVis)).sort((a, b) => b - a);
              expect(chosen.map((j) => ix.logits[j]!).sort((a, b) => b - a)).toEqual(sorted.slice(0, 8));
              checkedC4aSelections++;
            }
            expect(Array.from(comp!.slots.subarray(0, comp!.len)).filter((s) => s >= 0)).toEqual(chosen.map((j) => bt[Math.floor(j / 64)]! * 64 + (j % 64)));
          }
          // Dense reference over the same cache: dequantise the listed slots independently.
          const caches = inspectorCaches(inspector, layer);
          const subsets = tr.subsets.map((s) => {
            const cache = s.name === 'swa' ? caches.token : caches.compressed!;
            const valid = Array.from(s.slots.subarray(0, s.len)).filter((x) => x >= 0);
            return { kv: dequantizeSlotsV4(cache.bytes, valid, cache.layout), candidates: candidateLists([valid.map((_, i) => i)]) };
          });
          const ref = denseSinkAttentionReference({ q: tr.q, subsets, sink: engineSink(inspector, layer), numHeads: H, headDim: D, scale: V4_SOFTMAX_SCALE });
          let maxErr = 0;
          for (let i = 0; i < H * D; i++) maxErr = Math.max(maxErr, Math.abs(ref.out[i]! - tr.out[i]!));
          expect(maxErr).toBeLessThan(1e-12);
          checkedRows++;
        }
      }
    }
    expect(checkedRows).toBeGreaterThan(600);
    expect(checkedC4aSelections).toBeGreaterThan(100);
    expect(sawC128a).toBe(true);
  }, 120_000);

  it('inspects a token, its subsets, the indexer and the sampled logits as plain values', () => {
    const { engine, inspector } = setup();
    engine.run();
    const last = inspector.steps.filter((b) => inspector.record(b).tokens.some((t) => t.reqId === 'long')).at(-1)!;
    const rec = inspector.record(last);
    const tok = rec.tokens.find((t) => t.reqId === 'long')!;
    const v = inspector.token({ batchId: last, reqId: 'long', pos: tok.pos, layer: 1, head: 2 });
    expect(v.ratio).toBe(4);
    expect(v.head).toBe(2);
    expect(v.entryBytes).toHaveLength(584);
    expect(v.candidates.map((c) => c.name)).toEqual(['compressed', 'swa']);
    expect(v.indexer!.topk).toHaveLength(8);
    for (let i = 1; i < 8; i++) expect(v.indexer!.topk[i - 1]!.score).toBeGreaterThanOrEqual(v.indexer!.topk[i]!.score);
    expect(v.subsets.map((s) => s.out!.length)).toEqual([512, 512]);
    // Merged = LSE-weighted subsets with the sink in the denominator (sparse-mla.md §2.6).
    const [c, s] = v.subsets;
    const M = Math.max(c!.lse, s!.lse, v.sink);
    const wc = Math.exp(c!.lse - M);
    const ws = Math.exp(s!.lse - M);
    const den = wc + ws + Math.exp(v.sink - M);
    for (const d of [0, 100, 447, 448, 511]) expect(v.out[d]!).toBeCloseTo((wc * c!.out![d]! + ws * s!.out![d]!) / den, 12);
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
    const sampled = inspector.sampled({ batchId: last, reqId: 'long' });
    expect(sampled).toHaveLength(1);
    expect(sampled[0]!.topLogits[0]!.tokenId).toBe(sampled[0]!.tokenId);
    expect(engine.request('long').outputTokenIds.at(-1)).toBe(sampled[0]!.tokenId);
    const blk = inspector.block({ layer: 2, blockId: v.slot >> 8, cache: 'compressed' });
    expect(blk.entries).toHaveLength(2);
    // The 140-token request completed C128A entry 0 of its first page: a non-zero 584-byte entry.
    expect(blk.entries[0]!.bytes.some((b) => b !== 0)).toBe(true);
    expect(blk.pageBytes.length).toBeGreaterThanOrEqual(2 * 584);
    const idx = inspector.slot({ layer: 1, slot: v.indexer!.topk[0]!.slot, cache: 'indexer' });
    expect(idx.bytes).toHaveLength(132);
    expect(idx.values).toHaveLength(128);
  }, 60_000);

  it('names the argument of every bad inspection request', () => {
    const { engine, inspector } = setup();
    engine.step();
    const b = inspector.steps[0]!;
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        return (e as EngineError).argument!;
      }
      throw new Error('no error');
    };
    expect(err(() => inspector.token({ batchId: 99, reqId: 'long', pos: 0, layer: 0 }))).toBe('batchId');
    expect(err(() => inspector.token({ batchId: b, reqId: 'long', pos: 10_000, layer: 0 }))).toBe('pos');
    expect(err(() => inspector.token({ batchId: b, reqId: 'long', pos: 0, layer: 4 }))).toBe('layer');
    expect(err(() => inspector.token({ batchId: b, reqId: 'long', pos: 0, layer: 0, head: 4 }))).toBe('head');
    expect(err(() => inspector.slot({ layer: 0, slot: -1 }))).toBe('slot');
    expect(err(() => inspector.slot({ layer: 0, slot: 0, cache: 'compressed' }))).toBe('cache');
    expect(err(() => inspector.block({ layer: 1, blockId: 1e9 }))).toBe('blockId');
  });
});

describe('fast attention path', () => {
  it('keeps the correctness links and stays within fp32 error of the reference; subsets keep only LSEs', () => {
    const run = (config: Parameters<typeof createNumericEngine>[0], keepSteps = 0) => {
      const ne = createNumericEngine({ seed: 9, ...config }, { attention: 'fast', keepSteps });
      ne.engine.addRequest({ requestId: 'long', promptTokenIds: prompt(140, 1), maxTokens: 8 });
      ne.engine.addRequest({ requestId: 'short', promptTokenIds: prompt(21, 2), maxTokens: 8 });
      const records = ne.engine.run();
      return { ne, records, out: ['long', 'short'].map((id) => ne.engine.request(id).outputTokenIds.slice()) };
    };
    const plain = run({}, 64);
    expect(run({ maxNumBatchedTokens: 64 }).out).toEqual(plain.out);
    expect(run({ speculative: { method: 'ngram', numSpeculativeTokens: 2 } }).out).toEqual(plain.out);
    const { inspector } = plain.ne;
    const b = inspector.steps.filter((x) => inspector.record(x).tokens.length > 0).at(-1)!;
    const row = inspector.record(b).tokens[0]!;
    const v = inspector.token({ batchId: b, reqId: row.reqId, pos: row.pos, layer: 3 });
    expect(v.subsets.every((s) => s.out === null && Number.isFinite(s.lse))).toBe(true);
    // The fp32 merged output agrees with the float64 dense reference over the same cache.
    const tr = inspector.record(b).traces[3]![0]!;
    const caches = inspectorCaches(inspector, 3);
    const subsets = tr.subsets.map((s) => {
      const cache = s.name === 'swa' ? caches.token : caches.compressed!;
      const valid = Array.from(s.slots.subarray(0, s.len)).filter((x) => x >= 0);
      return { kv: dequantizeSlotsV4(cache.bytes, valid, cache.layout), candidates: candidateLists([valid.map((_, i) => i)]) };
    });
    const ref = denseSinkAttentionReference({ q: tr.q, subsets, sink: engineSink(inspector, 3), numHeads: H, headDim: D, scale: V4_SOFTMAX_SCALE });
    let maxErr = 0;
    let maxRef = 0;
    for (let i = 0; i < H * D; i++) {
      maxErr = Math.max(maxErr, Math.abs(ref.out[i]! - tr.out[i]!));
      maxRef = Math.max(maxRef, Math.abs(ref.out[i]!));
    }
    expect(maxErr).toBeLessThan(1e-5 * Math.max(1, maxRef));
    expect(maxErr).toBeGreaterThan(0); // really the fp32 path, not the float64 one
  }, 120_000);
});

describe('numeric engine configuration', () => {
  it('rejects a non-256 page, a sliding-window spec, a foreign drafter and a bad temperature', () => {
    const paths = (f: () => unknown): string[] => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues.map((i) => i.path);
      }
      throw new Error('no error');
    };
    expect(paths(() => createNumericEngine({ blockSize: 512 }))).toContain('blockSize');
    expect(paths(() => createNumericEngine({ attention: { kind: 'sliding_window', slidingWindow: 128 } }))).toContain('attention');
    expect(paths(() => createNumericEngine({ speculative: { method: 'eagle', numSpeculativeTokens: 1 } }))).toContain('speculative.method');
    expect(paths(() => createNumericEngine({}, { temperature: -1 }))).toContain('temperature');
    expect(paths(() => createNumericEngine({}, { attention: 'gpu' as never }))).toContain('attention');
    expect(paths(() => createNumericEngine({}, { model: { compressRatios: [1, 8] } }))).toContain('model.compressRatios[1]');
  });

  it('defaults to a 32-token step budget (16 sequences) that grows with maxNumSeqs; overrides win', () => {
    const { engine } = createNumericEngine({ seed: 1 });
    expect(engine.config.maxNumBatchedTokens).toBe(32);
    expect(engine.config.maxNumSeqs).toBe(16);
    expect(createNumericEngine({ maxNumSeqs: 48 }).engine.config.maxNumBatchedTokens).toBe(48);
    expect(createNumericEngine({ maxNumBatchedTokens: 256 }).engine.config.maxNumBatchedTokens).toBe(256);
    engine.addRequest({ requestId: 'a', promptTokenIds: prompt(70, 1), maxTokens: 2 });
    engine.addRequest({ requestId: 'b', promptTokenIds: prompt(9, 2), maxTokens: 2 });
    const sizes = engine.run().map((r) => r.schedule?.totalNumScheduledTokens ?? 0);
    expect(Math.max(...sizes)).toBe(32);
    expect(sizes.slice(0, 4)).toEqual([32, 32, 15, 2]);
  }, 60_000);

  it('rejects prompt tokens outside the vocabulary', () => {
    const { engine } = createNumericEngine();
    expect(() => engine.addRequest({ promptTokenIds: [1, 512] })).toThrow(EngineError);
  });
});

describe('n-gram drafter', () => {
  it('proposes what followed the latest earlier match of the longest suffix', () => {
    expect(proposeNgramDrafts([1, 2, 3, 9, 1, 2, 3, 7, 1, 2, 3], 2)).toEqual([7, 1]);
    expect(proposeNgramDrafts([5, 6, 5], 3)).toEqual([6, 5]);
    expect(proposeNgramDrafts([1, 2, 3], 2)).toEqual([]);
    expect(proposeNgramDrafts([4, 4], 3)).toEqual([4]);
  });
});

function inspectorCaches(inspector: ReturnType<typeof setup>['inspector'], layer: number) {
  return (inspector as unknown as { executor: () => { model: { caches: { token: { bytes: Uint8Array; layout: never }; compressed: { bytes: Uint8Array; layout: never } | null }[] } } }).executor().model.caches[layer]!;
}

function engineSink(inspector: ReturnType<typeof setup>['inspector'], layer: number): Float64Array {
  return (inspector as unknown as { executor: () => { model: { weights: { layers: { sink: Float64Array }[] } } } }).executor().model.weights.layers[layer]!.sink;
}
