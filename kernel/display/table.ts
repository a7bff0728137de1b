/**
 * Tables → `text/html` + `text/plain`. Accepts arrays of row objects, apache-arrow Tables, and
 * DataFrames recognised by duck typing (danfo: `columns` + `values`; polars: `columns` +
 * `toRecords()`), so the kernel needs neither library. Long tables show their head and tail.
 * Arrow durations and timestamps show their stored integer count (µs for every enginelab time,
 * the unit its `_us` name carries), and the header's tooltip names the Arrow type.
 */
import { Table as ArrowTable, DataType, type Data } from 'apache-arrow';
import type { DisplayBundle } from './mime';

export interface Tabular {
  readonly columns: readonly string[];
  /** Column types when known (Arrow type names), for the header tooltip and text view. */
  readonly types?: readonly string[];
  readonly numRows: number;
  /** Row i as cell values, in column order. */
  row(i: number): readonly unknown[];
  readonly title?: string;
}

export interface TableOptions {
  /** Rows shown before eliding the middle (default 40: the first 30 and the last 10). */
  readonly maxRows?: number;
  readonly title?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isArrowTable(v: unknown): v is ArrowTable {
  if (v instanceof ArrowTable) return true;
  // A second copy of apache-arrow (e.g. a notebook's own import) fails instanceof.
  return isRecord(v) && isRecord(v.schema) && Array.isArray((v.schema as { fields?: unknown }).fields) && typeof v.numRows === 'number' && typeof v.getChildAt === 'function';
}

/** danfo DataFrame: `columns` array, `values` 2-D array, `shape`. */
export function isDanfoFrame(v: unknown): v is { columns: string[]; values: unknown[][]; shape: number[] } {
  return isRecord(v) && Array.isArray(v.columns) && Array.isArray(v.values) && Array.isArray(v.shape) && typeof (v as { head?: unknown }).head === 'function';
}

/** nodejs-polars DataFrame: `columns`, `height`, `toRecords()`. */
export function isPolarsFrame(v: unknown): v is { columns: string[]; height: number; toRecords(): Record<string, unknown>[] } {
  return isRecord(v) && Array.isArray(v.columns) && typeof v.height === 'number' && typeof (v as { toRecords?: unknown }).toRecords === 'function';
}

const UNITS = ['s', 'ms', 'us', 'ns'];

function isTemporal(type: DataType): boolean {
  return DataType.isDuration(type) || DataType.isTimestamp(type);
}

/** pyarrow's spelling of an Arrow type: `duration[us]`, `uint32`, `dictionary<string>`. */
export function arrowTypeName(type: DataType): string {
  if (DataType.isDuration(type)) return `duration[${UNITS[type.unit]}]`;
  if (DataType.isTimestamp(type)) return `timestamp[${UNITS[type.unit]}${type.timezone ? `, ${type.timezone}` : ''}]`;
  if (DataType.isDictionary(type)) return `dictionary<${arrowTypeName(type.dictionary)}>`;
  if (DataType.isInt(type)) return `${type.isSigned ? 'int' : 'uint'}${type.bitWidth}`;
  if (DataType.isFloat(type)) return ['float16', 'float32', 'float64'][type.precision]!;
  if (DataType.isUtf8(type)) return 'string';
  if (DataType.isBool(type)) return 'bool';
  return String(type);
}

/**
 * A duration or timestamp column as its stored integer counts (µs for every enginelab time),
 * so tables show the number the column name's unit promises: apache-arrow's own `get` turns
 * timestamps into millisecond Dates.
 */
export function rawCounts(vec: { readonly data: readonly Data[]; readonly length: number }): { get(i: number): bigint | null } {
  const chunks = vec.data;
  return {
    get(i: number) {
      let k = i;
      for (const d of chunks) {
        if (k < d.length) return d.getValid(k) ? BigInt((d.values as BigInt64Array)[d.offset + k]!) : null;
        k -= d.length;
      }
      return null;
    },
  };
}

export function isRowArray(v: unknown): v is readonly Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every(isRecord);
}

