/**
 * A bounds-checked reader of the FlatBuffers that hold Arrow IPC metadata (Message, Schema,
 * Footer). apache-arrow's own FlatBuffers reader does no bounds checks (a read past the end
 * yields 0) and follows any offset, so a corrupt file steers it anywhere; this reader checks
 * every offset, length and vtable against the region the metadata occupies and throws
 * `ArrowFormatError` instead. Where the FlatBuffers runtime reads a value as signed (vtable
 * sizes, field offsets, uoffsets, vector lengths) and a negative value would be read
 * differently by the two, the value is refused, so both readers always agree on what they see.
 * Every string read is charged to a byte budget: strings shared by many references cannot make
 * a small file decode into gigabytes.
 */
import { arrowCheck } from './ipc-format-error';

export interface FbBudget {
  /** Bytes of strings that may still be decoded. */
  stringBytes: number;
}

export class FbRegion {
  private readonly dv: DataView;
  constructor(
    readonly bytes: Uint8Array,
    /** Absolute start and end (exclusive) of the FlatBuffer in `bytes`. */
    readonly start: number,
    readonly end: number,
    readonly part: string,
    readonly budget: FbBudget,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(pos: number, n: number, what: string): void {
    arrowCheck(Number.isSafeInteger(pos) && pos >= this.start && n >= 0 && pos + n <= this.end, this.part, `${what} lies outside the metadata (offset ${pos - this.start}, ${n} bytes, metadata is ${this.end - this.start} bytes)`);
  }

  i8(pos: number): number { this.need(pos, 1, 'a value'); return this.dv.getInt8(pos); }
  u8(pos: number): number { this.need(pos, 1, 'a value'); return this.dv.getUint8(pos); }
  i16(pos: number): number { this.need(pos, 2, 'a value'); return this.dv.getInt16(pos, true); }
  i32(pos: number): number { this.need(pos, 4, 'a value'); return this.dv.getInt32(pos, true); }
  /** A 64-bit integer that must be representable exactly as a JavaScript number. */
  i64(pos: number, what: string): number {
    this.need(pos, 8, what);
    const v = this.dv.getBigInt64(pos, true);
    arrowCheck(v >= -(2n ** 53n) && v <= 2n ** 53n, this.part, `${what} ${v} is out of range`);
    return Number(v);
  }

  /** The root table (uoffset at the start of the region). */
  root(what: string): FbTable {
    return this.table(this.start + this.uoffset(this.start, what), what);
  }

  /** Target of the uoffset stored at `pos`, relative to `pos`. */
  uoffset(pos: number, what: string): number {
    const off = this.i32(pos);
    arrowCheck(off > 0, this.part, `${what} has a bad offset ${off}`);
    return off;
  }

  table(pos: number, what: string): FbTable {
    this.need(pos, 4, what);
    const vt = pos - this.i32(pos);
    this.need(vt, 4, `${what}'s vtable`);
    const vtSize = this.i16(vt);
    const tableSize = this.i16(vt + 2);
    arrowCheck(vtSize >= 4 && vtSize % 2 === 0 && tableSize >= 4, this.part, `${what} has a bad vtable (size ${vtSize}, table ${tableSize})`);
    this.need(vt, vtSize, `${what}'s vtable`);
    this.need(pos, tableSize, what);
    return new FbTable(this, pos, vt, vtSize, tableSize, what);
  }

  /** A vector at the uoffset stored at `pos`: position of element 0 and the length. */
  vector(pos: number, elementSize: number, what: string): { readonly at: number; readonly length: number } {
    const v = pos + this.uoffset(pos, what);
    const length = this.i32(v);
    arrowCheck(length >= 0, this.part, `${what} has a negative length ${length}`);
    this.need(v + 4, length * elementSize, what);
    return { at: v + 4, length };
  }

  string(pos: number, what: string): string {
    const { at, length } = this.vector(pos, 1, what);
    this.budget.stringBytes -= length;
    arrowCheck(this.budget.stringBytes >= 0, this.part, `${what}: strings referenced over and over exceed the decoding budget`);
    return new TextDecoder().decode(this.bytes.subarray(at, at + length));
  }
}

export class FbTable {
  constructor(
    readonly region: FbRegion,
    readonly pos: number,
    private readonly vt: number,
    private readonly vtSize: number,
    private readonly tableSize: number,
    readonly what: string,
  ) {}

  /** Absolute position of field `index`, or undefined when absent (the default applies). */
  field(index: number, size: number): number | undefined {
    const slot = 4 + 2 * index;
    if (slot >= this.vtSize) return undefined;
    const off = this.region.i16(this.vt + slot);
    if (off === 0) return undefined;
    arrowCheck(off > 0 && off + size <= this.tableSize, this.region.part, `${this.what}: field ${index} lies outside its table`);
    return this.pos + off;
  }

  bool(index: number, dflt: boolean): boolean { const p = this.field(index, 1); return p === undefined ? dflt : this.region.i8(p) !== 0; }
  u8(index: number, dflt: number): number { const p = this.field(index, 1); return p === undefined ? dflt : this.region.u8(p); }
  i16(index: number, dflt: number): number { const p = this.field(index, 2); return p === undefined ? dflt : this.region.i16(p); }
  i32(index: number, dflt: number): number { const p = this.field(index, 4); return p === undefined ? dflt : this.region.i32(p); }
  i64(index: number, dflt: number, what: string): number { const p = this.field(index, 8); return p === undefined ? dflt : this.region.i64(p, `${this.what}.${what}`); }

  table(index: number, what: string): FbTable | undefined {
    const p = this.field(index, 4);
    return p === undefined ? undefined : this.region.table(p + this.region.uoffset(p, `${this.what}.${what}`), `${this.what}.${what}`);
  }

  string(index: number, what: string): string | undefined {
    const p = this.field(index, 4);
    return p === undefined ? undefined : this.region.string(p, `${this.what}.${what}`);
  }

  /** A vector field: element positions come from `at + i * elementSize`. */
  vector(index: number, elementSize: number, what: string): { readonly at: number; readonly length: number } {
    const p = this.field(index, 4);
    return p === undefined ? { at: 0, length: 0 } : this.region.vector(p, elementSize, `${this.what}.${what}`);
  }

  /** Element `i` of a vector of tables. */
  tableAt(vec: { readonly at: number }, i: number, what: string): FbTable {
    const p = vec.at + 4 * i;
    return this.region.table(p + this.region.uoffset(p, what), what);
  }
}
