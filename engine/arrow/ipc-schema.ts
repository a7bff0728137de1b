/**
 * Reads an Arrow Schema FlatBuffer (Schema.fbs) into the column layouts the record-batch check
 * needs (ipc-batch-check.ts), mirroring how apache-arrow decodes it (a dictionary id seen again
 * reuses the first field's value type; an absent index type is int32). Everything is bounded
 * before it is walked: at most MAX_FIELDS field visits in all (FlatBuffers let a vector point at
 * one table many times, so a small file could otherwise describe an exponentially large tree),
 * nesting at most MAX_NESTING deep, and every string charged to the region's budget. Types
 * apache-arrow cannot read, or reads without a layout we can check, are refused by name.
 */
import { FbRegion, type FbTable } from './flatbuffer-view';
import { ArrowFormatError, arrowCheck } from './ipc-format-error';

export const MAX_FIELDS = 100_000;
export const MAX_NESTING = 64;

/** The physical layout of one column node, as apache-arrow's VectorLoader consumes buffers. */
export type Layout =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'fixed'; readonly byteWidth: number }
  | { readonly kind: 'binary'; readonly offsetBytes: 4 | 8; readonly utf8: boolean }
  | { readonly kind: 'view'; readonly utf8: boolean }
  | { readonly kind: 'list'; readonly offsetBytes: 4 | 8 }
  | { readonly kind: 'fixed-list'; readonly listSize: number }
  | { readonly kind: 'struct' };

export interface DictionaryRef {
  readonly id: number;
  readonly indexBytes: 1 | 2 | 4 | 8;
  readonly indexSigned: boolean;
}

export interface ColumnDesc {
  readonly name: string;
  /** Layout of the values: for a dictionary-encoded field, of the dictionary's values. */
  readonly layout: Layout;
  readonly children: readonly ColumnDesc[];
  /** Present when the column holds dictionary indices. */
  readonly dictionary?: DictionaryRef;
}

export interface SchemaDesc {
  readonly columns: readonly ColumnDesc[];
  /** Value column (layout and children) of each dictionary id, as apache-arrow keys them. */
  readonly dictionaries: ReadonlyMap<number, ColumnDesc>;
}

// Type union ids (Schema.fbs).
const T = { NONE: 0, Null: 1, Int: 2, FloatingPoint: 3, Binary: 4, Utf8: 5, Bool: 6, Decimal: 7, Date: 8, Time: 9, Timestamp: 10, Interval: 11, List: 12, Struct: 13, Union: 14, FixedSizeBinary: 15, FixedSizeList: 16, Map: 17, Duration: 18, LargeBinary: 19, LargeUtf8: 20, LargeList: 21, RunEndEncoded: 22, BinaryView: 23, Utf8View: 24, ListView: 25, LargeListView: 26 } as const;
const UNSUPPORTED: Record<number, string> = { [T.Union]: 'Union', [T.RunEndEncoded]: 'RunEndEncoded', [T.ListView]: 'ListView', [T.LargeListView]: 'LargeListView' };

interface Walk {
  fields: number;
  readonly dictionaries: Map<number, ColumnDesc>;
  readonly part: string;
}

function intWidth(t: FbTable | undefined, part: string, what: string): { bytes: 1 | 2 | 4 | 8; signed: boolean } {
  arrowCheck(t !== undefined, part, `${what}: Int type table missing`);
  const bits = t.i32(0, 0);
  arrowCheck(bits === 8 || bits === 16 || bits === 32 || bits === 64, part, `${what}: Int bit width ${bits} is not 8, 16, 32 or 64`);
  return { bytes: (bits / 8) as 1 | 2 | 4 | 8, signed: t.bool(1, false) };
}

