/**
 * The sweep's result table: one row per config that has a result, sorted by config index —
 * `index`, `key`, the varied parameters (f64 when every value is a number, bool when every value
 * is a boolean, else utf8), `status`, `error`, then the metrics as f64 in the order they first
 * appear over the rows. Built from the configs and their rows only (never from arrival order), so
 * an interrupted-and-resumed sweep gives the same table as an uninterrupted one.
 */
import type { Table } from 'apache-arrow';
import { buildTable, type ColumnSpec } from '../arrow/columns';
import type { SweepConfig } from './expand-sweep';
import type { SweepRow } from './sweep-row';
import type { ParamValue } from './sweep-spec';

interface Joined { readonly config: SweepConfig; readonly row: SweepRow }

export interface SweepTableResult {
  readonly table: Table;
  /** Configs with no row, in index order. */
  readonly missing: readonly SweepConfig[];
  readonly numFailed: number;
}

function configColumn(name: string, values: readonly ParamValue[]): ColumnSpec<Joined> {
  const doc = `swept parameter ${name}`;
  if (values.every((v) => typeof v === 'number')) return { name, kind: 'f64', doc, get: (j) => j.config.columns[name] as number };
  if (values.every((v) => typeof v === 'boolean')) return { name, kind: 'bool', doc, get: (j) => j.config.columns[name] as boolean };
  return { name, kind: 'utf8', doc, get: (j) => String(j.config.columns[name]) };
}

/** Joins rows to configs by key (the first row of a key wins) and builds the table. */
export function sweepTable(configs: readonly SweepConfig[], rows: Iterable<SweepRow>, name = 'sweep'): SweepTableResult {
  const byKey = new Map<string, SweepRow>();
  for (const r of rows) if (!byKey.has(r.key)) byKey.set(r.key, r);
  const joined: Joined[] = [];
  const missing: SweepConfig[] = [];
  for (const c of [...configs].sort((a, b) => a.index - b.index)) {
    const row = byKey.get(c.key);
    if (row === undefined) missing.push(c);
    else joined.push({ config: c, row });
  }
  const paramNames = configs.length > 0 ? Object.keys(configs[0]!.columns) : [];
  const metricNames: string[] = [];
  const seen = new Set<string>();
  for (const j of joined) for (const m of Object.keys(j.row.metrics)) if (!seen.has(m)) { seen.add(m); metricNames.push(m); }
  const columns: ColumnSpec<Joined>[] = [
    { name: 'index', kind: 'u32', doc: 'position of the config in the expanded sweep', get: (j) => j.config.index },
    { name: 'key', kind: 'utf8', doc: 'hash of the config\'s resolved inputs (what resume matches)', get: (j) => j.config.key },
    ...paramNames.map((n) => configColumn(n, configs.map((c) => c.columns[n]!))),
    { name: 'status', kind: 'dict', doc: 'ok, or error when the config threw', get: (j) => j.row.status },
    { name: 'error', kind: 'utf8', nullable: true, doc: 'what the config threw (null when ok)', get: (j) => j.row.error },
    ...metricNames.map((m): ColumnSpec<Joined> => ({
      name: m, kind: 'f64', nullable: true, doc: `${m} (vllm bench serve --save-result key)`,
      get: (j) => j.row.metrics[m] ?? null,
    })),
  ];
  const table = buildTable({ name, doc: 'one simulated vllm bench serve run per swept config', columns }, joined);
  return { table, missing, numFailed: joined.filter((j) => j.row.status === 'error').length };
}
