import { describe, expect, it } from 'vitest';
import { decodeSnapshotFile, encodeSnapshotFile, SNAPSHOT_FILE_VERSION } from '../../../engine/io/snapshot-file';
import { crc32 } from '../../../engine/io/crc32';
import { TensorFormatError } from '../../../engine/io/format-error';
import { Rng } from '../../../engine/base/rng';

function expectFormatError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'expected a TensorFormatError').toBeInstanceOf(TensorFormatError);
  expect((err as Error).message).toMatch(pattern);
}

/** A value shaped like an engine snapshot, with the awkward cases a JSON round trip would mangle. */
function sampleSnapshot() {
  const rng = new Rng(7);
  rng.normal();
  return {
    version: 1,
    clockUs: 123456.75,
    stepIndex: 42,
    requests: [{ requestId: 'r0', promptTokenIds: [1, 2, 3], outputTokenIds: [], numComputedTokens: 3, status: 'RUNNING' }],
    waiting: [], running: ['r0'],
    kv: { blockTables: { r0: [1, 4, 9] }, freeQueue: [2, 3, 5], refCounts: new Int32Array([0, 1, 0, 0, 1]) },
    executor: { rng: rng.state(), swaCache: Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff), sink: Float32Array.from([0.5, -Infinity]) },
    special: { nan: NaN, inf: Infinity, ninf: -Infinity, negZero: -0, big: 2n ** 70n, $dollar: 'kept', nested: { $$two: [null, true] } },
    optional: undefined,
  };
}

describe('snapshot file', () => {
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('6789'), crc32(new TextEncoder().encode('12345')))).toBe(0xcbf43926);
  });

  it('round-trips a snapshot value exactly, typed arrays as blobs, non-JSON numbers tagged', () => {
    const snap = sampleSnapshot();
    const bytes = encodeSnapshotFile(snap);
    const back = decodeSnapshotFile(bytes);
    expect(back.version).toBe(SNAPSHOT_FILE_VERSION);
    const v = back.value as any;
    expect(v.executor.swaCache).toBeInstanceOf(Uint8Array);
    expect([...v.executor.swaCache]).toEqual([...snap.executor.swaCache]);
    expect(v.kv.refCounts).toBeInstanceOf(Int32Array);
    expect([...v.executor.sink]).toEqual([0.5, -Infinity]);
    expect(Number.isNaN(v.special.nan)).toBe(true);
    expect(v.special.inf).toBe(Infinity);
    expect(Object.is(v.special.negZero, -0)).toBe(true);
    expect(v.special.big).toBe(2n ** 70n);
    expect(v.special.$dollar).toBe('kept');
    expect(v.special.nested).toEqual({ $$two: [null, true] });
    expect('optional' in v).toBe(false);
    const { executor: _e, kv: _k, special: _s, optional: _o, ...plain } = snap;
    expect(v).toMatchObject(plain);
    // Deterministic: same value, same bytes.
    expect(encodeSnapshotFile(sampleSnapshot())).toEqual(bytes);
  });

  it('refuses values JSON would silently change, naming the path', () => {
    expect(() => encodeSnapshotFile({ a: { b: [1, undefined] } })).toThrow(/snapshot.a.b\[1\] is undefined/);
    expect(() => encodeSnapshotFile({ f: () => 1 })).toThrow(/snapshot.f is function/);
    expect(() => encodeSnapshotFile({ m: new Map() })).toThrow(/snapshot.m is a Map/);
    const cyc: any = { a: {} };
    cyc.a.back = cyc;
    expect(() => encodeSnapshotFile(cyc)).toThrow(/cycle/);
  });

  describe('corruption is detected', () => {
    const good = encodeSnapshotFile(sampleSnapshot());
    it('any single flipped payload bit', () => {
      for (const pos of [40, 41, 100, good.length - 1, good.length - 500]) {
        const b = good.slice();
        b[pos]! ^= 0x10;
        expectFormatError(() => decodeSnapshotFile(b), /checksum mismatch: the file is corrupt/);
      }
    });
    it('a flipped header bit', () => {
      const b = good.slice();
      b[20]! ^= 1;
      expectFormatError(() => decodeSnapshotFile(b), /header is corrupt/);
    });
    it('truncation and trailing bytes', () => {
      expectFormatError(() => decodeSnapshotFile(good.subarray(0, good.length - 8)), /truncated: header promises \d+ payload bytes/);
      expectFormatError(() => decodeSnapshotFile(good.subarray(0, 30)), /shorter than the 40-byte header/);
      expectFormatError(() => decodeSnapshotFile(Uint8Array.from([...good, 1])), /1 trailing bytes/);
    });
    it('wrong magic and unknown version', () => {
      expectFormatError(() => decodeSnapshotFile(new TextEncoder().encode('{"version": 1, "padding": "xxxxxxxxxxxxxxxxxxxxxxxxxx"}')), /not an enginelab snapshot file/);
      const b = good.slice();
      const dv = new DataView(b.buffer);
      dv.setUint32(8, 2, true);
      dv.setUint32(36, crc32(b.subarray(0, 36)), true);
      expectFormatError(() => decodeSnapshotFile(b), /file format 2 is not supported/);
    });
    it('a consistent-looking but wrong blob table', () => {
      const b = good.slice();
      const dv = new DataView(b.buffer);
      dv.setUint32(12, 99, true); // claims 99 blobs
      dv.setUint32(36, crc32(b.subarray(0, 36)), true);
      expectFormatError(() => decodeSnapshotFile(b), /blob|payload/);
    });
  });
});
