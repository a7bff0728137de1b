import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from '../../../kernel/files/arrow-files';
import { FileExistsError } from '../../../kernel/files/atomic-write';
import { requestTable, EngineError, isArrowIpcFile } from '../../../engine/index';
import { sampleRequests } from '../../engine/arrow/samples';
import { canonical } from '../../engine/arrow/canonical';

const dir = mkdtempSync(join(tmpdir(), 'enginelab-arrow-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dump / load', () => {
  const table = requestTable(sampleRequests());

  it('writes an Arrow IPC file and reads it back unchanged', () => {
    const path = join(dir, 'requests.arrow');
    const res = dump(table, path);
    expect(res).toEqual({ path, numBytes: readFileSync(path).byteLength, numRows: 3 });
    expect(isArrowIpcFile(new Uint8Array(readFileSync(path)))).toBe(true);
    expect(canonical(load(path))).toEqual(canonical(table));
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to replace an existing file unless overwrite is set', () => {
    const path = join(dir, 'existing.arrow');
    writeFileSync(path, 'keep me');
    expect(() => dump(table, path)).toThrow(FileExistsError);
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    dump(table, path, { overwrite: true });
    expect(load(path).numRows).toBe(3);
  });

  it('creates missing parent directories unless told not to', () => {
    const nested = join(dir, 'a', 'b', 'trace.arrow');
    expect(dump(table, nested).numRows).toBe(3);
    expect(load(nested).numRows).toBe(3);
    // The error names the user's path and the missing directory, not the internal temp file.
    const target = join(dir, 'c', 'd', 'x.arrow');
    expect(() => dump(table, target, { mkdir: false })).toThrow(`cannot write ${target}: the directory ${join(dir, 'c', 'd')} does not exist`);
  });

  it('CSV round trip: header, one row per record, simulated times as integer µs columns', () => {
    const path = join(dir, 'requests.csv');
    const res = dump(table, path);
    const text = readFileSync(path, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(table.schema.fields.map((f) => f.name).join(','));
    expect(lines).toHaveLength(1 + table.numRows);
    expect(res.numRows).toBe(3);
    const c = canonical(table);
    const back = load(path);
    expect(back.numRows).toBe(3);
    const rows = canonical(back).rows;
    // Every value survives; durations come back as the int64 µs they were written as, and
    // dictionary columns as plain strings (CSV carries no types).
    const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
    for (const [i, r] of rows.entries()) for (const [k, v] of Object.entries(c.rows[i]!)) expect([k, num(r[k])]).toEqual([k, v]);
    expect(canonical(back).fields.find((f) => f.name === 'arrival_us')!.type).toBe('int64');
    const arrivalCol = lines.map((l) => l.split(',')[2]);
    expect(arrivalCol).toEqual(['arrival_us', '0', '10000', '20000']);
  });

  it('Parquet round trip keeps values and the duration[us] type', () => {
    const path = join(dir, 'requests.parquet');
    dump(table, path);
    expect(readFileSync(path).subarray(0, 4).toString('latin1')).toBe('PAR1');
    const back = load(path);
    const c = canonical(back);
    expect(c.rows).toEqual(canonical(table).rows);
    expect(c.fields.find((f) => f.name === 'first_token_us')!.type).toBe('duration[us]');
    expect(c.fields.find((f) => f.name === 'num_prompt_tokens')!.type).toBe('uint32');
  });

  it('.ipc and .arrows: an IPC file polars reads by path, and the stream format', () => {
    const ipc = join(dir, 'requests.ipc');
    dump(table, ipc);
    expect(isArrowIpcFile(new Uint8Array(readFileSync(ipc)))).toBe(true);
    const stream = join(dir, 'requests.arrows');
    dump(table, stream);
    expect(isArrowIpcFile(new Uint8Array(readFileSync(stream)))).toBe(false);
    expect(canonical(load(stream))).toEqual(canonical(table));
  });

  it('refuses a file name whose format it does not know, naming the extension', () => {
    expect(() => dump(table, join(dir, 'x.xlsx'))).toThrow(/unknown table format "\.xlsx"; use \.arrow, \.ipc/);
    const junk = join(dir, 'junk.parquet');
    writeFileSync(junk, 'not parquet');
    expect(() => load(junk)).toThrow(/is not a readable Parquet file/);
  });

  it('names the argument on bad input', () => {
    const cases: [() => unknown, string][] = [
      [() => dump([] as never, join(dir, 'x.arrow')), 'table'],
      [() => dump(table, ''), 'path'],
      [() => load(join(dir, 'missing.arrow')), 'path'],
      [() => load(dir), 'path'],
    ];
    for (const [f, arg] of cases) {
      try { f(); expect.unreachable(); } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).argument).toBe(arg);
      }
    }
    const junk = join(dir, 'junk.arrow');
    writeFileSync(junk, 'not arrow at all');
    expect(() => load(junk)).toThrow(/not an Arrow IPC file/);
  });
});
