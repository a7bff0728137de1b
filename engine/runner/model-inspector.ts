/**
 * Inspection of the numeric engine as plain values (numbers, arrays, strings) the kernel can
 * display: the packed bytes and decoded values of any slot or block of any layer's caches (their
 * current contents), and for a recorded step, request, layer, token position and head: the slot
 * written, the candidate lists, the indexer's top-k with scores, each subset's (out, lse), the
 * merged output with the sink, and the sampled token with its top logits.
 */
import { EngineError } from '../base/errors';
import { readIndexerEntryBytes, dequantizeIndexerSlots } from '../quant/indexer-cache';
import { dequantizeEntryV4 } from '../quant/v4-entry';
import { readEntryV4 } from '../quant/v4-paged-cache';
import type { NumericExecutor, NumericStepRecord, SampledRecord } from './numeric-executor';
import { cacheOf, type CacheKind } from '../model/model-caches';
import { HEAD_DIM } from '../model/weights';

export interface SlotView {
  readonly layer: number;
  readonly cache: CacheKind;
  readonly slot: number;
  readonly page: number;
  readonly indexInPage: number;
  /** Logical entry bytes (584 for fp8_ds_mla: 576 data ‖ 8 scale; 132 for the indexer: 128 codes ‖ fp32 scale). */
  readonly bytes: number[];
  /** Dequantised values (512, or 128 for the indexer). */
  readonly values: number[];
}

export interface TokenView {
  readonly batchId: number;
  readonly reqId: string;
  readonly pos: number;
  readonly tokenId: number;
  readonly layer: number;
  readonly ratio: number;
  readonly head: number;
  /** Token-cache slot this token's KV entry was written to, and its bytes. */
  readonly slot: number;
  readonly entryBytes: number[];
  readonly compressedWrite: { readonly index: number; readonly slot: number; readonly bytes: number[] } | null;
  /** Valid candidates (global slots in list order) per subset. */
  readonly candidates: { readonly name: string; readonly len: number; readonly slots: number[] }[];
  /** C4A: selected request-local entries with global slot and indexer score, best first. */
  readonly indexer: { readonly numVisible: number; readonly topk: { local: number; slot: number; score: number }[] } | null;
  /** Per subset: its LSE and (reference path only; null on the fast path) its no-sink output. */
  readonly subsets: { readonly name: string; readonly lse: number; readonly out: number[] | null }[];
  readonly sink: number;
  readonly out: number[];
}

export class ModelInspector {
  private readonly executor: () => NumericExecutor;

  constructor(executor: () => NumericExecutor) {
    this.executor = executor;
  }

  /** Batch ids whose traces are kept. */
  get steps(): number[] {
    return this.executor().recordedBatchIds;
  }

  /** Current bytes and values of one slot of a layer's cache. */
  slot(args: { layer: number; slot: number; cache?: CacheKind }): SlotView {
    const kind = args.cache ?? 'token';
    const c = cacheOf(this.executor().model.caches, args.layer, kind);
    const total = c.layout.numPages * c.layout.entriesPerPage;
    if (!Number.isInteger(args.slot) || args.slot < 0 || args.slot >= total) throw new EngineError(`slot must be an integer in [0, ${total}), got ${JSON.stringify(args.slot)}`, 'slot');
    const page = Math.floor(args.slot / c.layout.entriesPerPage);
    const indexInPage = args.slot % c.layout.entriesPerPage;
    if (kind === 'indexer') {
      const bytes = readIndexerEntryBytes(c.bytes, args.slot, c.layout);
      return { layer: args.layer, cache: kind, slot: args.slot, page, indexInPage, bytes: Array.from(bytes), values: Array.from(dequantizeIndexerSlots(c.bytes, [args.slot], c.layout)) };
    }
    const bytes = readEntryV4(c.bytes, args.slot, c.layout);
    return { layer: args.layer, cache: kind, slot: args.slot, page, indexInPage, bytes: Array.from(bytes), values: Array.from(dequantizeEntryV4(bytes)) };
  }

