// The numeric objects (compare reports, dump records, attention results, entry dissections,
// inspector token views) display as HTML summaries plus informative text/plain, with plots where
// a picture serves better. Every fixture comes from the engine function that produces it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { format } from '../../../kernel/display/format';
import { richDisplayGlobals, richFormatters } from '../../../kernel/display/index';
import { PLOTLY_MIME } from '../../../kernel/display/plotly';
import {
  Rng, candidateLists, compare, createNumericEngine, dissectEntryV4, makeTensor, quantizeEntryV4, readSparseMlaDump, sparseMlaAttention,
} from '../../../engine/index';
import type { CellIO } from '../../../kernel/interpreter';
import { DUMPS } from '../../engine/io/fixtures';
import { prompt } from '../../engine/model/workload';

const formatters = richFormatters();
const toDisplayBundle = (v: unknown) => format(v, formatters);

const io: CellIO = { stream: () => undefined, display: () => undefined, clearOutput: () => undefined, input: () => Promise.reject(new Error('no')) };
type Fig = { data: { type: string; name?: string; x?: unknown[]; y?: (number | null)[]; z?: (number | null)[][] }[] };

beforeAll(() => {
  richDisplayGlobals({ currentIO: () => io });
});

describe('compare() reports', () => {
  // a differs from the reference b at [1, 2] (by 0.5) and, within tolerance, at [0, 1].
  const b = makeTensor('F64', [2, 3], Float64Array.from([1, 2, 3, 4, 5, 6]));
  const a = makeTensor('F64', [2, 3], Float64Array.from([1, 2 + 1e-9, 3, 4, 5, 6.5]));
  const report = compare({ out: a, lse: [1, 2] }, { out: b, lse: [1, 2], extra: [0] }, { atol: 1e-6 });

  it('summarises each tensor: first differing index, max errors with positions, count beyond tolerance', () => {
    const bundle = toDisplayBundle(report);
    const text = bundle.data['text/plain'] as string;
    expect(text.split('\n')[0]).toBe('CompareReport(1 of 2 tensors differ, missing: extra (missing in a))');
    expect(text).toContain('out [2, 3]: 1/6 beyond tolerance, first diff [0, 1], max abs 0.5 at [1, 2]');
    expect(text).toMatch(/lse \[2\]: close/);
    const html = bundle.data['text/html'] as string;
    expect(html).toContain('1 of 2 tensors differ');
    expect(html).toContain('0.5 at [1, 2]');
    expect(html).toContain('<td style="text-align:left">[0, 1]</td>');
    expect(html).toContain('extra (missing in a)');
  });

  it('draws the worst tensor’s absolute error as a heatmap of rows × last dim', () => {
    const fig = toDisplayBundle(report).data[PLOTLY_MIME] as Fig;
    expect(fig.data[0]!.type).toBe('heatmap');
    const z = fig.data[0]!.z!;
    expect(z).toHaveLength(2);
    expect(z[1]![2]).toBe(0.5);
    expect(z[0]![1]).toBeCloseTo(1e-9, 15);
    expect(z[0]![0]).toBe(0);
  });

  it('pools large tensors by max and omits the plot when nothing differs', () => {
    const n = 300 * 600;
    const ref = new Float64Array(n);
    const got = new Float64Array(n);
    got[299 * 600 + 599] = 2;
    const big = compare(makeTensor('F64', [300, 600], got), makeTensor('F64', [300, 600], ref));
    const z = (toDisplayBundle(big.tensors[0]).data[PLOTLY_MIME] as Fig).data[0]!.z!;
    expect(z.length).toBeLessThanOrEqual(128);
    expect(z[0]!.length).toBeLessThanOrEqual(256);
    expect(z.at(-1)!.at(-1)).toBe(2);
    expect(z.flat().filter((v) => v !== 0)).toEqual([2]);
    const same = toDisplayBundle(compare([1, 2], [1, 2]));
    expect(same.data[PLOTLY_MIME]).toBeUndefined();
    expect(same.data['text/plain']).toMatch(/^CompareReport\(all close\)/);
  });
});

describe('sparse MLA dump records', () => {
  const records = readSparseMlaDump(readFileSync(join(DUMPS, 'vllm-dump.jsonl'), 'utf8'));

  it('a record: its knobs and every tensor’s dtype, shape and strides', () => {
    const r = records[0]!;
    const bundle = toDisplayBundle(r);
    expect(bundle.data['text/plain']).toBe(`SparseMlaDumpRecord(line 1, decode, ${r.prefix}, compress_ratio 4, q [${r.q!.shape.join(', ')}] ${r.q!.dtype}, output [${r.output!.shape.join(', ')}], scale ${r.fields.scale}, swa_only false)`);
    const html = bundle.data['text/html'] as string;
    expect(html).toContain('compress_ratio');
    expect(html).toContain('padded_heads');
    if (r.phase !== 'decode') throw new Error('fixture record 0 is a decode record');
    const kvc = r.fields.kv_cache!;
    expect(html).toContain(`<td style="text-align:left">kv_cache</td><td style="text-align:left">${kvc.dtype}</td><td style="text-align:left">[${kvc.shape.join(', ')}]</td><td style="text-align:left">[${kvc.stride.join(', ')}]</td>`);
    expect(html).toContain('swa_metadata.block_size');
  });

  it('a list of records: one row each', () => {
    const b = toDisplayBundle(records);
    expect((b.data['text/plain'] as string).split('\n')[0]).toBe('3 SparseMlaDumpRecords');
    const html = b.data['text/html'] as string;
    expect(html).toContain('3 rows');
    expect(html).toContain('>prefill<');
    expect(b.data[PLOTLY_MIME]).toBeUndefined();
  });
});

