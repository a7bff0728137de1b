// pyarrow (C++ Arrow) read the committed fixture files with fixtures/arrow/read_with_pyarrow.py;
// its recorded output must equal what apache-arrow (JS) reads from the same bytes, and the
// committed bytes must equal what the converters write today.
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromArrowIPC, toArrowIPC } from '../../../engine/index';
import { sampleTables } from './samples';
import { canonical } from './canonical';

const dir = join(__dirname, '../../../fixtures/arrow');
const recorded = JSON.parse(readFileSync(join(dir, 'pyarrow-output.json'), 'utf8')) as {
  pyarrow_version: string; files: Record<string, unknown>;
};

describe('Arrow files read by pyarrow', () => {
  const tables = sampleTables();

  it('covers every committed sample file', () => {
    expect(Object.keys(recorded.files).sort()).toEqual(Object.keys(tables).map((n) => `${n}.arrow`).sort());
    expect(recorded.pyarrow_version).toMatch(/^\d+\./);
  });

  for (const name of Object.keys(tables)) {
    it(`${name}.arrow: committed bytes are what the converter writes`, () => {
      const path = join(dir, `${name}.arrow`);
      expect(existsSync(path)).toBe(true);
      expect(Buffer.from(readFileSync(path)).equals(Buffer.from(toArrowIPC(tables[name]!, 'file')))).toBe(true);
    });

    it(`${name}.arrow: pyarrow saw the same types, docs and values as apache-arrow`, () => {
      const js = canonical(fromArrowIPC(new Uint8Array(readFileSync(join(dir, `${name}.arrow`)))));
      expect(js).toEqual(recorded.files[`${name}.arrow`]);
    });
  }
});
