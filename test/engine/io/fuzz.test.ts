/**
 * Seeded mutation fuzzing of every reader: ≥ 10,000 mutated files per format. A reader may
 * accept a mutated file (then its result must be self-consistent) or throw `TensorFormatError`;
 * any other exception (RangeError, TypeError, SyntaxError, a crash) fails the test with the
 * seed and mutation that caused it. The fuzzer must reach both outcomes, so it is not only
 * bouncing off the first check.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';
import { makeTensor, numElements } from '../../../engine/io/dtype';
import { TensorFormatError } from '../../../engine/io/format-error';
import { readNpy, writeNpy } from '../../../engine/io/npy';
import { readSafetensors, writeSafetensors } from '../../../engine/io/safetensors';
import { decodeSnapshotFile, encodeSnapshotFile } from '../../../engine/io/snapshot-file';
import { readSparseMlaDump } from '../../../engine/io/vllm-dump';
import { crc32 } from '../../../engine/io/crc32';
import { fixtureBytes } from './fixtures';

const N = 10_000;
const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x7b, 0x22, 0x2c, 0x39, 0x2d, 0x5d, 0x20];
const DEEP = '['.repeat(2000) + ']'.repeat(2000);
const INTERESTING_NUMBERS = [DEEP, '{"a": ' + DEEP + '}', '-1', '0', '1', '7', '4294967295', '4294967296', '9007199254740993', '1e308', '0.5', 'NaN', 'Infinity', '-0', '18446744073709551616', '[]', 'null', '"x"'];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** One random mutation of `b`; `text` mutations edit numbers and tokens of a textual part. */
function mutate(rng: Rng, b: Uint8Array, textRange?: [number, number]): { bytes: Uint8Array; how: string } {
  const op = rng.int(textRange ? 8 : 6);
  const pos = rng.int(Math.max(1, b.length));
  switch (op) {
    case 0: { const c = b.slice(); const k = 1 + rng.int(4); for (let i = 0; i < k; i++) { const p = rng.int(c.length); c[p]! ^= 1 << rng.int(8); } return { bytes: c, how: `flip ${k} bits` }; }
    case 1: { const c = b.slice(); c[pos] = INTERESTING_BYTES[rng.int(INTERESTING_BYTES.length)]!; return { bytes: c, how: `set byte ${pos}` }; }
    case 2: return { bytes: b.slice(0, pos), how: `truncate at ${pos}` };
    case 3: { const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)); return { bytes: concat(b, extra), how: `append ${extra.length}` }; }
    case 4: { const n = 1 + rng.int(8); return { bytes: concat(b.subarray(0, pos), b.subarray(pos + n)), how: `delete ${n} at ${pos}` }; }
    case 5: { const c = b.slice(); const dv = new DataView(c.buffer); const v = [0, 1, 7, 0xffffffff, 0x7fffffff, c.length, c.length - 8][rng.int(7)]!; const at = [0, 4, 8, 12, 16, 24][rng.int(6)]!; if (at + 4 <= c.length) dv.setUint32(at, v >>> 0, true); return { bytes: c, how: `u32 ${v} at ${at}` }; }
    default: {
      // Textual: replace one number/literal inside the text range with an interesting token.
      const [lo, hi] = textRange!;
      const text = new TextDecoder().decode(b.subarray(lo, hi));
      const matches = [...text.matchAll(/-?\d+(\.\d+)?(e-?\d+)?|true|false|null|"[a-z_0-9.]*"/g)];
      if (matches.length === 0) return { bytes: b.slice(), how: 'no-op' };
      const m = matches[rng.int(matches.length)]!;
      const rep = INTERESTING_NUMBERS[rng.int(INTERESTING_NUMBERS.length)]!;
      const edited = text.slice(0, m.index) + rep + text.slice(m.index! + m[0].length);
      const e = new TextEncoder().encode(edited);
      return { bytes: concat(b.subarray(0, lo), e, b.subarray(hi)), how: `text ${m[0]} → ${rep}` };
    }
  }
}

interface Tally { accepted: number; rejected: number }

function runFuzz(label: string, bases: Uint8Array[], textRange: (b: Uint8Array) => [number, number] | undefined,
  read: (b: Uint8Array) => void, fixup?: (b: Uint8Array) => Uint8Array): Tally {
  const rng = new Rng(0x5eed + label.length);
  const tally: Tally = { accepted: 0, rejected: 0 };
  for (let i = 0; i < N; i++) {
    const base = bases[i % bases.length]!;
    let { bytes, how } = mutate(rng, base, textRange(base));
    if (rng.int(3) === 0) { const second = mutate(rng, bytes, textRange(bytes)); bytes = second.bytes; how = `${how}; then ${second.how}`; }
    if (fixup && rng.int(2) === 0) bytes = fixup(bytes);
    try {
      read(bytes);
      tally.accepted++;
    } catch (e) {
      if (!(e instanceof TensorFormatError)) {
        throw new Error(`${label} fuzz case ${i} (${how}) threw ${(e as Error).name}: ${(e as Error).message}`);
      }
      expect(e.message.startsWith(`${e.format}: `)).toBe(true);
      tally.rejected++;
    }
  }
  return tally;
}

function safetensorsHeaderRange(b: Uint8Array): [number, number] | undefined {
  if (b.length < 8) return undefined;
  const n = new DataView(b.buffer, b.byteOffset).getUint32(0, true);
  return 8 + n <= b.length ? [8, 8 + n] : undefined;
}