/** Layout of a field's type (the union at fields 2/3 of Field); children checked by the caller. */
function layoutOf(f: FbTable, numChildren: number, part: string, what: string): Layout {
  const typeId = f.u8(2, T.NONE);
  const unsupported = UNSUPPORTED[typeId];
  arrowCheck(unsupported === undefined, part, `${what}: Arrow type ${unsupported} is not supported by this reader`);
  const t = f.table(3, 'type');
  const needTable = (name: string): FbTable => {
    arrowCheck(t !== undefined, part, `${what}: ${name} type parameters missing`);
    return t;
  };
  const children = (n: number, name: string) => arrowCheck(numChildren === n, part, `${what}: ${name} needs ${n} child field${n === 1 ? '' : 's'}, has ${numChildren}`);
  if (typeId !== T.List && typeId !== T.LargeList && typeId !== T.FixedSizeList && typeId !== T.Map && typeId !== T.Struct) children(0, 'a primitive type');
  switch (typeId) {
    case T.NONE: case T.Null: return { kind: 'null' };
    case T.Bool: return { kind: 'bool' };
    case T.Int: return { kind: 'fixed', byteWidth: intWidth(t, part, what).bytes };
    case T.FloatingPoint: {
      const precision = needTable('FloatingPoint').i16(0, 0);
      arrowCheck(precision >= 0 && precision <= 2, part, `${what}: floating-point precision ${precision} is unknown`);
      return { kind: 'fixed', byteWidth: [2, 4, 8][precision]! };
    }
    case T.Decimal: {
      const bits = needTable('Decimal').i32(2, 128);
      arrowCheck(bits === 32 || bits === 64 || bits === 128 || bits === 256, part, `${what}: decimal bit width ${bits} is not 32, 64, 128 or 256`);
      return { kind: 'fixed', byteWidth: bits / 8 };
    }
    case T.Date: {
      const unit = needTable('Date').i16(0, 1);
      arrowCheck(unit === 0 || unit === 1, part, `${what}: date unit ${unit} is unknown`);
      return { kind: 'fixed', byteWidth: unit === 0 ? 4 : 8 };
    }
    case T.Time: {
      const tt = needTable('Time');
      const unit = tt.i16(0, 1);
      const bits = tt.i32(1, 32);
      arrowCheck(unit >= 0 && unit <= 3 && bits === (unit <= 1 ? 32 : 64), part, `${what}: time unit ${unit} with bit width ${bits} is not valid`);
      return { kind: 'fixed', byteWidth: bits / 8 };
    }
    case T.Timestamp: case T.Duration: {
      const unit = needTable(typeId === T.Timestamp ? 'Timestamp' : 'Duration').i16(0, typeId === T.Timestamp ? 0 : 1);
      arrowCheck(unit >= 0 && unit <= 3, part, `${what}: time unit ${unit} is unknown`);
      if (typeId === T.Timestamp) t!.string(1, 'timezone');
      return { kind: 'fixed', byteWidth: 8 };
    }
    case T.Interval: {
      const unit = needTable('Interval').i16(0, 0);
      arrowCheck(unit >= 0 && unit <= 2, part, `${what}: interval unit ${unit} is unknown`);
      return { kind: 'fixed', byteWidth: [4, 8, 16][unit]! };
    }
    case T.FixedSizeBinary: {
      const width = needTable('FixedSizeBinary').i32(0, 0);
      arrowCheck(width >= 0, part, `${what}: fixed-size binary width ${width} is negative`);
      return { kind: 'fixed', byteWidth: width };
    }
    case T.Binary: case T.Utf8: return { kind: 'binary', offsetBytes: 4, utf8: typeId === T.Utf8 };
    case T.LargeBinary: case T.LargeUtf8: return { kind: 'binary', offsetBytes: 8, utf8: typeId === T.LargeUtf8 };
    case T.BinaryView: case T.Utf8View: return { kind: 'view', utf8: typeId === T.Utf8View };
    case T.List: case T.Map: children(1, typeId === T.Map ? 'Map' : 'List'); return { kind: 'list', offsetBytes: 4 };
    case T.LargeList: children(1, 'LargeList'); return { kind: 'list', offsetBytes: 8 };
    case T.FixedSizeList: {
      children(1, 'FixedSizeList');
      const listSize = needTable('FixedSizeList').i32(0, 0);
      arrowCheck(listSize >= 0, part, `${what}: list size ${listSize} is negative`);
      return { kind: 'fixed-list', listSize };
    }
    case T.Struct: return { kind: 'struct' };
    default: throw new ArrowFormatError(part, `${what}: unknown Arrow type id ${typeId}`);
  }
}

function readField(f: FbTable, depth: number, w: Walk, what: string): ColumnDesc {
  w.fields++;
  arrowCheck(w.fields <= MAX_FIELDS, w.part, `more than ${MAX_FIELDS} fields (counting nested ones)`);
  arrowCheck(depth <= MAX_NESTING, w.part, `${what}: fields nest deeper than ${MAX_NESTING} levels`);
  const name = f.string(0, 'name') ?? '';
  const label = `${what}${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)}`;
  readKeyValues(f, 6, w.part);
  const kids = f.vector(5, 4, 'children');
  const children: ColumnDesc[] = [];
  for (let i = 0; i < kids.length; i++) children.push(readField(f.tableAt(kids, i, `${label}.children[${i}]`), depth + 1, w, `${label}.`));
  const layout = layoutOf(f, children.length, w.part, `field ${label}`);
  if (layout.kind === 'list' && f.u8(2, 0) === T.Map) {
    const entries = children[0]!;
    arrowCheck(entries.layout.kind === 'struct' && entries.children.length === 2 && entries.dictionary === undefined, w.part, `field ${label}: a Map's child must be a struct of key and value`);
  }
  const enc = f.table(4, 'dictionary');
  if (enc === undefined) return { name, layout, children };
  arrowCheck(children.every((c) => !hasDictionary(c)), w.part, `field ${label}: dictionary encoding nested inside a dictionary's values is not supported`);
  const id = enc.i64(0, 0, 'id');
  const index = enc.table(1, 'indexType');
  const { bytes, signed } = index === undefined ? { bytes: 4 as const, signed: true } : intWidth(index, w.part, `field ${label} dictionary index`);
  const first = w.dictionaries.get(id);
  const values: ColumnDesc = first ?? { name, layout, children };
  if (first === undefined) w.dictionaries.set(id, values);
  return { name, layout: values.layout, children: values.children, dictionary: { id, indexBytes: bytes, indexSigned: signed } };
}

function hasDictionary(c: ColumnDesc): boolean {
  return c.dictionary !== undefined || c.children.some(hasDictionary);
}

/** Walks a [KeyValue] vector (custom_metadata) so its strings are bounded and in range. */
export function readKeyValues(t: FbTable, index: number, part: string): void {
  const kv = t.vector(index, 4, 'custom_metadata');
  for (let i = 0; i < kv.length; i++) {
    const e = t.tableAt(kv, i, `${part} custom_metadata[${i}]`);
    e.string(0, 'key');
    e.string(1, 'value');
  }
}

/** Reads a Schema table. */
export function readSchema(schema: FbTable, region: FbRegion): SchemaDesc {
  const part = region.part;
  arrowCheck(schema.i16(0, 0) === 0, part, 'big-endian data is not supported');
  readKeyValues(schema, 2, part);
  const fields = schema.vector(1, 4, 'fields');
  const w: Walk = { fields: 0, dictionaries: new Map(), part };
  const columns: ColumnDesc[] = [];
  for (let i = 0; i < fields.length; i++) columns.push(readField(schema.tableAt(fields, i, `schema.fields[${i}]`), 1, w, ''));
  arrowCheck(columns.length > 0, part, 'the schema has no fields');
  return { columns, dictionaries: w.dictionaries };
}
