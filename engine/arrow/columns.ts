/**
 * Column specs → Apache Arrow tables. Every enginelab table is declared as a list of typed
 * columns with a one-line doc each; the builder fills typed arrays directly (no per-value
 * boxing in Arrow's generic builders), so a million-row trace converts at memory speed.
 * Strings are either dictionary-encoded (`dict`: names that repeat, such as request ids, modes,
 * statuses) or plain `utf8`. Simulated times are `duration[us]` counted from the engine's start
 * (an elapsed time, not a date: a `timestamp` would read as 1970-01-01 in polars, pandas and CSV),
 * and their column names end in `_us`. `timestamp_us` stays available for wall-clock columns.
 */
import {
  Bool, Data, Dictionary, Field, Float32, Float64, Int32, Int64, Schema, Table, Uint8, Uint16, Uint32,
  Utf8, TimestampMicrosecond, DurationMicrosecond, makeData, makeVector, RecordBatch, Struct,
  type DataType,
} from 'apache-arrow';
import { EngineError } from '../base/errors';

export type ColumnKind =
  | 'u8' | 'u16' | 'u32' | 'i32' | 'i64' | 'f32' | 'f64' | 'bool' | 'utf8' | 'dict'
  | 'timestamp_us' | 'duration_us';

export type CellValue = number | bigint | string | boolean | null | undefined;

export interface ColumnSpec<R> {
  readonly name: string;
  readonly kind: ColumnKind;
  /** What the column holds, with its unit; stored as the field's `doc` metadata. */
  readonly doc: string;
  /** Whether `get` may return null/undefined (stored as an Arrow null). */
  readonly nullable?: boolean;
  readonly get: (row: R) => CellValue;
}

export interface TableSpec<R> {
  /** Table name, stored as schema metadata `enginelab.table`. */
  readonly name: string;
  readonly doc: string;
  readonly columns: readonly ColumnSpec<R>[];
}

/** Bumped whenever a documented schema changes incompatibly. */
export const ARROW_SCHEMA_VERSION = '2'; // 2: simulated times duration[us] (1: timestamp[us])

const textEncoder = new TextEncoder();

function arrowType(kind: ColumnKind, dictId: number): DataType {
  switch (kind) {
    case 'u8': return new Uint8();
    case 'u16': return new Uint16();
    case 'u32': return new Uint32();
    case 'i32': return new Int32();
    case 'i64': return new Int64();
    case 'f32': return new Float32();
    case 'f64': return new Float64();
    case 'bool': return new Bool();
    case 'utf8': return new Utf8();
    case 'dict': return new Dictionary(new Utf8(), new Int32(), dictId, false);
    case 'timestamp_us': return new TimestampMicrosecond();
    case 'duration_us': return new DurationMicrosecond();
  }
}

/** The Arrow schema of a table spec, with docs as field and schema metadata. */
export function schemaOf<R>(spec: TableSpec<R>): Schema {
  const fields = spec.columns.map((c, i) =>
    new Field(c.name, arrowType(c.kind, i), c.nullable ?? false, new Map([['doc', c.doc]])));
  return new Schema(fields, new Map([
    ['enginelab.table', spec.name],
    ['enginelab.schema_version', ARROW_SCHEMA_VERSION],
    ['doc', spec.doc],
  ]));
}

function badValue(table: string, col: ColumnSpec<unknown>, row: number, v: unknown, want: string): EngineError {
  return new EngineError(
    `${table}.${col.name}: row ${row} has ${typeof v} ${String(v)}, expected ${want}${col.nullable ? ' or null' : ''}`,
    col.name);
}

