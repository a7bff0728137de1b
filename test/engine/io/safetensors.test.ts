import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors, SAFETENSORS_MAX_HEADER_BYTES } from '../../../engine/io/safetensors';
import { makeTensor, storageToBytes, tensorToFloat64 } from '../../../engine/io/dtype';
import { TensorFormatError } from '../../../engine/io/format-error';
import { expectSameValues, fixtureBytes, fixtureJson, hex } from './fixtures';

const torchDType: Record<string, string> = {
  'torch.float32': 'F32', 'torch.float16': 'F16', 'torch.bfloat16': 'BF16', 'torch.float8_e4m3fn': 'F8_E4M3',
  'torch.int32': 'I32', 'torch.int64': 'I64', 'torch.uint8': 'U8', 'torch.bool': 'BOOL',
};

/** Builds a file by hand from a header object and a data section. */
function build(header: unknown, data: Uint8Array, lengthOverride?: number): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, lengthOverride ?? h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function expectFormatError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'expected a TensorFormatError').toBeInstanceOf(TensorFormatError);
  expect((err as Error).message).toMatch(pattern);
}

describe('readSafetensors on files written by safetensors.torch (PyTorch 2.11)', () => {
  const file = readSafetensors(fixtureBytes('torch-dtypes.safetensors'));
  const expected = fixtureJson('torch-dtypes.expected.json');

  it('reads the metadata and every tensor name', () => {
    expect(file.metadata).toEqual(expected.metadata);
    expect([...file.tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
  });

  for (const [name, exp] of Object.entries<any>(fixtureJson('torch-dtypes.expected.json').tensors)) {
    it(`tensor ${name} (${exp.dtype}) matches torch's bytes and decoded values`, () => {
      const t = file.tensors.get(name)!;
      expect(t.dtype).toBe(torchDType[exp.dtype]);
      expect(t.shape).toEqual(exp.shape);
      expect(hex(storageToBytes(t.dtype, t.data))).toBe(exp.hex);
      if (t.dtype === 'I64') expect([...(t.data as BigInt64Array)].map(String)).toEqual(exp.values);
      else expectSameValues(tensorToFloat64(t), exp.values, name);
    });
  }

  it('decodes all 256 FP8 E4M3 codes exactly as torch does (NaN only at 0x7F/0xFF)', () => {
    const v = tensorToFloat64(file.tensors.get('f8_e4m3')!);
    expect(v[0x7e]).toBe(448);
    expect(v[0x01]).toBe(2 ** -9);
    expect(Object.is(v[0x80], -0)).toBe(true);
    expect([...v].map((x, i) => (Number.isNaN(x) ? i : -1)).filter((i) => i >= 0)).toEqual([0x7f, 0xff]);
  });

  it('reads the safetensors.numpy front end too', () => {
    const f = readSafetensors(fixtureBytes('numpy-st.safetensors'));
    expect(f.metadata).toEqual({ writer: 'safetensors.numpy' });
    expect([...tensorToFloat64(f.tensors.get('a_f4')!)]).toEqual(Array.from({ length: 12 }, (_, i) => i / 8));
    expect([...(f.tensors.get('b_i8')!.data as BigInt64Array)]).toEqual([-5n, 7n, 9n, -11n]);
    expect([...tensorToFloat64(f.tensors.get('d_f2')!)]).toEqual([0.5, -1.25, 1024]);
    expect(f.tensors.get('c_u1')!.shape).toEqual([3]);
  });
});

describe('writeSafetensors', () => {
  it('round-trips every dtype bit-exactly, with metadata and aligned data', () => {
    const src = readSafetensors(fixtureBytes('torch-dtypes.safetensors'));
    const bytes = writeSafetensors(src.tensors, { metadata: src.metadata });
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual(src.metadata);
    for (const [name, t] of src.tensors) {
      const b = back.tensors.get(name)!;
      expect(b.dtype).toBe(t.dtype);
      expect(b.shape).toEqual(t.shape);
      expect(hex(storageToBytes(b.dtype, b.data))).toBe(hex(storageToBytes(t.dtype, t.data)));
    }
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    for (const [name, e] of Object.entries<any>(header)) {
      if (name === '__metadata__') continue;
      const size = storageToBytes(e.dtype, src.tensors.get(name)!.data).length / Math.max(1, e.shape.reduce((a: number, b: number) => a * b, 1));
      if (size > 0) expect(e.data_offsets[0] % size).toBe(0);
    }
  });

  it('refuses caller mistakes with the argument named', () => {
    const t = makeTensor('F32', [2], new Float32Array([1, 2]));
    expect(() => writeSafetensors({ __metadata__: t })).toThrow(/reserved/);
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(/data has 2 elements/);
    expect(() => writeSafetensors({ a: t }, { metadata: { k: 5 as unknown as string } })).toThrow(/metadata/);
  });
});

describe('readSafetensors on corrupt and hostile files', () => {
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data8 = new Uint8Array(8);

  it('accepts the hand-built baseline', () => {
    expect(readSafetensors(build(ok, data8)).tensors.get('a')!.shape).toEqual([2]);
  });
  it('truncated before the length word', () => expectFormatError(() => readSafetensors(new Uint8Array(5)), /too short/));
  it('header length beyond the file', () => expectFormatError(() => readSafetensors(build(ok, data8, 5000)), /runs past the end/));
  it('header length over the 100 MB limit', () => {
    const b = build(ok, data8);
    new DataView(b.buffer).setUint32(4, 1, true); // 2^32 + n
    expectFormatError(() => readSafetensors(b), new RegExp(`exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}`));
  });
  it('truncated data (offsets out of range)', () => expectFormatError(() => readSafetensors(build(ok, new Uint8Array(4))), /beyond the 4-byte data section/));
  it('overlapping tensors', () => expectFormatError(() => readSafetensors(build({
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
  }, new Uint8Array(12))), /overlaps/));
  it('a gap between tensors', () => expectFormatError(() => readSafetensors(build({
    a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
  }, new Uint8Array(12))), /gap/));
  it('trailing bytes', () => expectFormatError(() => readSafetensors(build(ok, new Uint8Array(12))), /trailing/));
  it('dtype/shape mismatch with the byte span', () => expectFormatError(() => readSafetensors(build({
    a: { dtype: 'F16', shape: [2], data_offsets: [0, 8] } }, data8)), /does not match F16 shape \[2\]/));
  it('unknown dtype', () => expectFormatError(() => readSafetensors(build({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 8] } }, data8)), /dtype/));
  it('huge declared shape without allocating', () => expectFormatError(() => readSafetensors(build({
    a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, data8)), /more elements than can be addressed/));
  it('huge but addressable shape is a span mismatch, not an allocation', () => expectFormatError(() => readSafetensors(build({
    a: { dtype: 'F64', shape: [1e9], data_offsets: [0, 8] } }, data8)), /does not match/));
  it('negative or fractional shapes and offsets', () => {
    expectFormatError(() => readSafetensors(build({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data8)), /shape/);
    expectFormatError(() => readSafetensors(build({ a: { dtype: 'F32', shape: [2], data_offsets: [0.5, 8] } }, data8)), /data_offsets/);
  });
  it('NaN-laden or non-JSON header', () => {
    expectFormatError(() => readSafetensors(build('{"a": {"dtype": "F32", "shape": [NaN], "data_offsets": [0, 8]}}', data8)), /not valid JSON/);
    expectFormatError(() => readSafetensors(build('[1,2]', data8)), /start with "\{"/);
  });
  it('a JSON -0 in shape or offsets reads as +0', () => {
    const t = readSafetensors(build('{"a": {"dtype": "F32", "shape": [-0], "data_offsets": [-0, 0]}}', new Uint8Array(0))).tensors.get('a')!;
    expect(Object.is(t.shape[0], 0)).toBe(true);
  });
  it('invalid UTF-8 in the header', () => {
    const b = build(ok, data8);
    b[9] = 0xff;
    expectFormatError(() => readSafetensors(b), /UTF-8/);
  });
  it('non-string metadata', () => expectFormatError(() => readSafetensors(build({ __metadata__: { k: 1 }, ...ok }, data8)), /__metadata__.k/));
});

describe('FP8 E5M2 and UE8M0 (F8_E5M2, F8_E8M0)', () => {
  it('decode every code by definition and round-trip through a file', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const f = readSafetensors(writeSafetensors({ e5: makeTensor('F8_E5M2', [256], codes), e8: makeTensor('F8_E8M0', [256], codes) }));
    const e5 = tensorToFloat64(f.tensors.get('e5')!);
    const e8 = tensorToFloat64(f.tensors.get('e8')!);
    expect(e5[0x3c]).toBe(1); // 0 01111 00
    expect(e5[0x7b]).toBe(57344); // max finite
    expect(e5[0x7c]).toBe(Infinity);
    expect(Number.isNaN(e5[0x7d]!)).toBe(true);
    expect(e5[0x01]).toBe(2 ** -16); // min subnormal
    expect(Object.is(e5[0x80], -0)).toBe(true);
    expect(e8[127]).toBe(1);
    expect(e8[105]).toBe(2 ** -22); // the all-zero tile's scale byte (sparse-mla.md §6.3)
    expect(e8[0]).toBe(2 ** -127);
    expect(Number.isNaN(e8[255]!)).toBe(true);
  });
});
