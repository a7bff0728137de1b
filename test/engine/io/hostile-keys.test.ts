// Keys a file may carry that plain JavaScript objects treat specially ("__proto__",
// "constructor"), and blob references that would multiply memory: every reader keeps such keys as
// data or refuses the file, and never lets file content become a prototype.
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../engine/io/crc32';
import { TensorFormatError } from '../../../engine/io/format-error';
import { readNpy } from '../../../engine/io/npy';
import { readSafetensors } from '../../../engine/io/safetensors';
import { decodeSnapshotFile, encodeSnapshotFile } from '../../../engine/io/snapshot-file';

/** A sealed snapshot file (valid checksums) whose JSON is exactly `json`, followed by `blobs`. */
function sealSnapshot(json: string, blobs: Uint8Array[] = []): Uint8Array {
  const text = new TextEncoder().encode(json);
  const pad = (n: number) => (8 - (n % 8)) % 8;
  let payload = text.length + pad(text.length) + 8 * blobs.length;
  for (const b of blobs) payload += b.length + pad(b.length);
  const out = new Uint8Array(40 + payload);
  const dv = new DataView(out.buffer);
  out.set([0x89, 0x45, 0x4c, 0x53, 0x4e, 0x41, 0x50, 0x1a]);
  dv.setUint32(8, 1, true);
  dv.setUint32(12, blobs.length, true);
  dv.setBigUint64(16, BigInt(text.length), true);
  dv.setBigUint64(24, BigInt(payload), true);
  out.set(text, 40);
  let pos = 40 + text.length + pad(text.length);
  for (const b of blobs) { dv.setBigUint64(pos, BigInt(b.length), true); pos += 8; }
  for (const b of blobs) { out.set(b, pos); pos += b.length + pad(b.length); }
  dv.setUint32(32, crc32(out.subarray(40)), true);
  dv.setUint32(36, crc32(out.subarray(0, 36)), true);
  return out;
}

describe('snapshot files with "__proto__" and "constructor" keys', () => {
  it('keeps a "__proto__" key as data: the decoded object keeps Object.prototype and the key', () => {
    const bytes = sealSnapshot('{"requests": {"__proto__": {"polluted": true, "n": 7}, "constructor": 3, "r0": 1}}');
    const { value } = decodeSnapshotFile(bytes) as { value: { requests: Record<string, unknown> } };
    const requests = value.requests;
    expect(Object.getPrototypeOf(requests)).toBe(Object.prototype);
    expect(Object.keys(requests).sort()).toEqual(['__proto__', 'constructor', 'r0']);
    expect(Object.getOwnPropertyDescriptor(requests, '__proto__')?.value).toEqual({ polluted: true, n: 7 });
    expect((requests as { polluted?: unknown }).polluted).toBeUndefined();
    expect(requests.constructor).toBe(3);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('round-trips a value that has an own "__proto__" key through encode and decode', () => {
    const value = JSON.parse('{"table": {"__proto__": [1, 2], "x": "y"}}') as Record<string, unknown>;
    const back = decodeSnapshotFile(encodeSnapshotFile(value)).value as { table: object };
    expect(Object.getOwnPropertyDescriptor(back.table, '__proto__')?.value).toEqual([1, 2]);
    expect(Object.getPrototypeOf(back.table)).toBe(Object.prototype);
  });

  it('an escaped "$$__proto__" key decodes to the plain data key "$__proto__"', () => {
    const { value } = decodeSnapshotFile(sealSnapshot('{"$$__proto__": {"a": 1}}')) as { value: object };
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '$__proto__')?.value).toEqual({ a: 1 });
  });

  it('refuses a blob referenced twice (a few JSON bytes must not copy one blob a million times) or never', () => {
    const blob = new Uint8Array(64);
    expect(() => decodeSnapshotFile(sealSnapshot('[{"$blob": 0, "type": "Uint8Array"}, {"$blob": 0, "type": "Uint8Array"}]', [blob]))).toThrow(/blob 0 is referenced a second time/);
    expect(() => decodeSnapshotFile(sealSnapshot('{"a": 1}', [blob]))).toThrow(TensorFormatError);
    expect(() => decodeSnapshotFile(sealSnapshot('{"a": 1}', [blob]))).toThrow(/blob 0: is never referenced/);
    const ok = decodeSnapshotFile(sealSnapshot('[{"$blob": 0, "type": "Uint8Array"}]', [blob])).value as Uint8Array[];
    expect(ok[0]).toEqual(blob);
  });
});

describe('safetensors and npy headers with "__proto__" keys', () => {
  it('safetensors keeps a "__proto__" metadata entry as an own string entry', () => {
    const header = new TextEncoder().encode('{"__metadata__": {"__proto__": "kept", "format": "pt"}, "t": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}');
    const file = new Uint8Array(8 + header.length + 2);
    new DataView(file.buffer).setUint32(0, header.length, true);
    file.set(header, 8);
    file.set([5, 6], 8 + header.length);
    const f = readSafetensors(file);
    expect(Object.keys(f.metadata).sort()).toEqual(['__proto__', 'format']);
    expect(Object.getOwnPropertyDescriptor(f.metadata, '__proto__')?.value).toBe('kept');
    expect(Object.getPrototypeOf(f.metadata)).toBe(Object.prototype);
  });

  it('npy refuses a header dict with an extra "__proto__" key, as numpy does, instead of ignoring it', () => {
    const text = "{'descr': '<u1', 'fortran_order': False, 'shape': (2,), '__proto__': {'descr': '<f8'}, }";
    const padded = text + ' '.repeat(63 - ((10 + text.length) % 64)) + '\n';
    const header = new TextEncoder().encode(padded);
    const file = new Uint8Array(10 + header.length + 2);
    file.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(file.buffer).setUint16(8, header.length, true);
    file.set(header, 10);
    expect(() => readNpy(file)).toThrow(/keys must be descr, fortran_order, shape/);
  });
});