function buildColumn<R>(table: string, col: ColumnSpec<R>, type: DataType, rows: readonly R[]): Data {
  const n = rows.length;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  const markNull = (i: number, v: unknown): void => {
    if (!col.nullable) throw badValue(table, col as ColumnSpec<unknown>, i, v, col.kind);
    if (!nullBitmap) nullBitmap = new Uint8Array((n + 7) >> 3).fill(0xff);
    nullBitmap[i >> 3]! &= ~(1 << (i & 7));
    nullCount++;
  };
  const k = col.kind;
  if (k === 'utf8' || k === 'dict') {
    const strings: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = col.get(rows[i]!);
      if (v === null || v === undefined) { markNull(i, v); strings[i] = ''; continue; }
      if (typeof v !== 'string') throw badValue(table, col as ColumnSpec<unknown>, i, v, 'a string');
      strings[i] = v;
    }
    if (k === 'utf8') return utf8Data(strings, nullBitmap, nullCount);
    const index = new Map<string, number>();
    const keys = new Int32Array(n);
    const uniques: string[] = [];
    for (let i = 0; i < n; i++) {
      if (nullBitmap && !(nullBitmap[i >> 3]! & (1 << (i & 7)))) continue;
      const s = strings[i]!;
      let id = index.get(s);
      if (id === undefined) { id = uniques.length; uniques.push(s); index.set(s, id); }
      keys[i] = id;
    }
    const dictionary = makeVector(utf8Data(uniques, undefined, 0));
    return makeData({ type: type as Dictionary<Utf8, Int32>, length: n, nullCount, nullBitmap, data: keys, dictionary });
  }
  if (k === 'bool') {
    const bits = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) {
      const v = col.get(rows[i]!);
      if (v === null || v === undefined) { markNull(i, v); continue; }
      if (typeof v !== 'boolean') throw badValue(table, col as ColumnSpec<unknown>, i, v, 'a boolean');
      if (v) bits[i >> 3]! |= 1 << (i & 7);
    }
    return makeData({ type: type as Bool, length: n, nullCount, nullBitmap, data: bits });
  }
  if (k === 'i64' || k === 'timestamp_us' || k === 'duration_us') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const v = col.get(rows[i]!);
      if (v === null || v === undefined) { markNull(i, v); continue; }
      if (typeof v === 'bigint') { out[i] = v; continue; }
      if (typeof v !== 'number' || !Number.isFinite(v)) throw badValue(table, col as ColumnSpec<unknown>, i, v, 'a finite number');
      // Simulated microseconds may carry fractions from the cost model; Arrow stores whole µs.
      out[i] = BigInt(Math.round(v));
    }
    return makeData({ type: type as Int64, length: n, nullCount, nullBitmap, data: out as never });
  }
  const Ctor = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, i32: Int32Array, f32: Float32Array, f64: Float64Array }[k];
  const out = new Ctor(n);
  const isInt = k !== 'f32' && k !== 'f64';
  const [lo, hi] = { u8: [0, 255], u16: [0, 65535], u32: [0, 4294967295], i32: [-2147483648, 2147483647], f32: [-Infinity, Infinity], f64: [-Infinity, Infinity] }[k];
  for (let i = 0; i < n; i++) {
    const v = col.get(rows[i]!);
    if (v === null || v === undefined) { markNull(i, v); continue; }
    if (typeof v !== 'number') throw badValue(table, col as ColumnSpec<unknown>, i, v, 'a number');
    if (isInt && (!Number.isInteger(v) || v < lo! || v > hi!)) throw badValue(table, col as ColumnSpec<unknown>, i, v, `an integer in [${lo}, ${hi}]`);
    out[i] = v;
  }
  return makeData({ type: type as Int32, length: n, nullCount, nullBitmap, data: out as never });
}

function utf8Data(strings: readonly string[], nullBitmap: Uint8Array | undefined, nullCount: number): Data<Utf8> {
  const n = strings.length;
  const offsets = new Int32Array(n + 1);
  const parts: Uint8Array[] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const b = textEncoder.encode(strings[i]!);
    parts[i] = b;
    total += b.byteLength;
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) bytes.set(parts[i]!, offsets[i]!);
  return makeData({ type: new Utf8(), length: n, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
}

/** Builds one Arrow table (a single record batch) from rows, validating every value. */
export function buildTable<R>(spec: TableSpec<R>, rows: readonly R[]): Table {
  const schema = schemaOf(spec);
  const children = spec.columns.map((c, i) => buildColumn(spec.name, c, schema.fields[i]!.type, rows));
  const structData = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, structData)]);
}

/** Markdown-style description of a table spec: one line per column (`name: type — doc`). */
export function describeSchema<R>(spec: TableSpec<R>): string {
  const lines = [`${spec.name}: ${spec.doc}`];
  for (const c of spec.columns) lines.push(`  ${c.name}: ${c.kind}${c.nullable ? '?' : ''} — ${c.doc}`);
  return lines.join('\n');
}

