/**
 * `toDataFrame(tableOrRows)`: an apache-arrow Table (or row objects) → danfo `DataFrame` for
 * pandas-style work. danfojs-node takes about two seconds to load, so it is required on first
 * use only. Arrow values become plain JS: dictionaries → strings, timestamps and durations →
 * integer µs (numbers), 64-bit integers → numbers.
 */
import { localRequire } from './local-require';
import { DataType, type Table } from 'apache-arrow';
import { isArrowTable, toTabular } from './table';

let danfo: { DataFrame: new (data: unknown, options?: unknown) => unknown } | undefined;

export function loadDanfo(): { DataFrame: new (data: unknown, options?: unknown) => unknown } {
  if (danfo === undefined) {
    const require = localRequire();
    danfo = require('danfojs-node') as typeof danfo;
  }
  return danfo!;
}

/** Column name → plain JS values, with the conversions above. */
export function arrowColumns(table: Table): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const f of table.schema.fields) {
    const vec = table.getChild(f.name)!;
    const raw = DataType.isTimestamp(f.type) || DataType.isDuration(f.type);
    const vals: unknown[] = [];
    for (const d of vec.data) {
      for (let i = 0; i < d.length; i++) {
        if (!d.getValid(i)) vals.push(null);
        else if (raw) vals.push(Number((d.values as BigInt64Array)[d.offset + i]));
        else {
          const v = vec.get(vals.length);
          vals.push(typeof v === 'bigint' ? Number(v) : v);
        }
      }
    }
    out[f.name] = vals;
  }
  return out;
}

export function toDataFrame(input: unknown): unknown {
  let columns: Record<string, unknown[]>;
  if (isArrowTable(input)) columns = arrowColumns(input as Table);
  else {
    const t = toTabular(input, 'input');
    columns = Object.fromEntries(t.columns.map((c, j) => [c, Array.from({ length: t.numRows }, (_, i) => t.row(i)[j])]));
  }
  if (Object.keys(columns).length === 0) throw new TypeError('input has no columns');
  const { DataFrame } = loadDanfo();
  return new DataFrame(columns);
}
