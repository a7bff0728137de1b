/**
 * The tiny model's device caches, one set per layer, all addressed through the KV manager's block
 * ids (one engine block = one 256-token V4 page): the token cache (one fp8_ds_mla entry per raw
 * position; the SWA subset reads it), the compressed cache of C4A/C128A layers (256/r entries per
 * page, same block id) and the indexer K cache of C4A layers (64 entries per page, §7.5 layout).
 * Pages that were ever written are tracked so a snapshot carries only those.
 */
import { EngineError } from '../base/errors';
import { entriesPerPageForRatio } from '../attention/v4-candidates';
import { indexerCacheLayout } from '../quant/indexer-cache';
import type { PagedCacheLayout } from '../quant/paged-layout';
import { v4CacheLayout } from '../quant/v4-paged-cache';
import type { JsonValue } from '../contracts/executor';
import { TINY_V4_PAGE_SIZE } from './tiny-v4-config';

export type CacheKind = 'token' | 'compressed' | 'indexer';

export interface PagedCache {
  readonly kind: CacheKind;
  readonly layout: PagedCacheLayout;
  readonly bytes: Uint8Array;
  /** Pages written at least once (for snapshots). */
  readonly dirtyPages: Set<number>;
}

export interface LayerCaches {
  readonly ratio: number;
  readonly token: PagedCache;
  readonly compressed: PagedCache | null;
  readonly indexer: PagedCache | null;
}

function makeCache(kind: CacheKind, layout: PagedCacheLayout): PagedCache {
  return { kind, layout, bytes: new Uint8Array(layout.numPages * layout.pageStride), dirtyPages: new Set() };
}

/** Allocates every layer's caches for `numPages` engine blocks. */
export function createLayerCaches(ratios: readonly number[], numPages: number): LayerCaches[] {
  if (!Number.isInteger(numPages) || numPages < 1) throw new EngineError(`numPages must be a positive integer, got ${numPages}`, 'numPages');
  return ratios.map((ratio) => ({
    ratio,
    token: makeCache('token', v4CacheLayout({ entriesPerPage: TINY_V4_PAGE_SIZE, numPages })),
    compressed: ratio > 1 ? makeCache('compressed', v4CacheLayout({ entriesPerPage: entriesPerPageForRatio(ratio), numPages })) : null,
    indexer: ratio === 4 ? makeCache('indexer', indexerCacheLayout({ numPages, entriesPerPage: entriesPerPageForRatio(4) })) : null,
  }));
}

/** Marks the page of `slot` written. */
export function markSlot(cache: PagedCache, slot: number): void {
  cache.dirtyPages.add(Math.floor(slot / cache.layout.entriesPerPage));
}

/** Returns the named cache of a layer or throws naming the argument. */
export function cacheOf(layers: readonly LayerCaches[], layer: number, kind: CacheKind): PagedCache {
  const l = layers[layer];
  if (!Number.isInteger(layer) || l === undefined) throw new EngineError(`layer must be an integer in [0, ${layers.length}), got ${JSON.stringify(layer)}`, 'layer');
  const c = kind === 'token' ? l.token : kind === 'compressed' ? l.compressed : kind === 'indexer' ? l.indexer : undefined;
  if (c === undefined) throw new EngineError(`cache must be 'token', 'compressed' or 'indexer', got ${JSON.stringify(kind)}`, 'cache');
  if (c === null) throw new EngineError(`layer ${layer} (ratio ${l.ratio}) has no ${kind} cache`, 'cache');
  return c;
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string, name: string): Uint8Array {
  let s: string;
  try {
    s = atob(text);
  } catch {
    throw new EngineError(`${name} is not valid base64`, 'state');
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Written pages of every cache as JSON: [[layer, kind, page, base64], …] in a stable order. */
export function snapshotCaches(layers: readonly LayerCaches[]): JsonValue {
  const rows: JsonValue[] = [];
  layers.forEach((l, i) => {
    for (const c of [l.token, l.compressed, l.indexer]) {
      if (c === null) continue;
      for (const p of [...c.dirtyPages].sort((a, b) => a - b)) {
        rows.push([i, c.kind, p, toBase64(c.bytes.subarray(p * c.layout.pageStride, (p + 1) * c.layout.pageStride))]);
      }
    }
  });
  return rows;
}

/** Restores pages written by `snapshotCaches` into freshly zeroed caches. */
export function restoreCaches(layers: readonly LayerCaches[], state: JsonValue): void {
  if (!Array.isArray(state)) throw new EngineError('cache state must be a list of pages', 'state');
  for (const l of layers) for (const c of [l.token, l.compressed, l.indexer]) if (c !== null) { c.bytes.fill(0); c.dirtyPages.clear(); }
  state.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== 4 || typeof row[0] !== 'number' || typeof row[1] !== 'string' || typeof row[2] !== 'number' || typeof row[3] !== 'string') {
      throw new EngineError(`cache page ${i} must be [layer, kind, page, base64]`, 'state');
    }
    const c = cacheOf(layers, row[0], row[1] as CacheKind);
    const page = row[2];
    if (!Number.isInteger(page) || page < 0 || page >= c.layout.numPages) throw new EngineError(`cache page ${i}: page ${page} is outside the cache`, 'state');
    const bytes = fromBase64(row[3], `cache page ${i}`);
    if (bytes.length !== c.layout.pageStride) throw new EngineError(`cache page ${i} holds ${bytes.length} bytes, expected ${c.layout.pageStride}`, 'state');
    c.bytes.set(bytes, page * c.layout.pageStride);
    c.dirtyPages.add(page);
  });
}
