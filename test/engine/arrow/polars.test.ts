// nodejs-polars (Rust Arrow) reads files written by dump(): identical values and types.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { DataType, TimeUnit } from 'apache-arrow';
import { dump } from '../../../kernel/files/arrow-files';
import { sampleTables } from './samples';
import { canonical } from './canonical';

const dir = mkdtempSync(join(tmpdir(), 'enginelab-polars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The polars dtype each pyarrow type name must map to. */
const POLARS_DTYPE: Record<string, string> = {
  uint32: 'UInt32', int32: 'Int32', double: 'Float64', bool: 'Bool', string: 'String',
  'timestamp[us]': 'Datetime(Microseconds)', 'duration[us]': 'Duration(Microseconds)',
  'dictionary<values=string, indices=int32, ordered=0>': 'Categorical',
};

function polarsDtype(dt: unknown): string {
  const s = String(dt).replace(/^DataType\((.*)\)$/, '$1');
  if (s.startsWith('Datetime(us')) return 'Datetime(Microseconds)';
  // nodejs-polars 0.26's dtype getter drops a Duration's unit (the binding returns the bare
  // string "Duration", which the JS side defaults to ms); the unit is checked by casting below.
  if (s.startsWith('Duration(')) return 'Duration(Microseconds)';
  if (s === 'Utf8') return 'String';
  return s;
}

function polarsRows(df: pl.DataFrame, types: Record<string, string>): Record<string, unknown>[] {
  // Temporal columns come back as JS Dates (ms); compare exact µs by casting to Int64 first.
  const exprs = df.columns.map((c) => (types[c]!.startsWith('timestamp') || types[c]!.startsWith('duration') ? pl.col(c).cast(pl.Int64) : pl.col(c)));
  return df.select(...exprs).toRecords().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

describe('Arrow files read by nodejs-polars', () => {
  for (const [name, table] of Object.entries(sampleTables())) {
    it(`${name}: same column types and values`, () => {
      const path = join(dir, `${name}.arrow`);
      dump(table, path);
      const expected = canonical(table);
      const types = Object.fromEntries(expected.fields.map((f) => [f.name, f.type]));
      const df = pl.readIPC(readFileSync(path));
      expect(df.columns).toEqual(expected.fields.map((f) => f.name));
      expect(df.dtypes.map(polarsDtype)).toEqual(expected.fields.map((f) => POLARS_DTYPE[f.type]));
      expect(df.height).toBe(table.numRows);
      expect(polarsRows(df, types)).toEqual(expected.rows);
      for (const f of expected.fields.filter((x) => x.type === 'duration[us]' || x.type === 'timestamp[us]')) {
        // Casting to nanoseconds multiplies by 1000 only when polars holds the column in µs.
        const ns = df.select(pl.col(f.name).cast(f.type === 'duration[us]' ? pl.Duration('ns') : pl.Datetime('ns')).cast(pl.Int64)).getColumn(f.name).toArray();
        expect(ns.map((v) => (v === null ? null : Number(v) / 1000))).toEqual(expected.rows.map((r) => r[f.name]));
      }
    });
  }

  it('simulated times read as durations in µs, never as 1970 dates (apache-arrow and polars)', () => {
    const table = sampleTables().steps!;
    const arrowType = table.schema.fields.find((f) => f.name === 'time_us')!.type;
    expect(DataType.isDuration(arrowType) && arrowType.unit === TimeUnit.MICROSECOND).toBe(true);
    // apache-arrow hands a duration back as the integer count of µs (a timestamp would be a ms Date number).
    const first = table.getChild('time_us')!.get(0);
    expect(typeof first).toBe('bigint');
    expect(Number(first)).toBe(canonical(table).rows[0]!.time_us);
    const path = join(dir, 'durations.arrow');
    dump(table, path);
    const df = pl.readIPC(readFileSync(path));
    for (const name of ['time_us', 'step_time_us']) {
      const dtype = String(df.getColumn(name).dtype);
      expect(dtype).toMatch(/Duration/);
      expect(dtype).not.toMatch(/Datetime/);
    }
    const shown = df.select('time_us').head(3).toString();
    expect(shown).not.toMatch(/1970/);
    expect(shown).toMatch(/duration\[μs\]/);
  });

  it('reads the same file by path when the name ends in .ipc (readIPC treats other strings as inline data)', () => {
    // nodejs-polars' readIPC(string) takes the string as a path only for the ".ipc" extension;
    // "x.arrow" is parsed as the IPC bytes of the text "x.arrow", hence "InvalidFooter".
    const table = sampleTables().step_trace!;
    const arrowPath = join(dir, 'by-path.arrow');
    dump(table, arrowPath);
    const ipcPath = join(dir, 'by-path.ipc');
    copyFileSync(arrowPath, ipcPath);
    const types = Object.fromEntries(canonical(table).fields.map((f) => [f.name, f.type]));
    expect(polarsRows(pl.readIPC(ipcPath), types)).toEqual(canonical(table).rows);
    const missing = join(dir, 'no-such-file.arrow');
    expect(existsSync(missing)).toBe(false);
    expect(() => pl.readIPC(missing)).toThrow(/InvalidFooter/);
  });
});
