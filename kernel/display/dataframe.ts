/**
 * `toDataFrame(tableOrRows)`: an apache-arrow Table (or row objects) → danfo `DataFrame` for
 * pandas-style work. danfojs-node takes about two seconds to load, so it is required on first
 * use only, and its TensorFlow.js is put in production mode then: that silences the "looks like
 * you are running TensorFlow.js in Node.js" banner its CPU backend prints on the first tensor
 * (it would land in the cell's output). Arrow columns get explicit danfo dtypes instead of
 * danfo's guess from the values: strings and dictionaries `string`, booleans `boolean`, floats
 * `float32`, integers `int32` — durations and timestamps as their integer µs — and integer
 * columns with nulls, or with values beyond int32, `float32` holding NaN for null (pandas' rule).
 */
import { localRequire } from './local-require';
import { DataType, type Field, type Table } from 'apache-arrow';
import { isArrowTable, rawCounts, toTabular } from './table';

type DanfoDtype = 'string' | 'boolean' | 'float32' | 'int32';

interface Danfo {
  DataFrame: new (data: unknown, options?: { columns?: string[]; dtypes?: DanfoDtype[] }) => unknown;
  tensorflow?: { enableProdMode?: () => void };
}

let danfo: Danfo | undefined;

export function loadDanfo(): Danfo {
  if (danfo === undefined) {
    const require = localRequire();
    const d = require('danfojs-node') as Danfo;
    d.tensorflow?.enableProdMode?.();
    danfo = d;
  }
  return danfo;
}

export interface DanfoColumn {
  readonly values: unknown[];
  readonly dtype: DanfoDtype;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function columnOf(table: Table, f: Field): DanfoColumn {
  const vec = table.getChild(f.name)!;
  const n = table.numRows;
  const t = f.type;
  if (DataType.isDictionary(t) || DataType.isUtf8(t)) {
    return { dtype: 'string', values: Array.from({ length: n }, (_, i) => vec.get(i) ?? null) };
  }
  if (DataType.isBool(t)) return { dtype: 'boolean', values: Array.from({ length: n }, (_, i) => vec.get(i) ?? null) };
  if (DataType.isFloat(t)) return { dtype: 'float32', values: Array.from({ length: n }, (_, i) => vec.get(i) ?? NaN) };
  const temporal = DataType.isDuration(t) || DataType.isTimestamp(t);
  const raw = temporal ? rawCounts(vec) : vec;
  let hasNull = false;
  let fits = true;
  const values: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = raw.get(i) as number | bigint | null;
    if (v === null || v === undefined) { hasNull = true; values[i] = NaN; continue; }
    const x = Number(v);
    if (x < INT32_MIN || x > INT32_MAX) fits = false;
    values[i] = x;
  }
  return { dtype: hasNull || !fits ? 'float32' : 'int32', values };
}

/** Column name → values and danfo dtype, with the conversions above. */
export function arrowColumns(table: Table): Record<string, DanfoColumn> {
  return Object.fromEntries(table.schema.fields.map((f) => [f.name, columnOf(table, f)]));
}

export function toDataFrame(input: unknown): unknown {
  const { DataFrame } = loadDanfo();
  if (isArrowTable(input)) {
    const cols = arrowColumns(input as Table);
    const names = Object.keys(cols);
    if (names.length === 0) throw new TypeError('input has no columns');
    return new DataFrame(Object.fromEntries(names.map((c) => [c, cols[c]!.values])), { columns: names, dtypes: names.map((c) => cols[c]!.dtype) });
  }
  const t = toTabular(input, 'input');
  if (t.columns.length === 0) throw new TypeError('input has no columns');
  return new DataFrame(Object.fromEntries(t.columns.map((c, j) => [c, Array.from({ length: t.numRows }, (_, i) => t.row(i)[j])])));
}
