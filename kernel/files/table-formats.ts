/**
 * CSV and Parquet for `dump`/`load`, through nodejs-polars (the Rust Arrow/Parquet writers):
 * an apache-arrow Table goes to polars as IPC bytes and comes back the same way, so no value is
 * boxed on the way. CSV has no duration type, so duration and timestamp columns are written as
 * their integer counts; every enginelab time column is in µs and its name ends in `_us`. Parquet
 * keeps the Arrow types (polars stores the Arrow schema alongside). polars is loaded on first
 * use only (a native module).
 */
import { createRequire } from 'node:module';
import { DataType, Dictionary, Field, Int32, Schema, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { fromArrowIPC, toArrowIPC, EngineError } from '../../engine/index';

/** The part of nodejs-polars used here. */
interface PolarsFrame {
  withColumns(...exprs: unknown[]): PolarsFrame;
  writeCSV(): Buffer;
  writeParquet(): Buffer;
  writeIPC(): Buffer;
}
interface Polars {
  readIPC(bytes: Buffer): PolarsFrame;
  readCSV(bytes: Buffer): PolarsFrame;
  readParquet(bytes: Buffer): PolarsFrame;
  col(name: string): { cast(type: unknown): unknown };
  Int64: unknown;
}

export type TableFormat = 'arrow' | 'arrow-stream' | 'csv' | 'parquet';

/** File name endings → format. `.ipc` is the ending nodejs-polars' `readIPC(path)` accepts. */
export const FORMAT_OF_EXTENSION: Readonly<Record<string, TableFormat>> = {
  '.arrow': 'arrow', '.ipc': 'arrow', '.feather': 'arrow', '.arrows': 'arrow-stream', '.csv': 'csv', '.parquet': 'parquet',
};

export function formatOfPath(path: string): TableFormat {
  const m = /(\.[A-Za-z0-9]+)$/.exec(path);
  const format = m ? FORMAT_OF_EXTENSION[m[1]!.toLowerCase()] : undefined;
  if (format === undefined) {
    throw new EngineError(`path ${path}: unknown table format ${m ? `"${m[1]}"` : '(no extension)'}; use ${Object.keys(FORMAT_OF_EXTENSION).join(', ')}`, 'path');
  }
  return format;
}

let polars: Polars | undefined;

function loadPolars(): Polars {
  if (polars === undefined) {
    const url = (import.meta as { url?: string }).url;
    const require = createRequire(typeof url === 'string' && url !== '' ? url : __filename);
    try {
      polars = require('nodejs-polars') as Polars;
    } catch (e) {
      throw new Error(`CSV and Parquet need nodejs-polars, which did not load: ${(e as Error).message}`);
    }
  }
  return polars;
}

function toPolars(table: Table): PolarsFrame {
  return loadPolars().readIPC(Buffer.from(toArrowIPC(table, 'file')));
}

/** CSV bytes: header row, temporal columns as integer counts of their unit. */
export function tableToCsv(table: Table): Uint8Array {
  const pl = loadPolars();
  const temporal = table.schema.fields.filter((f) => DataType.isDuration(f.type) || DataType.isTimestamp(f.type)).map((f) => f.name);
  let df = toPolars(table);
  if (temporal.length > 0) df = df.withColumns(...temporal.map((c) => pl.col(c).cast(pl.Int64)));
  return df.writeCSV();
}

export function tableToParquet(table: Table): Uint8Array {
  return toPolars(table).writeParquet();
}

/**
 * polars writes strings as `Utf8View` (and dictionaries over it with uint32 keys), which older
 * Arrow readers and apache-arrow's own writer handle poorly; rebuild them as the `utf8` and
 * `dictionary<int32, utf8>` columns every enginelab table uses.
 */
function plainStrings(table: Table): Table {
  const isView = (t: DataType) => DataType.isUtf8View(t) || (DataType.isDictionary(t) && DataType.isUtf8View(t.dictionary));
  if (!table.schema.fields.some((f) => isView(f.type))) return table;
  const fields: Field[] = [];
  const columns: Vector[] = [];
  for (const f of table.schema.fields) {
    const vec = table.getChild(f.name)!;
    if (!isView(f.type)) {
      fields.push(f);
      columns.push(vec);
      continue;
    }
    const values = Array.from({ length: table.numRows }, (_, i) => vec.get(i) as string | null);
    const type = DataType.isDictionary(f.type) ? new Dictionary(new Utf8(), new Int32()) : new Utf8();
    const v = vectorFromArray(values, type);
    fields.push(new Field(f.name, type, f.nullable, f.metadata));
    columns.push(v);
  }
  const schema = new Schema(fields, table.schema.metadata);
  return new Table(schema, Object.fromEntries(fields.map((f, i) => [f.name, columns[i]!])) as never);
}

function fromPolars(df: PolarsFrame): Table {
  return plainStrings(fromArrowIPC(new Uint8Array(df.writeIPC())));
}

export function tableFromCsv(bytes: Uint8Array, path: string): Table {
  try {
    return fromPolars(loadPolars().readCSV(Buffer.from(bytes)));
  } catch (e) {
    throw new EngineError(`path ${path} is not a readable CSV file: ${(e as Error).message}`, 'path');
  }
}

export function tableFromParquet(bytes: Uint8Array, path: string): Table {
  try {
    return fromPolars(loadPolars().readParquet(Buffer.from(bytes)));
  } catch (e) {
    throw new EngineError(`path ${path} is not a readable Parquet file: ${(e as Error).message}`, 'path');
  }
}
