import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSparseMlaDumpRecord, readSparseMlaDump } from '../../../engine/io/vllm-dump';
import { tensorSummary } from '../../../engine/io/tensor-summary';
import { readSafetensors, writeSafetensors } from '../../../engine/io/safetensors';
import { replayDump } from '../../../engine/io/replay-dump';
import { compare, maxErrorAlong } from '../../../engine/io/compare';
import { makeTensor, tensorToFloat64 } from '../../../engine/io/dtype';
import { denseSinkAttentionReference } from '../../../engine/attention/dense-reference';
import { dequantizeSlotsV4, v4CacheLayout } from '../../../engine/quant/index';
import { candidateLists } from '../../../engine/attention/candidate-list';
import { DUMPS, fixtureBytes } from './fixtures';

const dumpText = readFileSync(join(DUMPS, 'vllm-dump.jsonl'), 'utf8');
const records = readSparseMlaDump(dumpText);
const lines = dumpText.trimEnd().split('\n');
const torchTensors = readSafetensors(fixtureBytes('dump-decode-c4a.safetensors'));

describe('replayDump, decode (C4A) with tensors written by PyTorch on an H100', () => {
  const supplied = new Map([...torchTensors.tensors].filter(([k]) => !k.startsWith('expected_') && !k.includes('block_table')));
  const r = replayDump(records[0]!, { tensors: supplied });

  it('uses every supplied tensor and synthesises nothing', () => {
    expect(r.synthesized).toEqual([]);
    expect(r.numHeads).toBe(Number(torchTensors.metadata.num_heads)); // leading finite sink entries
    expect(r.paddedHeads).toBe(64);
    expect(r.dispatch).toMatch(/matmul decode/); // 2 tokens, 2 requests, width 512 ≤ chunk 512
  });

  it('matches the float64 sink-softmax reference computed by torch from its own fp8_ds_mla bytes', () => {
    const rep = compare(r.output, torchTensors.tensors.get('expected_output_f32')!, { atol: 1e-6, rtol: 1e-6 });
    const t = rep.tensors[0]!;
    expect(t.allClose).toBe(true);
    expect(t.maxUlpError!.value).toBeLessThanOrEqual(2);
    const bf = compare(r.outputBf16, torchTensors.tensors.get('expected_output_bf16')!, { atol: 0, rtol: 0 });
    expect(bf.tensors[0]!.numDiffering).toBeLessThanOrEqual(2); // a double-rounding tie at most
    // Padded heads are exactly zero.
    const out = tensorToFloat64(r.output);
    expect(out.subarray(8 * 512, 64 * 512).every((x) => x === 0)).toBe(true);
  });

  it('finds a planted off-by-one slot id and reports where it first shows', () => {
    const swa = torchTensors.tensors.get('swa_indices')!;
    const bad = Int32Array.from(swa.data as Int32Array);
    bad[1 * 128 + 5] = bad[1 * 128 + 5]! + 1; // token 1, SWA candidate 5 points one slot too far
    const broken = replayDump(records[0]!, { tensors: new Map([...supplied, ['swa_indices', makeTensor('I32', swa.shape, bad)]]) });
    const rep = compare(broken.output, r.output, { atol: 1e-6 }).tensors[0]!;
    expect(rep.allClose).toBe(false);
    expect(rep.firstBeyondTolerance!.index[0]).toBe(1); // token 1 only
    const perTokenHead = maxErrorAlong(rep, [0, 1]);
    expect(perTokenHead.shape).toEqual([2, 64]);
    expect(perTokenHead.values.subarray(0, 64).every((e) => e === 0)).toBe(true);
    expect(perTokenHead.values.subarray(64, 72).every((e) => e > 0)).toBe(true); // every real head of token 1
    expect(perTokenHead.values.subarray(72).every((e) => e === 0)).toBe(true); // padded heads stay zero
    expect(compare(broken.output.data.subarray(0, 64 * 512), r.output.data.subarray(0, 64 * 512)).allClose).toBe(true);
  });
});

describe('replayDump: planted cache-layout mistake', () => {
  it('reading the SWA cache with the unpadded stride E·584 is caught: garbage scale/code bytes named by slot', () => {
    const supplied = new Map([...torchTensors.tensors].filter(([k]) => !k.startsWith('expected_') && !k.includes('block_table')));
    expect(() => replayDump(records[0]!, { tensors: supplied, readPageStride: { swa_cache: 64 * 584 } }))
      .toThrow(/swa_cache slot \d+ decodes to NaN .*page stride 37376 is wrong/);
    expect(() => replayDump(records[0]!, { tensors: supplied, readPageStride: { swa_cache: 100 } })).toThrow(/readPageStride.swa_cache/);
  });
});

