import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileExistsError, writeFileAtomic } from '../../../kernel/files/atomic-write';

describe('writeFileAtomic', () => {
  it('writes, refuses to overwrite by default, and replaces with overwrite', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-'));
    const p = join(dir, 'a.bin');
    writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    expect(() => writeFileAtomic(p, 'x')).toThrow(FileExistsError);
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    writeFileAtomic(p, 'hello', { overwrite: true });
    expect(readFileSync(p, 'utf8')).toBe('hello');
    expect(readdirSync(dir)).toEqual(['a.bin']); // no temporary files left behind
  });

  it('does not clobber a file that exists before the call', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-'));
    const p = join(dir, 'b.txt');
    writeFileSync(p, 'keep');
    expect(() => writeFileAtomic(p, 'new')).toThrow(/overwrite/);
    expect(readFileSync(p, 'utf8')).toBe('keep');
  });
});
