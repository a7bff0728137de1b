/**
 * The canonical JSON form of an Arrow table that fixtures/arrow/read_with_pyarrow.py prints,
 * computed from apache-arrow (JS): pyarrow's type names, timestamps/durations as integer µs,
 * dictionaries decoded. Equal canonical forms mean equal values and types in both readers.
 */
import { DataType, type Table, type Field } from 'apache-arrow';

export function pyarrowTypeName(f: Field): string {
  const t = f.type;
  if (DataType.isDictionary(t)) {
    const idx = `${t.indices.isSigned ? 'int' : 'uint'}${t.indices.bitWidth}`;
    return `dictionary<values=${pyarrowTypeName({ type: t.dictionary } as Field)}, indices=${idx}, ordered=${t.isOrdered ? 1 : 0}>`;
  }
  if (DataType.isInt(t)) return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
  if (DataType.isFloat(t)) return ['halffloat', 'float', 'double'][t.precision]!;
  if (DataType.isBool(t)) return 'bool';
  if (DataType.isUtf8(t)) return 'string';
  if (DataType.isTimestamp(t)) return `timestamp[${['s', 'ms', 'us', 'ns'][t.unit]}]`;
  if (DataType.isDuration(t)) return `duration[${['s', 'ms', 'us', 'ns'][t.unit]}]`;
  throw new Error(`no pyarrow name for ${String(t)}`);
}

export interface CanonicalTable {
  metadata: Record<string, string>;
  fields: { name: string; type: string; nullable: boolean; doc: string | null }[];
  num_rows: number;
  rows: Record<string, unknown>[];
}

export function canonical(table: Table): CanonicalTable {
  const fields = table.schema.fields.map((f) => ({ name: f.name, type: pyarrowTypeName(f), nullable: f.nullable, doc: f.metadata.get('doc') ?? null }));
  const cols: Record<string, unknown[]> = {};
  for (const f of table.schema.fields) {
    const vec = table.getChild(f.name)!;
    const out: unknown[] = [];
    const raw = DataType.isTimestamp(f.type) || DataType.isDuration(f.type);
    for (const d of vec.data) {
      for (let i = 0; i < d.length; i++) {
        if (!d.getValid(i)) out.push(null);
        else if (raw) out.push(Number((d.values as BigInt64Array)[d.offset + i]));
        else out.push(vec.get(out.length));
      }
    }
    cols[f.name] = out;
  }
  const rows = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const f of table.schema.fields) row[f.name] = cols[f.name]![i];
    rows.push(row);
  }
  return { metadata: Object.fromEntries(table.schema.metadata), fields, num_rows: table.numRows, rows };
}