describe('replayDump with seeded tensors', () => {
  it('decode C4A: deterministic per seed, different across seeds, and equal to the dense reference', () => {
    const a = replayDump(records[0]!, { seed: 3, numHeads: 4 });
    const b = replayDump(records[0]!, { seed: 3, numHeads: 4 });
    const c = replayDump(records[0]!, { seed: 4, numHeads: 4 });
    expect(a.output.data).toEqual(b.output.data);
    expect(compare(a.output, c.output).allClose).toBe(false);
    expect(a.synthesized).toEqual(expect.arrayContaining(['q', 'attn_sink', 'topk_indices', 'topk_lens', 'swa_indices', 'swa_lens', 'kv_cache', 'swa_cache', 'positions']));
    expect(a.inputs.get('kv_cache')!.shape).toEqual([10, 37440]); // page stride from the recorded stride
    // The same call through the dense reference over the concatenated candidate list.
    const T = 2, H = 4, D = 512;
    const kvL = v4CacheLayout({ entriesPerPage: 64, numPages: 10, pageStride: 37440 });
    const swL = v4CacheLayout({ entriesPerPage: 64, numPages: 12, pageStride: 37440 });
    const topk = a.inputs.get('topk_indices')!.data as Int32Array, tl = a.inputs.get('topk_lens')!.data as Int32Array;
    const swa = a.inputs.get('swa_indices')!.data as Int32Array, sl = a.inputs.get('swa_lens')!.data as Int32Array;
    const q = tensorToFloat64(a.inputs.get('q')!), sink = tensorToFloat64(a.inputs.get('attn_sink')!);
    for (let t = 0; t < T; t++) {
      expect(tl[t]).toBeGreaterThan(0);
      const rows = [
        ...dequantizeSlotsV4(a.inputs.get('kv_cache')!.data as Uint8Array, [...topk.subarray(t * 512, t * 512 + tl[t]!)], kvL),
        ...dequantizeSlotsV4(a.inputs.get('swa_cache')!.data as Uint8Array, [...swa.subarray(t * 128, t * 128 + sl[t]!)], swL),
      ];
      const n = rows.length / D;
      const qt = Float64Array.from({ length: H * D }, (_, i) => q[t * 64 * D + i]!);
      const dense = denseSinkAttentionReference({
        q: qt, numHeads: H, headDim: D, scale: 512 ** -0.5, sink: [...sink.subarray(0, H)],
        subsets: [{ kv: Float64Array.from(rows), candidates: candidateLists([Array.from({ length: n }, (_, i) => i)]) }],
      });
      const got = tensorToFloat64(a.output).subarray(t * 64 * D, t * 64 * D + H * D);
      const cmp = compare(got, dense.out, { atol: 1e-6, rtol: 1e-5 });
      expect(cmp.allClose).toBe(true);
      expect(cmp.tensors[0]!.maxAbsError!.value).toBeLessThan(1e-6);
    }
  });

  it('decode SWA-only MTP record: 4 tokens over 2 requests, consecutive positions per request', () => {
    const r = replayDump(records[2]!, { seed: 1, numHeads: 2 });
    expect(r.dispatch).toMatch(/SWA-only, MTP/);
    const pos = [...(r.inputs.get('positions')!.data as Int32Array)];
    expect(pos[1]).toBe(pos[0]! + 1);
    expect(pos[3]).toBe(pos[2]! + 1);
    expect(r.subsetLse.has('compressed')).toBe(false);
    expect(r.output.shape).toEqual([4, 64, 512]);
  });

  it('prefill C128A record: workspace height Mw reproduced, and chunk knobs change rounding only', () => {
    const r = replayDump(records[1]!, { seed: 2, numHeads: 2, tokenRange: [250, 300] });
    const seq = [...(r.inputs.get('prefill_seq_lens')!.data as Int32Array)];
    const ql = [...(r.inputs.get('prefill_query_lens')!.data as Int32Array)];
    expect(ql.reduce((x, y) => x + y, 0)).toBe(340);
    const N = Math.max(...seq.map((s) => Math.floor(s / 128)));
    const gather = ql.map((q, b) => q + Math.min(seq[b]! - q, 127));
    expect(N + Math.max(...gather)).toBe(302);
    expect(r.inputs.get('combined_indices')!.shape).toEqual([340, 256]);
    const small = replayDump(records[1]!, { seed: 2, numHeads: 2, tokenRange: [250, 300], knobs: { topkChunkSize: 7, queryChunkSize: 3 } });
    const c = compare(small.output, r.output, { rtol: 1e-12, atol: 1e-12 }).tensors[0]!;
    expect(c.allClose).toBe(true);
  });

  it('prefill C4A record built with our summary writer: indexer lists over the workspace, lens by §4.3', () => {
    const base = JSON.parse(lines[1]!);
    const T = 340, Mw = 75 + 300; // seq 300 → N = 75 compressed rows, gather 300
    base.prefix = 'model.layers.2.self_attn';
    base.compress_ratio = 4;
    base.flashmla_metadata.topk_tokens = 512;
    base.fields.compressed_k_cache = tensorSummary([4, 64, 1, 584], 'torch.uint8', { stride: [37440, 584, 584, 1] });
    base.fields.gathered_kv = tensorSummary([2, Mw, 512], 'torch.bfloat16');
    base.fields.topk_indices = tensorSummary([T, 512], 'torch.int32');
    base.fields.combined_indices = tensorSummary([T, 640], 'torch.int32');
    const rec = parseSparseMlaDumpRecord(base, 2);
    const r = replayDump(rec, { seed: 8, numHeads: 2, tokenRange: [0, 20] });
    const seq = [...(r.inputs.get('prefill_seq_lens')!.data as Int32Array)];
    const ql = [...(r.inputs.get('prefill_query_lens')!.data as Int32Array)];
    expect(ql.reduce((a, b) => a + b, 0)).toBe(T);
    expect(Math.max(...seq.map((x) => Math.floor(x / 4))) + Math.max(...ql.map((q, b) => q + Math.min(seq[b]! - q, 127)))).toBe(Mw);
    const idx = r.inputs.get('combined_indices')!.data as Int32Array;
    const lens = r.inputs.get('combined_lens')!.data as Int32Array;
    let t = 0;
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < ql[b]!; j++, t++) {
        const pos = seq[b]! - ql[b]! + j;
        const topk = Math.min(Math.floor((pos + 1) / 4), 512);
        expect(lens[t]).toBe(topk + Math.min(pos + 1, 128));
        const row = [...idx.subarray(t * 640, t * 640 + lens[t]!)];
        expect(row.every((x) => x >= b * Mw && x < (b + 1) * Mw)).toBe(true);
        expect(new Set(row.slice(0, topk)).size).toBe(topk); // the indexer picks distinct visible entries
        expect(row.slice(0, topk).every((x) => x - b * Mw < Math.floor((pos + 1) / 4))).toBe(true);
      }
    }
    expect(r.output.shape).toEqual([20, 64, 512]);
    expect(compare(r.output, replayDump(rec, { seed: 8, numHeads: 2, tokenRange: [0, 20] }).output).tensors[0]!.numDiffering).toBe(0);
  });

  it('replay inputs saved with writeSafetensors replay to the same output', () => {
    const a = replayDump(records[0]!, { seed: 9, numHeads: 3 });
    const saved = readSafetensors(writeSafetensors(a.inputs));
    const b = replayDump(records[0]!, { tensors: saved.tensors, numHeads: 3 });
    expect(b.synthesized).toEqual([]);
    expect(b.output.data).toEqual(a.output.data);
  });

  it('prefill inputs saved and supplied back replay to the same output', () => {
    const a = replayDump(records[1]!, { seed: 5, numHeads: 2, tokenRange: [100, 140] });
    const saved = readSafetensors(writeSafetensors(new Map([...a.inputs].filter(([k]) => !k.startsWith('prefill_')))));
    const b = replayDump(records[1]!, { tensors: saved.tensors, numHeads: 2, tokenRange: [100, 140] });
    expect(b.synthesized).toEqual([]);
    expect(Buffer.from(b.output.data.buffer).equals(Buffer.from(a.output.data.buffer))).toBe(true);
  });

  it('rejects supplied tensors that do not fit the record, naming them', () => {
    expect(() => replayDump(records[0]!, { tensors: { q: makeTensor('F32', [3], new Float32Array(3)) } })).toThrow(/tensors.q has shape \[3\]/);
    expect(() => replayDump(records[0]!, { tensors: { attn_sink: makeTensor('I32', [64], new Int32Array(64)) } })).toThrow(/tensors.attn_sink is I32/);
    const idx = Int32Array.from(torchTensors.tensors.get('swa_indices')!.data as Int32Array);
    idx[0] = 99999;
    expect(() => replayDump(records[0]!, { tensors: { ...Object.fromEntries(torchTensors.tensors), swa_indices: makeTensor('I32', [2, 128], idx) } })).toThrow(/swa_indices\[0\]\[0\] = 99999 is outside the cache/);
    expect(() => replayDump(records[0]!, { numHeads: 65 })).toThrow(/numHeads/);
    expect(() => replayDump(records[0]!, { seed: 1.5 })).toThrow(/seed/);
    expect(() => replayDump(records[1]!, { tokenRange: [5, 5] })).toThrow(/tokenRange/);
  });
});
