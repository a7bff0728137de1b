/**
 * `replayDump(record, { tensors?, seed })`: rebuilds the attention call a vLLM sparse-MLA dump
 * record describes and runs it through the reference path (engine/attention's
 * `sparseMlaAttention`, fp32-faithful math in float64). Shapes, strides (page stride of each
 * cache), list widths, lengths and the layer kind come from the record; values come from
 * `tensors` (keyed by the record's field names: `q`, `attn_sink`, `swa_cache`, `kv_cache`,
 * `topk_indices`, `topk_lens`, `swa_indices`, `swa_lens` for decode; `gathered_kv`,
 * `combined_indices`, `combined_lens` for prefill) or are synthesised from the seed, consistent
 * with sparse-mla.md §3–§7. Decode replays the compressed subset then the SWA subset merged with
 * the sink (§2.6); prefill replays the combined lists over the bf16 workspace (§4.3, §8.3).
 * Every tensor used is returned in `inputs`, so a replay can be saved and re-run bit for bit.
 */
import { EngineError } from '../base/errors';
import { Rng } from '../base/rng';
import { c128aDecodeCandidates, c4aDecodeCandidates, checkSparseMlaKnobs, sparseMlaAttention, swaDecodeCandidates } from '../attention/index';
import type { CandidateLists } from '../attention/index';
import { dequantizeSlotsV4 } from '../quant/index';
import type { PagedCacheLayout } from '../quant/index';
import { makeTensor, tensorToFloat64 } from './dtype';
import type { Tensor } from './dtype';
import { check } from './format-error';
import {
  asInt32, cacheLayoutFromSummary, checkSupplied, finishOutput, i32, queryHeads, resolveHeads, seededCache, seededQueries,
  seededSink, suppliedMap, widthOf,
} from './replay-inputs';
import { replayPrefill } from './replay-prefill';
import { seededDecodeSchedule, shuffledIndices } from './replay-schedule';
import type { ReplayOptions, ReplayResult } from './replay-types';
import type { DecodeFields, PrefillFields, SparseMlaDumpRecord } from './vllm-dump';

export type { ReplayOptions, ReplayResult } from './replay-types';

/** Candidate rows restricted to valid entries and remapped onto compact KV rows. */
function compactSubset(c: CandidateLists, layout: PagedCacheLayout, cache: Uint8Array, name: string, cacheName: string): { kv: Float32Array; candidates: CandidateLists } {
  const numSlots = layout.numPages * layout.entriesPerPage;
  const rowOf = new Map<number, number>();
  const slots = new Int32Array(c.slots.length).fill(-1);
  const T = c.lens.length;
  for (let t = 0; t < T; t++) {
    const n = Math.min(c.lens[t]!, c.width);
    if (c.lens[t]! < 0) throw new EngineError(`${name} lens[${t}] = ${c.lens[t]} is negative`, `tensors.${name}`);
    for (let i = 0; i < n; i++) {
      const s = c.slots[t * c.width + i]!;
      if (s < 0) continue;
      if (s >= numSlots) throw new EngineError(`${name}[${t}][${i}] = ${s} is outside the cache (${numSlots} slots)`, `tensors.${name}`);
      let row = rowOf.get(s);
      if (row === undefined) rowOf.set(s, (row = rowOf.size));
      slots[t * c.width + i] = row;
    }
  }
  const used = [...rowOf.keys()];
  const kv = dequantizeSlotsV4(cache, used, layout);
  for (let i = 0; i < kv.length; i++) {
    if (!Number.isFinite(kv[i]!)) {
      const slot = used[Math.floor(i / 512)]!;
      throw new EngineError(`${cacheName} slot ${slot} decodes to ${kv[i]} at dim ${i % 512} (NaN code or scale byte): corrupt cache bytes, or the page stride ${layout.pageStride} is wrong`, `tensors.${cacheName}`);
    }
  }
  return { kv, candidates: { slots, lens: c.lens, width: c.width } };
}

