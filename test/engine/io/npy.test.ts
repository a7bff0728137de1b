import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../../../engine/io/npy';
import { makeTensor, tensorToFloat64 } from '../../../engine/io/dtype';
import type { Tensor } from '../../../engine/io/dtype';
import { TensorFormatError } from '../../../engine/io/format-error';
import { expectSameValues, fixtureBytes, fixtureJson } from './fixtures';
import { SKIP_NUMPY, runPython } from './python';

const kindOf: Record<string, string> = {
  f8: 'F64', f4: 'F32', f2: 'F16', i8: 'I64', i4: 'I32', i2: 'I16', i1: 'I8', u2: 'U16', u1: 'U8', b1: 'BOOL',
};

function expectFormatError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'expected a TensorFormatError').toBeInstanceOf(TensorFormatError);
  expect((err as Error).message).toMatch(pattern);
}

function values(t: Tensor): (number | string)[] {
  return t.dtype === 'I64' || t.dtype === 'U64' ? [...(t.data as BigInt64Array)].map(String) : [...tensorToFloat64(t)];
}

describe('readNpy on files written by NumPy', () => {
  const expected = fixtureJson('npy', 'expected.json');
  for (const [name, exp] of Object.entries<any>(expected.files)) {
    it(`${name}: ${exp.descr}, v${exp.version}, ${exp.fortran_order ? 'Fortran' : 'C'} order`, () => {
      const f = readNpy(fixtureBytes('npy', `${name}.npy`));
      expect(f.version).toBe(exp.version);
      expect(f.fortranOrder).toBe(exp.fortran_order);
      expect(f.descr).toBe(exp.descr);
      expect(f.tensor.dtype).toBe(kindOf[exp.descr.slice(1)]);
      expect(f.tensor.shape).toEqual(exp.shape);
      const v = values(f.tensor);
      if (typeof exp.values[0] === 'string' && !['nan', 'inf', '-inf'].includes(exp.values[0])) expect(v).toEqual(exp.values);
      else expectSameValues(v as number[], exp.values, name);
    });
  }
});

