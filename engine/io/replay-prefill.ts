/**
 * The prefill half of `replayDump` (sparse-mla.md §4.3, §8.3): seeded request lengths that
 * reproduce the recorded workspace height Mw, combined candidate lists over the bf16 gathered
 * workspace (rows hold dequantised fp8_ds_mla entries, exact in bf16), and one pass of the
 * reference over them with the sink. `tokenRange` replays a slice of a long chunk.
 */
import { EngineError } from '../base/errors';
import { Rng } from '../base/rng';
import { checkSparseMlaKnobs, prefillCombinedCandidates, sparseMlaAttention, V4_SLIDING_WINDOW } from '../attention/index';
import type { CandidateLists } from '../attention/index';
import { bf16Bits, dequantizeEntryV4, quantizeEntryV4, roundUp } from '../quant/index';
import { makeTensor, tensorToFloat64 } from './dtype';
import type { Tensor } from './dtype';
import { check } from './format-error';
import { asInt32, checkSupplied, finishOutput, i32, queryHeads, resolveHeads, seededLatent, seededQueries, seededSink, suppliedMap, widthOf } from './replay-inputs';
import { seededPrefillLengths, shuffledIndices } from './replay-schedule';
import type { ReplayOptions, ReplayResult } from './replay-types';
import type { PrefillFields, SparseMlaDumpRecord } from './vllm-dump';