describe('sparse MLA attention results', () => {
  const rng = new Rng(7);
  const T = 2, H = 3, D = 8;
  const q = new Float32Array(T * H * D).map(() => rng.normal());
  const kv = new Float32Array(6 * D).map(() => rng.normal());
  // Token 1 has no valid candidate in the second subset: its LSE there is −∞.
  const result = sparseMlaAttention({
    q, numHeads: H, headDim: D, scale: D ** -0.5, sink: [0, -Infinity, 0.5],
    subsets: [{ kv, candidates: candidateLists([[0, 1, 2], [3, 4, 5]]) }, { kv, candidates: candidateLists([[5, 4], [-1, -1]]) }],
  });

  it('plots LSE per token and head, one bar trace per subset, −∞ as a gap', () => {
    const b = toDisplayBundle(result);
    const fig = b.data[PLOTLY_MIME] as Fig;
    expect(fig.data.map((t) => t.type)).toEqual(['bar', 'bar']);
    expect(fig.data[0]!.x).toEqual(['t0 h0', 't0 h1', 't0 h2', 't1 h0', 't1 h1', 't1 h2']);
    expect(fig.data[0]!.y).toEqual(Array.from(result.subsets[0]!.lse));
    expect(fig.data[1]!.y!.slice(3)).toEqual([null, null, null]);
    expect(fig.data[1]!.y![0]).toBe(result.subsets[1]!.lse[0]);
  });

  it('summarises dimensions, subsets and empty rows', () => {
    const b = toDisplayBundle(result);
    const text = b.data['text/plain'] as string;
    expect(text).toMatch(/^SparseMlaResult\(2 tokens × 3 heads × 8 dims, 2 subsets, max \|out\| [\d.]+; lse \[[-\d.e]+, [-\d.e]+\] \[[-\d.e]+, [-\d.e]+\] \(3 −∞\)\)$/);
    const maxOut = Math.max(...Array.from(result.out, Math.abs));
    expect(text).toContain(`max |out| ${Number(maxOut.toPrecision(6))}`);
    expect(b.data['text/html']).toContain('2 × 3 × 8');
  });
});

describe('V4 entry dissection', () => {
  it('a byte table: offset, hex, decoded value and meaning of each field', () => {
    const x = Array.from({ length: 512 }, (_, i) => Math.sin(i) * (1 + (i >> 6)));
    const entry = quantizeEntryV4(x);
    const rows = dissectEntryV4(entry);
    const b = toDisplayBundle(rows);
    expect(b.data['text/plain']).toBe(`EntryDissection(584 bytes in ${rows.length} fields: 448 × fp8 e4m3 NoPE, 64 × bf16 LE RoPE, 7 × ue8m0 scale, 1 × pad)`);
    const html = b.data['text/html'] as string;
    expect(html).toContain('V4 cache entry: 584 bytes');
    const scale = rows.find((r) => r.meaning.startsWith('ue8m0 scale of tile 3'))!;
    expect(html).toContain(`<td style="text-align:right">${scale.offset}</td><td style="text-align:right">1</td><td style="text-align:left">${scale.bytesHex}</td><td style="text-align:right">${scale.decoded}</td>`);
    expect(html).not.toContain('more rows');
  });
});

describe('inspector token views', () => {
  it('candidates per subset with LSEs, and the indexer top-k with scores', () => {
    const ne = createNumericEngine({ seed: 9, maxNumBatchedTokens: 96 }, { keepSteps: 8 });
    ne.engine.addRequest({ requestId: 'a', promptTokenIds: prompt(40, 1), maxTokens: 2 });
    ne.engine.run();
    const batch = ne.inspector.steps.filter((id) => ne.inspector.record(id).tokens.some((t) => t.reqId === 'a')).at(-1)!;
    const tok = ne.inspector.record(batch).tokens.find((t) => t.reqId === 'a')!;
    const ratio4 = [0, 1, 2, 3].find((l) => ne.inspector.token({ batchId: batch, reqId: 'a', pos: tok.pos, layer: l }).indexer !== null)!;
    const v = ne.inspector.token({ batchId: batch, reqId: 'a', pos: tok.pos, layer: ratio4, head: 1 });
    const b = toDisplayBundle(v);
    const text = b.data['text/plain'] as string;
    expect(text).toContain(`TokenView(batch ${batch}, a pos ${tok.pos} token ${v.tokenId}, layer ${ratio4} ratio 4 head 1, slot ${v.slot}; `);
    expect(text).toContain(`compressed lse ${Number(v.subsets[0]!.lse.toPrecision(6))}`);
    expect(text).toContain(`indexer top-${v.indexer!.topk.length} of ${v.indexer!.numVisible}`);
    const html = b.data['text/html'] as string;
    expect(html).toContain('candidates per subset');
    for (const c of v.candidates) expect(html).toContain(`<td style="text-align:left">${c.name}</td><td style="text-align:right">${c.len}</td>`);
    const best = v.indexer!.topk[0]!;
    expect(html).toContain(`<td style="text-align:right">0</td><td style="text-align:right">${best.local}</td><td style="text-align:right">${best.slot}</td><td style="text-align:right">${Number(best.score.toPrecision(6))}</td>`);
    expect(html).toContain(`indexer top-k (${v.indexer!.numVisible} visible)`);
  });
});