describe('deeply nested hostile values', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const expectFormatError = (fn: () => unknown) => expect(fn).toThrow(TensorFormatError);
  it('every reader rejects them with a TensorFormatError, never a stack overflow', () => {
    const h = new TextEncoder().encode(`{"a": {"dtype": ${deep}, "shape": [1], "data_offsets": [0, 4]}}`);
    const st = new Uint8Array(8 + h.length + 4);
    new DataView(st.buffer).setUint32(0, h.length, true);
    st.set(h, 8);
    expectFormatError(() => readSafetensors(st));
    expectFormatError(() => readSparseMlaDump(`{"phase": ${deep}}`));
    expectFormatError(() => readSparseMlaDump(`{"phase": "decode", "prefix": "x", "compress_ratio": 1, "q": ${deep}}`));
    const npyHeader = new TextEncoder().encode(`{'descr': ${'('.repeat(5000)}${')'.repeat(5000)}}\n`);
    const npy = new Uint8Array(12 + npyHeader.length);
    npy.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(npy.buffer).setUint32(8, npyHeader.length, true);
    npy.set(npyHeader, 12);
    expectFormatError(() => readNpy(npy));
    const json = new TextEncoder().encode(deep);
    const pad = (8 - (json.length % 8)) % 8;
    const snap = new Uint8Array(40 + json.length + pad);
    snap.set([0x89, 0x45, 0x4c, 0x53, 0x4e, 0x41, 0x50, 0x1a]);
    const dv = new DataView(snap.buffer);
    dv.setUint32(8, 1, true);
    dv.setBigUint64(16, BigInt(json.length), true);
    dv.setBigUint64(24, BigInt(json.length + pad), true);
    snap.set(json, 40);
    dv.setUint32(32, crc32(snap.subarray(40)), true);
    dv.setUint32(36, crc32(snap.subarray(0, 36)), true);
    expect(() => decodeSnapshotFile(snap)).toThrow(/nesting deeper than 512/);
  });
  it('the snapshot writer refuses a too-deep value by name', () => {
    let v: unknown = 1;
    for (let i = 0; i < 1000; i++) v = [v];
    expect(() => encodeSnapshotFile(v)).toThrow(/nested deeper than 512/);
  });
});

describe(`fuzzing the readers with ${N} seeded mutated files per format`, () => {
  it('safetensors', () => {
    const bases = [
      fixtureBytes('torch-dtypes.safetensors'),
      fixtureBytes('numpy-st.safetensors'),
      writeSafetensors({ a: makeTensor('BF16', [2, 2], Uint16Array.from([1, 2, 3, 4])), b: makeTensor('I64', [1], BigInt64Array.from([5n])) }, { metadata: { k: 'v' } }),
    ];
    const tally = runFuzz('safetensors', bases, safetensorsHeaderRange, (b) => {
      const f = readSafetensors(b);
      let total = 0;
      for (const t of f.tensors.values()) {
        expect(t.data.length).toBe(numElements(t.shape));
        total += t.data.byteLength;
      }
      expect(total).toBeLessThanOrEqual(b.length);
      const again = readSafetensors(writeSafetensors(f.tensors, { metadata: f.metadata }));
      expect([...again.tensors.keys()].sort()).toEqual([...f.tensors.keys()].sort());
    });
    expect(tally.accepted + tally.rejected).toBe(N);
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(N / 2);
  });

  it('npy', () => {
    const bases = ['f4_fortran_v1', 'i8_v2', 'u1_v3', 'f8_be_v1', 'bool_v1', 'scalar_f8_v1'].map((n) => fixtureBytes('npy', `${n}.npy`));
    bases.push(writeNpy(makeTensor('I32', [2, 3], Int32Array.from([1, 2, 3, 4, 5, 6])), { fortranOrder: true, version: 3 }));
    const tally = runFuzz('npy', bases, (b) => {
      if (b.length < 12) return undefined;
      const v = b[6];
      const dv = new DataView(b.buffer, b.byteOffset);
      const n = v === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
      const start = v === 1 ? 10 : 12;
      return start + n <= b.length ? [start, start + n] : undefined;
    }, (b) => {
      const f = readNpy(b);
      expect(f.tensor.data.length).toBe(numElements(f.tensor.shape));
      expect(f.tensor.data.byteLength).toBeLessThanOrEqual(b.length);
    });
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(N / 2);
  });

  it('vLLM sparse-MLA dump JSONL', () => {
    const text = fixtureBytes('vllm-dump.jsonl');
    const lines = new TextDecoder().decode(text).trimEnd().split('\n').map((l) => new TextEncoder().encode(l + '\n'));
    const tally = runFuzz('vllm-dump', [lines[0]!, lines[1]!, lines[2]!], (b) => [0, b.length], (b) => {
      const records = readSparseMlaDump(b);
      for (const r of records) expect(['prefill', 'decode', 'decode_unsupported_compressed']).toContain(r.phase);
    });
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(N / 4);
  });

  it('engine snapshot files (half of the mutations re-sealed with valid checksums)', () => {
    const base = encodeSnapshotFile({ version: 1, clockUs: 12.5, requests: [{ id: 'r0', tokens: [1, 2, 3] }], cache: Uint8Array.from([1, 2, 3, 4, 5]), sink: Float32Array.from([0.5, -Infinity]), n: NaN });
    const reseal = (b: Uint8Array): Uint8Array => {
      if (b.length < 40) return b;
      const c = b.slice();
      const dv = new DataView(c.buffer);
      dv.setUint32(32, crc32(c.subarray(40)), true);
      dv.setUint32(36, crc32(c.subarray(0, 36)), true);
      return c;
    };
    const tally = runFuzz('snapshot', [base], (b) => {
      if (b.length < 40) return undefined;
      const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(16, true));
      return 40 + n <= b.length ? [40, 40 + n] : undefined;
    }, (b) => { decodeSnapshotFile(b); }, reseal);
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(N / 2);
  });
});