export function replayPrefill(rec: SparseMlaDumpRecord & { fields: PrefillFields }, o: ReplayOptions): ReplayResult {
  const f = rec.fields;
  const at = `line ${rec.line}`;
  check(rec.q !== null, 'vllm-dump', `${at}.q`, 'is null; nothing to replay');
  const [Tall, Hp, D] = rec.q.shape as [number, number, number];
  check(D === 512, 'vllm-dump', `${at}.q.shape`, `head dim ${D} is not 512`);
  const ws = f.gathered_kv;
  check(ws !== null && ws.shape.length === 3 && ws.shape[2] === D, 'vllm-dump', `${at}.fields.gathered_kv`, 'must be [chunk_reqs, Mw, 512]');
  const [B, Mw] = ws.shape as [number, number, number];
  check(B === f.chunk_end - f.chunk_start, 'vllm-dump', `${at}.fields.gathered_kv.shape`, `has ${B} requests but the chunk is ${f.chunk_start} … ${f.chunk_end}`);
  const width = widthOf(f.combined_indices, `${at}.fields.combined_indices`);
  const ratio = rec.compress_ratio as 1 | 4 | 128;
  const W = V4_SLIDING_WINDOW;
  const topK = ratio === 1 ? 0 : ratio === 4 ? (rec.flashmla_metadata?.topk_tokens ?? 512) : widthOf(f.topk_indices, `${at}.fields.topk_indices`);
  check(roundUp(topK + W, 128) === width, 'vllm-dump', `${at}.fields.combined_indices.shape`, `width ${width} is not roundup(TOP_K ${topK} + W ${W}, 128)`);
  const [t0, t1] = o.tokenRange ?? [0, Tall];
  if (!Number.isInteger(t0) || !Number.isInteger(t1) || t0 < 0 || t1 > Tall || t0 >= t1) {
    throw new EngineError(`tokenRange must be [start, end) within 0 … ${Tall}`, 'tokenRange');
  }
  const rng = new Rng(o.seed ?? 0);
  const supplied = suppliedMap(o.tensors);
  const inputs = new Map<string, Tensor>();
  const synthesized: string[] = [];
  const knobs = checkSparseMlaKnobs(o.knobs ?? {});
  const take = (name: string, make: () => Tensor, chk: (t: Tensor) => Tensor): Tensor => {
    const s = supplied.get(name);
    const t = s ? chk(s) : make();
    if (!s) synthesized.push(name);
    inputs.set(name, t);
    return t;
  };
  const qT = take('q', () => seededQueries(rng.fork('q'), Tall, Hp, D, o.numHeads ?? Hp), (t) => checkSupplied(t, 'q', ['BF16', 'F32'], Tall * Hp * D, `[${Tall}, ${Hp}, ${D}]`));
  const sinkT = take('attn_sink', () => seededSink(rng.fork('sink'), Hp, o.numHeads ?? Hp), (t) => checkSupplied(t, 'attn_sink', ['F32'], Hp, `[${Hp}]`));
  const sink = tensorToFloat64(sinkT);
  const H = resolveHeads(o.numHeads, sink, Hp);

  const needPlan = !supplied.has('combined_indices') || !supplied.has('gathered_kv');
  let plan: ReturnType<typeof prefillCombinedCandidates> | undefined;
  let seqLens: number[] = [];
  if (needPlan) {
    const lens = seededPrefillLengths(rng.fork('lengths'), { numTokens: Tall, numRequests: B, rowsPerRequest: Mw, ratio, window: W });
    seqLens = lens.seqLens;
    const idxRng = rng.fork('indexer');
    plan = prefillCombinedCandidates({
      seqLens, queryLens: lens.queryLens, ratio, window: W, ...(ratio === 1 ? {} : { topK }),
      ...(ratio === 4 ? { indexerTopk: (_b: number, pos: number) => shuffledIndices(idxRng, Math.floor((pos + 1) / 4)).slice(0, topK) } : {}),
    });
    inputs.set('prefill_seq_lens', i32(Int32Array.from(seqLens), [B]));
    inputs.set('prefill_query_lens', i32(Int32Array.from(lens.queryLens), [B]));
    synthesized.push('prefill_seq_lens', 'prefill_query_lens');
  }
  const idx = asInt32(take('combined_indices', () => i32(plan!.candidates.slots, [Tall, width]), (t) => checkSupplied(t, 'combined_indices', ['I32', 'I64'], Tall * width, `[${Tall}, ${width}]`)));
  const lensT = asInt32(take('combined_lens', () => i32(plan!.candidates.lens, [Tall]), (t) => checkSupplied(t, 'combined_lens', ['I32', 'I64'], Tall, `[${Tall}]`)));
  const wsT = take('gathered_kv', () => {
    // Rows hold what the gather writes: dequantised fp8_ds_mla entries, exact in bf16; empty rows zero.
    const bits = new Uint16Array(B * Mw * D);
    const wsRng = rng.fork('workspace');
    for (let b = 0; b < B; b++) {
      for (let x = 0; x < Mw; x++) {
        const isComp = x < plan!.numCompressedRows && x < Math.floor(seqLens[b]! / Math.max(1, ratio)) && ratio > 1;
        const isSwa = x >= plan!.numCompressedRows && x - plan!.numCompressedRows < plan!.gatherLens[b]!;
        if (!isComp && !isSwa) continue;
        const v = dequantizeEntryV4(quantizeEntryV4(seededLatent(wsRng)));
        for (let d = 0; d < D; d++) bits[(b * Mw + x) * D + d] = bf16Bits(v[d]!);
      }
    }
    return makeTensor('BF16', [B, Mw, D], bits);
  }, (t) => checkSupplied(t, 'gathered_kv', ['BF16', 'F32'], B * Mw * D, `[${B}, ${Mw}, ${D}]`));

  const T = t1 - t0;
  const candidates: CandidateLists = { slots: idx.slice(t0 * width, t1 * width), lens: lensT.slice(t0, t1), width };
  const res = sparseMlaAttention({
    q: queryHeads(qT, Tall, Hp, D, H, t0, t1), numHeads: H, headDim: D, scale: f.scale, knobs,
    subsets: [{ kv: Float32Array.from(tensorToFloat64(wsT)), candidates }], sink: sink.subarray(0, H),
  });
  return {
    phase: 'prefill', prefix: rec.prefix, compressRatio: ratio, numTokens: T, numHeads: H, paddedHeads: Hp,
    dispatch: `prefill: gather to bf16 workspace, combined lists, chunks of ${knobs.topkChunkSize} candidates per block of ${knobs.queryChunkSize} queries, finish with sink (fp32)`,
    knobs, inputs, synthesized, ...finishOutput(res.out, T, H, Hp, D), subsetLse: new Map([['combined', res.subsets[0]!.lse]]),
  };
}
