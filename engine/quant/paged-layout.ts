/**
 * Pages and global slot ids (sparse-mla.md §4.1). A cache is a byte array of `numPages` pages of
 * `pageStride` bytes, each holding `entriesPerPage` (E) entries; global slot = page·E + offset.
 * The stride is taken from the real tensor, because 576-byte alignment (and the hybrid
 * allocator) can make it larger than E·entryBytes. Request-local index i maps to a global slot
 * through the request's block-table row: blockTable[i div E]·E + i mod E.
 */
import { EngineError } from '../base/errors';

/** Geometry of one paged cache. */
export interface PagedCacheLayout {
  /** Entries per page (E): 64 for SWA/C4A/indexer, 2 for C128A. */
  readonly entriesPerPage: number;
  /** Bytes per page (≥ E·entryBytes). */
  readonly pageStride: number;
  /** Bytes of one logical entry (584 V4, 656 V3.2, 132 indexer). */
  readonly entryBytes: number;
  /** Number of pages in the cache. */
  readonly numPages: number;
}

/** `n` rounded up to a multiple of `m`. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** The usual page stride: E·entryBytes rounded up to a multiple of 576. */
export function defaultPageStride(entriesPerPage: number, entryBytes: number): number {
  return roundUp(entriesPerPage * entryBytes, 576);
}

function requirePositiveInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v <= 0) throw new EngineError(`${name} must be a positive integer, got ${v}`, name);
}

/** Builds and checks a layout; `pageStride` defaults to `defaultPageStride`. */
export function pagedCacheLayout(opts: {
  entriesPerPage: number;
  entryBytes: number;
  numPages: number;
  pageStride?: number;
}): PagedCacheLayout {
  requirePositiveInt(opts.entriesPerPage, 'entriesPerPage');
  requirePositiveInt(opts.entryBytes, 'entryBytes');
  if (!Number.isInteger(opts.numPages) || opts.numPages < 0) {
    throw new EngineError(`numPages must be a non-negative integer, got ${opts.numPages}`, 'numPages');
  }
  const pageStride = opts.pageStride ?? defaultPageStride(opts.entriesPerPage, opts.entryBytes);
  requirePositiveInt(pageStride, 'pageStride');
  if (pageStride < opts.entriesPerPage * opts.entryBytes) {
    throw new EngineError(
      `pageStride ${pageStride} is smaller than entriesPerPage·entryBytes = ${opts.entriesPerPage * opts.entryBytes}`,
      'pageStride',
    );
  }
  return { entriesPerPage: opts.entriesPerPage, entryBytes: opts.entryBytes, numPages: opts.numPages, pageStride };
}

/** Number of slots of a layout. */
export function numSlots(layout: PagedCacheLayout): number {
  return layout.numPages * layout.entriesPerPage;
}

/** Checks that `cache` is exactly numPages·pageStride bytes. */
export function checkCacheBytes(cache: Uint8Array, layout: PagedCacheLayout, name = 'cache'): void {
  if (!(cache instanceof Uint8Array)) throw new EngineError(`${name} must be a Uint8Array`, name);
  if (cache.length !== layout.numPages * layout.pageStride) {
    throw new EngineError(
      `${name} has ${cache.length} bytes, expected numPages·pageStride = ${layout.numPages * layout.pageStride}`,
      name,
    );
  }
}

/** Throws unless `slot` is an integer in [0, numSlots). */
export function checkSlot(slot: number, layout: PagedCacheLayout, name = 'slot'): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= numSlots(layout)) {
    throw new EngineError(`${name} ${slot} is outside the cache (0 … ${numSlots(layout) - 1})`, name);
  }
}

/** Page and in-page offset of a global slot. */
export function slotPosition(slot: number, layout: PagedCacheLayout): { page: number; indexInPage: number } {
  checkSlot(slot, layout);
  return { page: Math.floor(slot / layout.entriesPerPage), indexInPage: slot % layout.entriesPerPage };
}

/**
 * Global slot of request-local index `local` through a block-table row (pages in logical order).
 * Upstream lists use −1 for "none"; that value passes through unchanged at this boundary.
 */
export function localToGlobalSlot(blockTable: ArrayLike<number>, local: number, entriesPerPage: number): number {
  requirePositiveInt(entriesPerPage, 'entriesPerPage');
  if (local === -1) return -1;
  if (!Number.isInteger(local) || local < 0) throw new EngineError(`local index must be ≥ 0 or −1, got ${local}`, 'local');
  const logicalPage = Math.floor(local / entriesPerPage);
  if (logicalPage >= blockTable.length) {
    throw new EngineError(
      `local index ${local} needs logical page ${logicalPage}, but blockTable has ${blockTable.length} pages`,
      'blockTable',
    );
  }
  const page = blockTable[logicalPage]!;
  if (!Number.isInteger(page) || page < 0) throw new EngineError(`blockTable[${logicalPage}] = ${page} is not a page`, 'blockTable');
  return page * entriesPerPage + (local % entriesPerPage);
}

/** `localToGlobalSlot` over a list (−1 stays −1). */
export function localToGlobalSlots(blockTable: ArrayLike<number>, locals: ArrayLike<number>, entriesPerPage: number): Int32Array {
  const out = new Int32Array(locals.length);
  for (let i = 0; i < locals.length; i++) out[i] = localToGlobalSlot(blockTable, locals[i]!, entriesPerPage);
  return out;
}