describe('writeNpy', () => {
  const t = makeTensor('F32', [2, 3, 2], Float32Array.from({ length: 12 }, (_, i) => i - 5.5));

  it('round-trips C and Fortran order, versions 1–3, little and big endian', () => {
    for (const fortranOrder of [false, true]) for (const version of [1, 2, 3] as const) for (const bigEndian of [false, true]) {
      const bytes = writeNpy(t, { fortranOrder, version, bigEndian });
      const f = readNpy(bytes);
      expect(f.version).toBe(version);
      expect(f.fortranOrder).toBe(fortranOrder);
      expect(f.descr).toBe(bigEndian ? '>f4' : '<f4');
      expect([...(f.tensor.data as Float32Array)]).toEqual([...t.data]);
      expect((bytes.length - 12 * 4) % 64).toBe(0);
    }
  });

  it('really stores Fortran order column-major', () => {
    const m = makeTensor('I32', [2, 3], Int32Array.from([1, 2, 3, 4, 5, 6]));
    const bytes = writeNpy(m, { fortranOrder: true });
    expect([...new Int32Array(bytes.slice(bytes.length - 24).buffer)]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('refuses dtypes NumPy has no name for', () => {
    expect(() => writeNpy(makeTensor('BF16', [1], new Uint16Array(1)))).toThrow(/bfloat16/);
  });

  it.skipIf(SKIP_NUMPY)('files it writes are read back by NumPy exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const cases: [string, Tensor, Parameters<typeof writeNpy>[1]][] = [
      ['a', makeTensor('F32', [2, 3, 2], t.data), { fortranOrder: true }],
      ['b', makeTensor('F64', [3], Float64Array.from([0.1, -Infinity, 1e-310])), { version: 2 }],
      ['c', makeTensor('I64', [2, 2], BigInt64Array.from([-(2n ** 63n), 1n, 2n ** 53n + 1n, 7n])), { version: 3, bigEndian: true }],
      ['d', makeTensor('BOOL', [3], Uint8Array.from([1, 0, 1])), {}],
      ['e', makeTensor('F16', [2], Uint16Array.from([0x3c00, 0xfbff])), {}],
      ['f', makeTensor('U8', [], Uint8Array.from([200])), {}],
    ];
    for (const [name, tensor, opts] of cases) writeFileSync(join(dir, `${name}.npy`), writeNpy(tensor, opts));
    const out = runPython(`
import json, sys, numpy as np
d = sys.argv[1]
res = {}
for n in "abcdef":
    a = np.load(f"{d}/{n}.npy")
    res[n] = {"dtype": a.dtype.str, "shape": list(a.shape), "fortran": bool(a.flags.f_contiguous and a.ndim > 1 and not a.flags.c_contiguous),
              "values": [repr(x) for x in a.reshape(-1).tolist()]}
print(json.dumps(res))`, [dir]);
    const r = JSON.parse(out);
    expect(r.a).toMatchObject({ dtype: '<f4', shape: [2, 3, 2], fortran: true });
    expect(r.a.values.map(Number)).toEqual([...t.data]);
    expect(r.b.values).toEqual(['0.1', '-inf', '1e-310']);
    expect(r.c).toMatchObject({ dtype: '>i8', values: ['-9223372036854775808', '1', '9007199254740993', '7'] });
    expect(r.d).toMatchObject({ dtype: '|b1', values: ['True', 'False', 'True'] });
    expect(r.e).toMatchObject({ dtype: '<f2', values: ['1.0', '-65504.0'] });
    expect(r.f).toMatchObject({ dtype: '|u1', shape: [], values: ['200'] });
  });
});

describe('readNpy on corrupt and hostile files', () => {
  const good = writeNpy(makeTensor('F32', [2, 2], Float32Array.from([1, 2, 3, 4])));
  const withHeader = (dict: string, data = new Uint8Array(16), version = 1) => {
    const h = new TextEncoder().encode(dict + '\n');
    const pre = version === 1 ? 10 : 12;
    const out = new Uint8Array(pre + h.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    if (version === 1) new DataView(out.buffer).setUint16(8, h.length, true);
    else new DataView(out.buffer).setUint32(8, h.length, true);
    out.set(h, pre);
    out.set(data, pre + h.length);
    return out;
  };

  it('accepts the hand-built baseline', () => {
    expect(readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }")).tensor.shape).toEqual([2, 2]);
  });
  it('bad magic', () => { const b = good.slice(); b[1] = 0x4d; expectFormatError(() => readNpy(b), /magic/); });
  it('unknown version', () => { const b = good.slice(); b[6] = 4; expectFormatError(() => readNpy(b), /version 4\.0|4\.0 is not/); });
  it('truncated data', () => expectFormatError(() => readNpy(good.subarray(0, good.length - 3)), /truncated: shape \(2, 2\) of <f4 needs 16 bytes, file has 13/));
  it('trailing garbage', () => expectFormatError(() => readNpy(Uint8Array.from([...good, 0])), /1 trailing bytes/));
  it('header length beyond the file', () => {
    const b = good.slice(); new DataView(b.buffer).setUint16(8, 60000, true);
    expectFormatError(() => readNpy(b), /runs past the end/);
    const v2 = withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(16), 2);
    new DataView(v2.buffer).setUint32(8, 0xffffffff, true);
    expectFormatError(() => readNpy(v2), /runs past the end/);
  });
  it('dtype/shape mismatch with the data', () => expectFormatError(() => readNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }")), /needs 32 bytes, file has 16/));
  it('huge declared shape without allocating', () => {
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")), /more elements/);
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000,), }")), /needs 400000000000 bytes/);
  });
  it('unsupported or malformed descr, keys and literals', () => {
    expectFormatError(() => readNpy(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }")), /header.descr/);
    expectFormatError(() => readNpy(withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }")), /structured/);
    expectFormatError(() => readNpy(withHeader("{'descr': '|f4', 'fortran_order': False, 'shape': (4,), }")), /only valid for 1-byte/);
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'shape': (4,), }")), /keys must be/);
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (4,), }")), /fortran_order/);
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }")), /shape/);
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (nan,), }")), /unexpected token/);
    expectFormatError(() => readNpy(withHeader("__import__('os').system('x')")), /unexpected token/);
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4,), }")), /duplicate key/);
    expectFormatError(() => readNpy(withHeader('(((((((((((1)))))))))))')), /too deep/);
  });
  it('a "-0" dimension (found by the fuzzer) reads as +0', () => {
    const f = readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-0, 4), }", new Uint8Array(0)));
    expect(Object.is(f.tensor.shape[0], 0)).toBe(true);
  });
  it('bool bytes other than 0/1', () => expectFormatError(() => readNpy(withHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", Uint8Array.from([1, 7]))), /bool/));
});
