/**
 * Checks one RecordBatch (or a DictionaryBatch's data) of an Arrow IPC message against its
 * schema before apache-arrow loads it, consuming field nodes and buffers in exactly the order
 * apache-arrow's VectorLoader does. What a wrong length or offset would make apache-arrow do —
 * back-fill a null bitmap for 2^40 rows, read strings past their buffer, index past a
 * dictionary — is refused here: node lengths and null counts in range and equal to the batch
 * length, every buffer inside the body and as long as its layout needs, null counts equal to
 * the bitmap's zero bits, offsets non-decreasing and within the data, UTF-8 text valid, views
 * and dictionary indices in range, no compression (apache-arrow would inflate to whatever
 * size the file claims). Every loop runs over bytes present in the file: time is linear in it.
 */
import type { FbRegion, FbTable } from './flatbuffer-view';
import { arrowCheck } from './ipc-format-error';
import type { ColumnDesc } from './ipc-schema';
import { isUtf8, isUtf8Boundary } from './utf8-check';

/** Largest node length (Arrow's 32-bit offsets; apache-arrow indexes with numbers). */
export const MAX_LENGTH = 2 ** 31 - 1;

interface Span { readonly start: number; readonly length: number }

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => { let n = 0; for (let b = i; b; b >>= 1) n += b & 1; return n; });

class BatchCursor {
  private node = 0;
  private buffer = 0;
  private variadic = 0;
  readonly dv: DataView;
  constructor(
    readonly region: FbRegion,
    readonly nodes: { readonly at: number; readonly length: number },
    readonly buffers: { readonly at: number; readonly length: number },
    readonly variadicCounts: { readonly at: number; readonly length: number },
    readonly bodyStart: number,
    readonly bodyLength: number,
    readonly part: string,
  ) {
    this.dv = new DataView(region.bytes.buffer, region.bytes.byteOffset, region.bytes.byteLength);
  }

  nextNode(what: string): { length: number; nullCount: number } {
    arrowCheck(this.node < this.nodes.length, this.part, `${what}: the batch has only ${this.nodes.length} field nodes`);
    const at = this.nodes.at + 16 * this.node++;
    const length = this.region.i64(at, 'a node length');
    const nullCount = this.region.i64(at + 8, 'a null count');
    arrowCheck(length >= 0 && length <= MAX_LENGTH, this.part, `${what}: length ${length} is out of range`);
    arrowCheck(nullCount >= 0 && nullCount <= length, this.part, `${what}: null count ${nullCount} is not within 0..${length}`);
    return { length, nullCount };
  }

  nextBuffer(what: string): Span {
    arrowCheck(this.buffer < this.buffers.length, this.part, `${what}: the batch has only ${this.buffers.length} buffers`);
    const at = this.buffers.at + 16 * this.buffer++;
    const offset = this.region.i64(at, 'a buffer offset');
    const length = this.region.i64(at + 8, 'a buffer length');
    arrowCheck(offset >= 0 && length >= 0 && offset + length <= this.bodyLength, this.part, `${what}: buffer [${offset}, +${length}) lies outside the ${this.bodyLength}-byte body`);
    return { start: this.bodyStart + offset, length };
  }

  nextVariadicCount(): number {
    if (this.variadic >= this.variadicCounts.length) return 0;
    const n = this.region.i64(this.variadicCounts.at + 8 * this.variadic++, 'a variadic buffer count');
    arrowCheck(n >= 0 && n <= this.buffers.length, this.part, `variadic buffer count ${n} is out of range`);
    return n;
  }

  finish(): void {
    arrowCheck(this.node === this.nodes.length, this.part, `${this.nodes.length} field nodes, the schema uses ${this.node}`);
    arrowCheck(this.buffer === this.buffers.length, this.part, `${this.buffers.length} buffers, the schema uses ${this.buffer}`);
    arrowCheck(this.variadic === this.variadicCounts.length, this.part, `${this.variadicCounts.length} variadic buffer counts, the schema uses ${this.variadic}`);
  }
}

function isValid(bytes: Uint8Array, bitmap: Span | undefined, i: number): boolean {
  return bitmap === undefined || (bytes[bitmap.start + (i >> 3)]! & (1 << (i & 7))) !== 0;
}