function replayDecode(rec: SparseMlaDumpRecord & { fields: DecodeFields }, o: ReplayOptions): ReplayResult {
  const f = rec.fields;
  const at = `line ${rec.line}`;
  const q = rec.q;
  check(q !== null, 'vllm-dump', `${at}.q`, 'is null; nothing to replay');
  const [T, , Hp, D] = q.shape as [number, number, number, number];
  check(D === 512, 'vllm-dump', `${at}.q.shape`, `head dim ${D} is not 512 (fp8_ds_mla entries hold 512-vectors)`);
  const ratio = rec.compress_ratio;
  const swaOnly = f.swa_only;
  const rng = new Rng(o.seed ?? 0);
  const supplied = suppliedMap(o.tensors);
  const inputs = new Map<string, Tensor>();
  const synthesized: string[] = [];
  const knobs = checkSparseMlaKnobs(o.knobs ?? {});
  const swaLayout = cacheLayoutFromSummary(f.swa_cache, `${at}.fields.swa_cache`, rec.swa_metadata.block_size);
  const compLayout = swaOnly ? undefined : cacheLayoutFromSummary(f.kv_cache, `${at}.fields.kv_cache`, 256 / ratio);
  const swaWidth = widthOf(f.swa_indices, `${at}.fields.swa_indices`);
  const topkWidth = swaOnly ? 0 : widthOf(f.topk_indices, `${at}.fields.topk_indices`);

  const take = (name: string, make: () => Tensor, check: (t: Tensor) => Tensor): Tensor => {
    const s = supplied.get(name);
    const t = s ? check(s) : make();
    if (!s) synthesized.push(name);
    inputs.set(name, t);
    return t;
  };
  const qT = take('q', () => seededQueries(rng.fork('q'), T, Hp, D, o.numHeads ?? Hp), (t) => checkSupplied(t, 'q', ['BF16', 'F32'], T * Hp * D, `[${T}, 1, ${Hp}, ${D}]`));
  const sinkT = take('attn_sink', () => seededSink(rng.fork('sink'), Hp, o.numHeads ?? Hp), (t) => checkSupplied(t, 'attn_sink', ['F32'], Hp, `[${Hp}]`));
  const sink = tensorToFloat64(sinkT);
  const H = resolveHeads(o.numHeads, sink, Hp);

  // Candidate lists: supplied, or built from a seeded schedule (§4.2).
  const needSchedule = !supplied.has('swa_indices') || (!swaOnly && !supplied.has('topk_indices'));
  const sched = needSchedule ? seededDecodeSchedule(rng.fork('schedule'), {
    numTokens: T, numRequests: f.num_decodes, ratio, swa: swaLayout, swaTableWidth: widthOf(rec.swa_metadata.block_table, `${at}.swa_metadata.block_table`),
    ...(compLayout ? { compressed: compLayout, compressedTableWidth: widthOf(rec.flashmla_metadata?.block_table ?? null, `${at}.flashmla_metadata.block_table`) } : {}),
  }) : undefined;
  if (sched) {
    inputs.set('positions', i32(sched.positions, [T]));
    inputs.set('seq_lens', i32(sched.seqLens, [sched.seqLens.length]));
    inputs.set('swa_block_table', i32(Int32Array.from(sched.swaBlockTable.flatMap((r) => [...r])), [sched.swaBlockTable.length, sched.swaBlockTable[0]?.length ?? 0]));
    if (compLayout) inputs.set('block_table', i32(Int32Array.from(sched.compressedBlockTable.flatMap((r) => [...r])), [sched.compressedBlockTable.length, sched.compressedBlockTable[0]?.length ?? 0]));
    synthesized.push('positions', 'seq_lens', 'swa_block_table', ...(compLayout ? ['block_table'] : []));
  }
  const lists = (name: string, lensName: string, width: number, build: (t: number) => { slots: Int32Array; len: number }): CandidateLists => {
    const idx = take(name, () => {
      const slots = new Int32Array(T * width);
      for (let t = 0; t < T; t++) slots.set(build(t).slots, t * width);
      return i32(slots, name === 'topk_indices' ? [T, 1, width] : [T, width]);
    }, (t) => checkSupplied(t, name, ['I32', 'I64'], T * width, `[${T}, ${width}]`));
    const slots = asInt32(idx);
    const lensT = take(lensName, () => {
      const l = new Int32Array(T);
      for (let t = 0; t < T; t++) {
        if (sched && !supplied.has(name)) l[t] = build(t).len;
        else for (let i = 0; i < width; i++) if (slots[t * width + i]! >= 0) l[t]!++;
      }
      return i32(l, [T]);
    }, (t) => checkSupplied(t, lensName, ['I32', 'I64'], T, `[${T}]`));
    return { slots, lens: asInt32(lensT), width };
  };
  const topkRng = rng.fork('indexer');
  const rowCache = new Map<number, { slots: Int32Array; len: number }>();
  const compRow = (t: number) => {
    let r = rowCache.get(t);
    if (!r) {
      const pos = sched!.positions[t]!;
      const table = sched!.compressedBlockTable[sched!.requestOfToken[t]!]!;
      if (ratio === 4) {
        const nVis = Math.floor((pos + 1) / 4);
        const local = new Int32Array(topkWidth).fill(-1);
        local.set(shuffledIndices(topkRng, nVis).slice(0, topkWidth));
        r = c4aDecodeCandidates({ localTopk: local, blockTable: table, entriesPerPage: compLayout!.entriesPerPage });
      } else r = c128aDecodeCandidates({ pos, blockTable: table, width: topkWidth, entriesPerPage: compLayout!.entriesPerPage });
      rowCache.set(t, r);
    }
    return r;
  };
  const compLists = swaOnly ? undefined : lists('topk_indices', 'topk_lens', topkWidth, compRow);
  const swaLists = lists('swa_indices', 'swa_lens', swaWidth, (t) => swaDecodeCandidates({
    pos: sched!.positions[t]!, blockTable: sched!.swaBlockTable[sched!.requestOfToken[t]!]!, window: swaWidth, pageSize: swaLayout.entriesPerPage,
  }));

  const validSlots = (c: CandidateLists) => {
    const s: number[] = [];
    for (let t = 0; t < T; t++) for (let i = 0; i < Math.min(c.lens[t]!, c.width); i++) s.push(c.slots[t * c.width + i]!);
    return s;
  };
  const cacheOf = (name: string, layout: PagedCacheLayout, c: CandidateLists) => asBytes(take(name,
    () => makeTensor('U8', [layout.numPages, layout.pageStride], seededCache(rng.fork(name), layout, validSlots(c))),
    (t) => checkSupplied(t, name, ['U8'], layout.numPages * layout.pageStride, `[${layout.numPages}, ${layout.pageStride}] bytes`)));
  // The reader's view of a cache: the recorded layout, or a deliberately different page stride.
  const readAs = (name: 'swa_cache' | 'kv_cache', layout: PagedCacheLayout, bytes: Uint8Array): [PagedCacheLayout, Uint8Array] => {
    const stride = o.readPageStride?.[name];
    if (stride === undefined) return [layout, bytes];
    if (!Number.isInteger(stride) || stride < layout.entriesPerPage * 584 || stride * layout.numPages > bytes.length) {
      throw new EngineError(`readPageStride.${name} must be an integer ≥ ${layout.entriesPerPage * 584} with numPages·stride ≤ ${bytes.length}`, `readPageStride.${name}`);
    }
    return [{ ...layout, pageStride: stride }, bytes.subarray(0, stride * layout.numPages)];
  };
  const subsets = [];
  const names: string[] = [];
  if (compLists && compLayout) {
    const [l, b] = readAs('kv_cache', compLayout, cacheOf('kv_cache', compLayout, compLists));
    subsets.push(compactSubset(compLists, l, b, 'topk_indices', 'kv_cache'));
    names.push('compressed');
  }
  const [sl, sb] = readAs('swa_cache', swaLayout, cacheOf('swa_cache', swaLayout, swaLists));
  subsets.push(compactSubset(swaLists, sl, sb, 'swa_indices', 'swa_cache'));
  names.push('swa');

  const res = sparseMlaAttention({ q: queryHeads(qT, T, Hp, D, H), numHeads: H, headDim: D, scale: f.scale, knobs, subsets, sink: sink.subarray(0, H) });
  const mtp = f.num_decode_tokens > f.num_decodes;
  const matmul = o.matmulDecode ?? true;
  const dispatch = swaOnly
    ? (mtp ? 'SWA-only, MTP: global-slot accumulate, then finish with sink (fp32)' : 'SWA-only: fused paged SWA + sink, one pass (fp32)')
    : !mtp && topkWidth <= knobs.topkChunkSize
      ? (matmul ? 'compressed, matmul decode: bf16 scores and weights (GPU result within 2e-2 of this fp32 reference)' : 'compressed: one fused pass, compressed then SWA, then sink (fp32)')
      : 'compressed: chunked compressed state + SWA state, finish two states with sink (fp32)';
  return {
    phase: 'decode', prefix: rec.prefix, compressRatio: ratio, numTokens: T, numHeads: H, paddedHeads: Hp, dispatch, knobs,
    inputs, synthesized, ...finishOutput(res.out, T, H, Hp, D),
    subsetLse: new Map(names.map((n, j) => [n, res.subsets[j]!.lse])),
  };
}

function asBytes(t: Tensor): Uint8Array {
  return t.data as Uint8Array;
}

/** Replays one dump record (see the module comment). */
export function replayDump(record: SparseMlaDumpRecord, options: ReplayOptions = {}): ReplayResult {
  if (!record || typeof record !== 'object' || !('phase' in record)) throw new EngineError('record must be a parsed dump record (readSparseMlaDump)', 'record');
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new EngineError(`seed must be an integer, got ${options.seed}`, 'seed');
  if (record.phase === 'decode_unsupported_compressed') {
    throw new EngineError(`compress_ratio ${record.compress_ratio} has no sparse-MLA path; this record documents the unsupported-layer dump only`, 'record');
  }
  return record.phase === 'prefill' ? replayPrefill(record as SparseMlaDumpRecord & { fields: PrefillFields }, options) : replayDecode(record as SparseMlaDumpRecord & { fields: DecodeFields }, options);
}