/** Any supported input → `Tabular`; throws naming `argument` otherwise. */
export function toTabular(input: unknown, argument = 'rows'): Tabular {
  if (isArrowTable(input)) {
    const t = input as ArrowTable;
    const fields = t.schema.fields;
    const cols = fields.map((f, i) => (isTemporal(f.type) ? rawCounts(t.getChildAt(i)!) : t.getChildAt(i)!));
    return {
      columns: fields.map((f) => f.name),
      types: fields.map((f) => arrowTypeName(f.type)),
      numRows: t.numRows,
      row: (i) => cols.map((c) => c.get(i)),
      title: t.schema.metadata.get('enginelab.table'),
    };
  }
  if (isDanfoFrame(input)) {
    return { columns: input.columns.map(String), numRows: input.values.length, row: (i) => input.values[i]! };
  }
  if (isPolarsFrame(input)) {
    const recs = input.toRecords();
    return { columns: input.columns, numRows: recs.length, row: (i) => input.columns.map((c) => recs[i]![c]) };
  }
  if (Array.isArray(input)) {
    if (input.length === 0) return { columns: [], numRows: 0, row: () => [] };
    if (!isRowArray(input)) throw new TypeError(`${argument} must be an array of row objects, an apache-arrow Table or a DataFrame`);
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const r of input) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); columns.push(k); }
    return { columns, numRows: input.length, row: (i) => columns.map((c) => input[i]![c]) };
  }
  throw new TypeError(`${argument} must be an array of row objects, an apache-arrow Table or a DataFrame, got ${input === null ? 'null' : typeof input}`);
}

export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    if (!Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-4 || a >= 1e9) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
  }
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (ArrayBuffer.isView(v)) return `[${Array.from(v as unknown as ArrayLike<number>).slice(0, 8).join(', ')}${(v as unknown as ArrayLike<number>).length > 8 ? ', …' : ''}]`;
  try {
    const j = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
    return j === undefined ? String(v) : j;
  } catch {
    return String(v);
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The row indices shown: all, or head and tail with a gap marker (-1 never escapes this file). */
function shownRows(n: number, maxRows: number): { head: number[]; tail: number[] } {
  if (n <= maxRows) return { head: [...Array(n).keys()], tail: [] };
  const numTail = Math.max(1, Math.floor(maxRows / 4));
  const numHead = maxRows - numTail;
  return { head: [...Array(numHead).keys()], tail: Array.from({ length: numTail }, (_, i) => n - numTail + i) };
}

export function tableHtml(t: Tabular, options: TableOptions = {}): string {
  const maxRows = options.maxRows ?? 40;
  const { head, tail } = shownRows(t.numRows, maxRows);
  const cell = (v: unknown) => `<td style="text-align:${typeof v === 'number' || typeof v === 'bigint' ? 'right' : 'left'}">${escapeHtml(formatCell(v))}</td>`;
  const row = (i: number) => `<tr><th style="color:#888">${i}</th>${t.row(i).map(cell).join('')}</tr>`;
  const title = options.title ?? t.title;
  const hdr = t.columns.map((c, i) => `<th${t.types ? ` title="${escapeHtml(t.types[i] ?? '')}"` : ''}>${escapeHtml(c)}</th>`).join('');
  const gap = tail.length ? `<tr><td colspan="${t.columns.length + 1}" style="text-align:center;color:#888">… ${t.numRows - head.length - tail.length} more rows …</td></tr>` : '';
  return `<div class="enginelab-table">${title ? `<b>${escapeHtml(title)}</b> ` : ''}<small>${t.numRows} rows × ${t.columns.length} columns</small>`
    // Wide tables scroll inside their own box instead of widening the page.
    + `<div style="overflow-x:auto;max-width:100%"><table class="dataframe" border="1" style="border-collapse:collapse;font-size:12px"><thead><tr><th></th>${hdr}</tr></thead><tbody>`
    + head.map(row).join('') + gap + tail.map(row).join('') + '</tbody></table></div></div>';
}

export function tableText(t: Tabular, options: TableOptions = {}): string {
  const maxRows = Math.min(options.maxRows ?? 40, 20);
  const { head, tail } = shownRows(t.numRows, maxRows);
  const idx = [...head, ...tail];
  const cells = idx.map((i) => [String(i), ...t.row(i).map((v) => formatCell(v).slice(0, 40))]);
  const hdr = ['', ...t.columns];
  const widths = hdr.map((h, j) => Math.max(h.length, ...cells.map((r) => r[j]!.length)));
  const line = (r: readonly string[]) => r.map((c, j) => c.padStart(widths[j]!)).join('  ');
  const out = [`${options.title ?? t.title ?? 'table'}: ${t.numRows} rows × ${t.columns.length} columns`, line(hdr)];
  cells.forEach((r, k) => {
    if (tail.length && k === head.length) out.push('…');
    out.push(line(r));
  });
  return out.join('\n');
}

export function tableBundle(input: unknown, options: TableOptions = {}): DisplayBundle {
  if (options.maxRows !== undefined && (!Number.isInteger(options.maxRows) || options.maxRows < 1)) {
    throw new TypeError('options.maxRows must be a positive integer');
  }
  const t = toTabular(input);
  return { data: { 'text/html': tableHtml(t, options), 'text/plain': tableText(t, options) }, metadata: {} };
}