function checkValidity(c: BatchCursor, length: number, nullCount: number, what: string): Span | undefined {
  const b = c.nextBuffer(`${what} validity`);
  if (nullCount === 0) return undefined; // apache-arrow ignores the bitmap then
  const numBytes = Math.ceil(length / 8);
  arrowCheck(b.length >= numBytes, c.part, `${what}: validity bitmap has ${b.length} bytes, ${length} rows need ${numBytes}`);
  const bytes = c.region.bytes;
  let valid = 0;
  const whole = length >> 3;
  for (let i = 0; i < whole; i++) valid += POPCOUNT[bytes[b.start + i]!]!;
  if (length & 7) valid += POPCOUNT[bytes[b.start + whole]! & ((1 << (length & 7)) - 1)]!;
  arrowCheck(valid === length - nullCount, c.part, `${what}: null count ${nullCount} disagrees with the validity bitmap (${length - valid} nulls)`);
  return b;
}

/** Checks an offsets buffer; returns [first, last] offset. */
function checkOffsets(c: BatchCursor, length: number, offsetBytes: 4 | 8, what: string): { offsets: Span; first: number; last: number } {
  const b = c.nextBuffer(`${what} offsets`);
  if (length === 0 && b.length === 0) return { offsets: b, first: 0, last: 0 };
  arrowCheck(b.length >= offsetBytes * (length + 1), c.part, `${what}: offsets buffer has ${b.length} bytes, ${length} rows need ${offsetBytes * (length + 1)}`);
  const read = offsetBytes === 4 ? (i: number) => c.dv.getInt32(b.start + 4 * i, true) : (i: number) => Number(c.dv.getBigInt64(b.start + 8 * i, true));
  let prev = read(0);
  arrowCheck(prev >= 0, c.part, `${what}: first offset ${prev} is negative`);
  const first = prev;
  for (let i = 1; i <= length; i++) {
    const o = read(i);
    arrowCheck(o >= prev, c.part, `${what}: offset ${i} (${o}) is below offset ${i - 1} (${prev})`);
    prev = o;
  }
  return { offsets: b, first, last: prev };
}

function checkBinary(c: BatchCursor, length: number, offsetBytes: 4 | 8, utf8: boolean, what: string): void {
  const { offsets, first, last } = checkOffsets(c, length, offsetBytes, what);
  const data = c.nextBuffer(`${what} data`);
  arrowCheck(last <= data.length, c.part, `${what}: offsets reach byte ${last}, the data buffer has ${data.length}`);
  if (!utf8 || length === 0) return;
  const bytes = c.region.bytes;
  arrowCheck(isUtf8(bytes, data.start + first, data.start + last), c.part, `${what}: text is not valid UTF-8`);
  for (let i = 1; i < length; i++) {
    const o = offsetBytes === 4 ? c.dv.getInt32(offsets.start + 4 * i, true) : Number(c.dv.getBigInt64(offsets.start + 8 * i, true));
    arrowCheck(isUtf8Boundary(bytes, data.start + o, data.start + last), c.part, `${what}: value ${i} starts inside a UTF-8 character`);
  }
}

function checkViews(c: BatchCursor, length: number, utf8: boolean, what: string): void {
  const views = c.nextBuffer(`${what} views`);
  arrowCheck(views.length >= 16 * length, c.part, `${what}: views buffer has ${views.length} bytes, ${length} rows need ${16 * length}`);
  const data: Span[] = [];
  for (let k = c.nextVariadicCount(); k > 0; k--) data.push(c.nextBuffer(`${what} data`));
  const bytes = c.region.bytes;
  for (let i = 0; i < length; i++) {
    const at = views.start + 16 * i;
    const n = c.dv.getInt32(at, true);
    arrowCheck(n >= 0, c.part, `${what}: view ${i} has negative length ${n}`);
    let start = at + 4;
    if (n > 12) {
      const index = c.dv.getInt32(at + 8, true);
      const offset = c.dv.getInt32(at + 12, true);
      const buf = data[index];
      arrowCheck(buf !== undefined && offset >= 0 && offset + n <= buf.length, c.part, `${what}: view ${i} points outside its data buffers`);
      start = buf.start + offset;
    }
    if (utf8) arrowCheck(isUtf8(bytes, start, start + n), c.part, `${what}: value ${i} is not valid UTF-8`);
  }
}

