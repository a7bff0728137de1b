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
