import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileExistsError } from '../../../kernel/files/atomic-write';
import {
  loadSnapshotFile, readDumpFile, readTensorFile, saveSnapshotFile, writeDumpFile, writeTensorFile,
} from '../../../kernel/files/tensor-files';
import { makeTensor, TensorFormatError } from '../../../engine/index';
import { SKIP_NUMPY, runPython } from '../../engine/io/python';

const DUMPS = resolve(__dirname, '../../../fixtures/dumps');
const tmp = () => mkdtempSync(join(tmpdir(), 'tensor-files-'));

describe('tensor files on disk', () => {
  it('reads the committed fixtures by magic bytes', () => {
    const st = readTensorFile(join(DUMPS, 'torch-dtypes.safetensors'));
    expect(st.format).toBe('safetensors');
    expect(st.tensors.get('f8_e4m3')!.shape).toEqual([16, 16]);
    const npy = readTensorFile(join(DUMPS, 'npy', 'i4_fortran_v2.npy'));
    expect(npy).toMatchObject({ format: 'npy', fortranOrder: true, npyVersion: 2 });
    expect([...npy.tensors.keys()]).toEqual(['i4_fortran_v2']);
    expect([...(npy.tensors.get('i4_fortran_v2')!.data as Int32Array)].slice(0, 5)).toEqual([-7, -6, -5, -4, -3]);
  });

  it('writes atomically, never overwrites without the flag, and leaves no temporary files', () => {
    const dir = tmp();
    const p = join(dir, 'x.safetensors');
    const a = makeTensor('F32', [2], Float32Array.from([1, 2]));
    writeTensorFile(p, { a }, { metadata: { who: 'test' } });
    const before = readFileSync(p);
    expect(() => writeTensorFile(p, { a: makeTensor('F32', [1], Float32Array.from([9])) })).toThrow(FileExistsError);
    expect(readFileSync(p)).toEqual(before);
    writeTensorFile(p, { b: makeTensor('I64', [1], BigInt64Array.from([3n])) }, { overwrite: true });
    expect([...readTensorFile(p).tensors.keys()]).toEqual(['b']);
    expect(readdirSync(dir)).toEqual(['x.safetensors']);
  });

  it('npy takes exactly one tensor; unknown extensions are refused by name', () => {
    const dir = tmp();
    const t = makeTensor('I32', [2, 2], Int32Array.from([1, 2, 3, 4]));
    writeTensorFile(join(dir, 'm.npy'), t, { fortranOrder: true, npyVersion: 3 });
    expect(readTensorFile(join(dir, 'm.npy'))).toMatchObject({ fortranOrder: true, npyVersion: 3 });
    expect(() => writeTensorFile(join(dir, 'two.npy'), { t, u: t })).toThrow(/exactly one tensor/);
    expect(() => writeTensorFile(join(dir, 'x.bin'), t)).toThrow(/extension/);
  });

  it('missing, directory or oversized paths give errors naming the path', () => {
    const dir = tmp();
    expect(() => readTensorFile(join(dir, 'nope.npy'))).toThrow(/cannot read .*nope\.npy: ENOENT/);
    expect(() => readTensorFile(dir)).toThrow(/not a regular file/);
    expect(() => readTensorFile(join(DUMPS, 'torch-dtypes.safetensors'), { maxBytes: 100 })).toThrow(/more than maxBytes 100/);
  });

  it('a corrupt file on disk is a TensorFormatError', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.safetensors'), Uint8Array.from([255, 255, 0, 0, 0, 0, 0, 0, 1, 2]));
    expect(() => readTensorFile(join(dir, 'bad.safetensors'))).toThrow(TensorFormatError);
  });

  it('dump files round-trip byte for byte', () => {
    const dir = tmp();
    const records = readDumpFile(join(DUMPS, 'vllm-dump.jsonl'));
    writeDumpFile(join(dir, 'd.jsonl'), records);
    expect(readFileSync(join(dir, 'd.jsonl'), 'utf8')).toBe(readFileSync(join(DUMPS, 'vllm-dump.jsonl'), 'utf8'));
    expect(() => writeDumpFile(join(dir, 'd.jsonl'), records)).toThrow(FileExistsError);
  });

  it('snapshot files save and load, detect corruption, refuse overwrite', () => {
    const dir = tmp();
    const p = join(dir, 's.elsnap');
    saveSnapshotFile(p, { step: 3, cache: Uint8Array.from([1, 2, 3]) });
    expect(loadSnapshotFile<{ step: number; cache: Uint8Array }>(p)).toEqual({ step: 3, cache: Uint8Array.from([1, 2, 3]) });
    expect(() => saveSnapshotFile(p, {})).toThrow(FileExistsError);
    const b = readFileSync(p);
    b[b.length - 2]! ^= 4;
    writeFileSync(p, b);
    expect(() => loadSnapshotFile(p)).toThrow(/checksum mismatch/);
  });

  it.skipIf(SKIP_NUMPY)('files written here are read by NumPy (npy) and by a hand-rolled safetensors parse in Python', () => {
    const dir = tmp();
    writeTensorFile(join(dir, 'a.npy'), makeTensor('F64', [2, 3], Float64Array.from([1, 2, 3, 4, 5, 6])), { fortranOrder: true });
    writeTensorFile(join(dir, 'b.safetensors'), { x: makeTensor('F32', [3], Float32Array.from([0.5, -1, 2])), y: makeTensor('U8', [2], Uint8Array.from([7, 8])) });
    const out = runPython(`
import json, struct, sys, numpy as np
d = sys.argv[1]
a = np.load(d + "/a.npy")
raw = open(d + "/b.safetensors", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
data = raw[8 + n:]
x = np.frombuffer(data[h["x"]["data_offsets"][0]:h["x"]["data_offsets"][1]], dtype="<f4")
y = np.frombuffer(data[h["y"]["data_offsets"][0]:h["y"]["data_offsets"][1]], dtype="u1")
print(json.dumps({"a": a.tolist(), "fortran": bool(a.flags.f_contiguous), "x": x.tolist(), "y": y.tolist(), "hlen8": n % 8 == 0}))`, [dir]);
    expect(JSON.parse(out)).toEqual({ a: [[1, 2, 3], [4, 5, 6]], fortran: true, x: [0.5, -1, 2], y: [7, 8], hlen8: true });
  });
});