function checkIndices(c: BatchCursor, col: ColumnDesc, length: number, bitmap: Span | undefined, dictionaryLengths: ReadonlyMap<number, number>, what: string): void {
  const d = col.dictionary!;
  const data = c.nextBuffer(`${what} indices`);
  arrowCheck(data.length >= d.indexBytes * length, c.part, `${what}: indices buffer has ${data.length} bytes, ${length} rows need ${d.indexBytes * length}`);
  const size = dictionaryLengths.get(d.id);
  arrowCheck(size !== undefined, c.part, `${what}: dictionary ${d.id} has not been sent before this batch`);
  const dv = c.dv;
  const bytes = c.region.bytes;
  for (let i = 0; i < length; i++) {
    if (!isValid(bytes, bitmap, i)) continue;
    const p = data.start + d.indexBytes * i;
    const v = d.indexBytes === 1 ? (d.indexSigned ? dv.getInt8(p) : dv.getUint8(p))
      : d.indexBytes === 2 ? (d.indexSigned ? dv.getInt16(p, true) : dv.getUint16(p, true))
        : d.indexBytes === 4 ? (d.indexSigned ? dv.getInt32(p, true) : dv.getUint32(p, true))
          : Number(d.indexSigned ? dv.getBigInt64(p, true) : dv.getBigUint64(p, true));
    arrowCheck(v >= 0 && v < size, c.part, `${what}: row ${i} indexes entry ${v} of a ${size}-entry dictionary`);
  }
}

/** Checks one column node (and its children); returns its length. */
function checkColumn(c: BatchCursor, col: ColumnDesc, dictionaryLengths: ReadonlyMap<number, number>, what: string): number {
  const label = `${what}${JSON.stringify(col.name)}`;
  const { length, nullCount } = c.nextNode(label);
  if (col.dictionary !== undefined) {
    const bitmap = checkValidity(c, length, nullCount, label);
    checkIndices(c, col, length, bitmap, dictionaryLengths, label);
    return length;
  }
  const layout = col.layout;
  if (layout.kind === 'null') return length;
  checkValidity(c, length, nullCount, label);
  switch (layout.kind) {
    case 'bool': case 'fixed': {
      const data = c.nextBuffer(`${label} data`);
      const need = layout.kind === 'bool' ? Math.ceil(length / 8) : length * layout.byteWidth;
      arrowCheck(data.length >= need, c.part, `${label}: data buffer has ${data.length} bytes, ${length} rows need ${need}`);
      break;
    }
    case 'binary': checkBinary(c, length, layout.offsetBytes, layout.utf8, label); break;
    case 'view': checkViews(c, length, layout.utf8, label); break;
    case 'list': {
      const { last } = checkOffsets(c, length, layout.offsetBytes, label);
      const childLength = checkColumn(c, col.children[0]!, dictionaryLengths, `${label}.`);
      arrowCheck(last <= childLength, c.part, `${label}: offsets reach child row ${last}, the child has ${childLength}`);
      break;
    }
    case 'fixed-list': {
      const childLength = checkColumn(c, col.children[0]!, dictionaryLengths, `${label}.`);
      arrowCheck(layout.listSize === 0 || length <= Math.floor(childLength / layout.listSize), c.part, `${label}: ${length} lists of ${layout.listSize} need more than the child's ${childLength} rows`);
      break;
    }
    case 'struct':
      for (const child of col.children) {
        const childLength = checkColumn(c, child, dictionaryLengths, `${label}.`);
        arrowCheck(childLength >= length, c.part, `${label}: child ${JSON.stringify(child.name)} has ${childLength} rows, the struct ${length}`);
      }
      break;
  }
  return length;
}

/**
 * Checks a RecordBatch table whose body occupies `[bodyStart, bodyStart + bodyLength)`; every
 * top-level column must have the batch's length. Returns the batch length.
 */
export function checkRecordBatch(region: FbRegion, rb: FbTable, bodyStart: number, bodyLength: number, columns: readonly ColumnDesc[], dictionaryLengths: ReadonlyMap<number, number>, part: string): number {
  const length = rb.i64(0, 0, 'length');
  arrowCheck(length >= 0 && length <= MAX_LENGTH, part, `batch length ${length} is out of range`);
  arrowCheck(rb.table(3, 'compression') === undefined, part, 'compressed record batches (LZ4/ZSTD) are not supported');
  const c = new BatchCursor(region, rb.vector(1, 16, 'nodes'), rb.vector(2, 16, 'buffers'), rb.vector(4, 8, 'variadicBufferCounts'), bodyStart, bodyLength, part);
  for (const col of columns) {
    const n = checkColumn(c, col, dictionaryLengths, 'column ');
    arrowCheck(n === length, part, `column ${JSON.stringify(col.name)} has ${n} rows, the batch ${length}`);
  }
  c.finish();
  return length;
}
