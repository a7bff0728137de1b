// Tensors and the objects that carry them (safetensors/.npy files, replay results, candidate
// lists, inspector slot views, sampled tokens) display richly; fixtures come from the engine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { format } from '../../../kernel/display/format';
import { richDisplayGlobals, richFormatters } from '../../../kernel/display/index';
import { PLOTLY_MIME } from '../../../kernel/display/plotly';
import {
  candidateLists, createNumericEngine, makeTensor, readNpy, readSafetensors, readSparseMlaDump, replayDump, writeNpy, writeSafetensors,
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

describe('tensors and tensor files', () => {
  const m = makeTensor('F32', [2, 3], Float32Array.from([1, -2, 3, NaN, 0.5, 6]));

  it('a rank-2 tensor: statistics over finite values and a heatmap of its values', () => {
    const b = toDisplayBundle(m);
    expect(b.data['text/plain']).toBe('Tensor(F32 [2, 3], 6 elements, min -2, max 6, mean 1.7, 1 NaN)');
    const fig = b.data[PLOTLY_MIME] as Fig;
    expect(fig.data[0]!.type).toBe('heatmap');
    expect(fig.data[0]!.z).toEqual([[1, -2, 3], [null, 0.5, 6]]);
    expect(b.data['text/html']).toContain('NaN / inf');
  });

  it('other ranks as a histogram of the decoded values (bf16 bits decoded)', () => {
    const t = makeTensor('BF16', [4], Uint16Array.from([0x3f80, 0x4000, 0xbf80, 0x4040])); // 1, 2, −1, 3
    const b = toDisplayBundle(t);
    expect(b.data['text/plain']).toBe('Tensor(BF16 [4], 4 elements, min -1, max 3, mean 1.25)');
    expect((b.data[PLOTLY_MIME] as Fig).data[0]).toMatchObject({ type: 'histogram', x: [1, 2, -1, 3] });
  });

  it('a safetensors file: one row per tensor with dtype, shape and stats, plus metadata', () => {
    const f = readSafetensors(writeSafetensors({ w: m, ids: makeTensor('I32', [3], Int32Array.from([7, 8, 9])) }, { metadata: { format: 'pt' } }));
    const b = toDisplayBundle(f);
    expect(b.data['text/plain']).toBe('SafetensorsFile(2 tensors: ids I32 [3], w F32 [2, 3]; metadata format=pt)'); // file (data-offset) order
    const html = b.data['text/html'] as string;
    expect(html).toContain('<td style="text-align:left">ids</td><td style="text-align:left">I32</td><td style="text-align:left">[3]</td><td style="text-align:right">7</td><td style="text-align:right">9</td><td style="text-align:right">8</td>');
    expect(html).toContain('>pt<');
  });

  it('an .npy file: its tensor with the header', () => {
    const b = toDisplayBundle(readNpy(writeNpy(m)));
    expect(b.data['text/plain']).toMatch(/^NpyFile v1 <f4\(F32 \[2, 3\], 6 elements, min -2, max 6, mean 1\.7, 1 NaN\)$/);
    expect((b.data[PLOTLY_MIME] as Fig).data[0]!.type).toBe('heatmap');
  });
});

describe('replay results and candidate lists', () => {
  it('a replay: dispatch, knobs, inputs (synthesized marked) and LSE per token and head', () => {
    const rec = readSparseMlaDump(readFileSync(join(DUMPS, 'vllm-dump.jsonl'), 'utf8'))[0]!;
    const r = replayDump(rec, { seed: 3, numHeads: 4 });
    const b = toDisplayBundle(r);
    const text = b.data['text/plain'] as string;
    expect(text).toContain(`ReplayResult(decode, ${r.prefix}, compress_ratio 4, 2 tokens × 4 heads (padded ${r.paddedHeads}), dispatch ${r.dispatch}, ${r.inputs.size} inputs (${r.synthesized.length} synthesized), output min `);
    const html = b.data['text/html'] as string;
    expect(html).toContain('<td style="text-align:left">kv_cache</td><td style="text-align:left">U8</td><td style="text-align:left">[10, 37440]</td><td style="text-align:left">true</td>');
    for (const k of Object.keys(r.knobs)) expect(html).toContain(`knob ${k}`);
    const fig = b.data[PLOTLY_MIME] as Fig;
    expect(fig.data.map((t) => t.name)).toEqual([...r.subsetLse.keys()]);
    expect(fig.data[0]!.x).toHaveLength(8);
    expect(fig.data[0]!.y).toEqual(Array.from(r.subsetLse.values().next().value!, (v) => (Number.isFinite(v) ? v : null)));
  });

  it('candidate lists: valid slots per token (−1 and positions past len dropped)', () => {
    const c = candidateLists([[4, -1, 2, 9], [1, 2, 3]], [3, 1]);
    const b = toDisplayBundle(c);
    expect(b.data['text/plain']).toBe('CandidateLists(2 tokens × width 4, valid per token 1–2)');
    const html = b.data['text/html'] as string;
    expect(html).toContain('<td style="text-align:right">3</td><td style="text-align:right">2</td><td style="text-align:left">4 2</td>');
    expect(html).toContain('<td style="text-align:right">1</td><td style="text-align:right">1</td><td style="text-align:left">1</td>');
  });
});

describe('inspector slots and sampled tokens', () => {
  it('a written token-cache slot dissects into its 584-byte fields; sampled tokens list top logits', () => {
    const ne = createNumericEngine({ seed: 9, maxNumBatchedTokens: 96 }, { keepSteps: 8 });
    ne.engine.addRequest({ requestId: 'a', promptTokenIds: prompt(24, 1), maxTokens: 2 });
    ne.engine.run();
    const batch = ne.inspector.steps.filter((id) => ne.inspector.record(id).tokens.some((t) => t.reqId === 'a')).at(-1)!;
    const tok = ne.inspector.record(batch).tokens.find((t) => t.reqId === 'a')!;
    const v = ne.inspector.token({ batchId: batch, reqId: 'a', pos: tok.pos, layer: 0 });
    const slot = ne.inspector.slot({ layer: 0, slot: v.slot });
    const b = toDisplayBundle(slot);
    expect(b.data['text/plain']).toBe(`Slot(layer 0 token cache, slot ${v.slot} = page ${slot.page} entry ${slot.indexInPage}, 584 bytes, 512 values)`);
    const html = b.data['text/html'] as string;
    expect(html).toContain('V4 cache entry: 584 bytes');
    const hex = slot.bytes.slice(576, 577).map((x) => x.toString(16).padStart(2, '0').toUpperCase())[0]!;
    expect(html).toContain(`<td style="text-align:right">576</td><td style="text-align:right">1</td><td style="text-align:left">${hex}</td>`);
    expect(html).not.toContain('never written');

    const sampled = ne.inspector.sampled({ batchId: batch, reqId: 'a' });
    const sb = toDisplayBundle(sampled);
    expect(sb.data['text/plain']).toBe(`${sampled.length} sampled: ${sampled.map((s) => `a@${s.pos}→${s.tokenId}`).join(', ')}`);
    const top = sampled[0]!.topLogits[0]!;
    expect(sb.data['text/html']).toContain(`${top.tokenId}:${Number(top.logit.toPrecision(6))}`);
  });
});