  /** Every entry of one block (page) of a layer's cache, plus the raw page bytes in memory order. */
  block(args: { layer: number; blockId: number; cache?: CacheKind }): { layer: number; cache: CacheKind; blockId: number; pageBytes: number[]; entries: SlotView[] } {
    const kind = args.cache ?? 'token';
    const c = cacheOf(this.executor().model.caches, args.layer, kind);
    if (!Number.isInteger(args.blockId) || args.blockId < 0 || args.blockId >= c.layout.numPages) throw new EngineError(`blockId must be an integer in [0, ${c.layout.numPages}), got ${JSON.stringify(args.blockId)}`, 'blockId');
    const E = c.layout.entriesPerPage;
    const entries: SlotView[] = [];
    for (let i = 0; i < E; i++) entries.push(this.slot({ layer: args.layer, slot: args.blockId * E + i, cache: kind }));
    const pageBytes = Array.from(c.bytes.subarray(args.blockId * c.layout.pageStride, (args.blockId + 1) * c.layout.pageStride));
    return { layer: args.layer, cache: kind, blockId: args.blockId, pageBytes, entries };
  }

  /** The raw record of a kept step (typed arrays; `token()` gives plain values). */
  record(batchId: number): NumericStepRecord {
    return this.executor().record(batchId);
  }

  /** One token of a kept step at one layer and head. */
  token(args: { batchId: number; reqId: string; pos: number; layer: number; head?: number }): TokenView {
    const rec = this.executor().record(args.batchId);
    const row = rec.tokens.findIndex((t) => t.reqId === args.reqId && t.pos === args.pos);
    if (row < 0) {
      const have = rec.tokens.filter((t) => t.reqId === args.reqId).map((t) => t.pos);
      throw new EngineError(`batch ${args.batchId} ran no token of ${JSON.stringify(args.reqId)} at pos ${args.pos} (positions run: ${have.join(', ') || 'none'})`, 'pos');
    }
    const layers = rec.traces;
    if (!Number.isInteger(args.layer) || args.layer < 0 || args.layer >= layers.length) throw new EngineError(`layer must be an integer in [0, ${layers.length}), got ${JSON.stringify(args.layer)}`, 'layer');
    const model = this.executor().model;
    const H = model.config.numHeads;
    const head = args.head ?? 0;
    if (!Number.isInteger(head) || head < 0 || head >= H) throw new EngineError(`head must be an integer in [0, ${H}), got ${JSON.stringify(head)}`, 'head');
    const tr = layers[args.layer]![row]!;
    const headRow = (a: Float64Array): number[] => Array.from(a.subarray(head * HEAD_DIM, (head + 1) * HEAD_DIM));
    const ratio = model.caches[args.layer]!.ratio;
    let indexer: TokenView['indexer'] = null;
    if (tr.indexer !== null) {
      const comp = tr.subsets.find((s) => s.name === 'compressed')!;
      const topk = [];
      for (let i = 0; i < tr.indexer.localTopk.length; i++) {
        const local = tr.indexer.localTopk[i]!;
        if (local >= 0) topk.push({ local, slot: comp.slots[i]!, score: tr.indexer.logits[local]! });
      }
      topk.sort((a, b) => b.score - a.score || a.local - b.local);
      indexer = { numVisible: tr.indexer.numVisible, topk };
    }
    return {
      batchId: args.batchId,
      reqId: args.reqId,
      pos: args.pos,
      tokenId: rec.tokens[row]!.tokenId,
      layer: args.layer,
      ratio,
      head,
      slot: tr.slot,
      entryBytes: Array.from(tr.entry),
      compressedWrite: tr.compressedWrite === null ? null : { index: tr.compressedWrite.index, slot: tr.compressedWrite.slot, bytes: Array.from(tr.compressedWrite.bytes) },
      candidates: tr.subsets.map((s) => ({ name: s.name, len: s.len, slots: Array.from(s.slots.subarray(0, s.len)).filter((x) => x >= 0) })),
      indexer,
      subsets: tr.subsets.map((s) => ({ name: s.name, lse: s.lse[head]!, out: s.out === null ? null : headRow(s.out) })),
      sink: model.weights.layers[args.layer]!.sink[head]!,
      out: headRow(tr.out),
    };
  }

  /** Sampled positions of a kept step (all requests, or one), with top logits and draft verdicts. */
  sampled(args: { batchId: number; reqId?: string }): SampledRecord[] {
    const rec = this.executor().record(args.batchId);
    return rec.sampled.filter((s) => args.reqId === undefined || s.reqId === args.reqId).map((s) => ({ ...s, topLogits: s.topLogits.map((t) => ({ ...t })) }));
  }
}
