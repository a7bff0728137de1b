/**
 * The readers under mutation fuzzing, each as read → canonical text → write: Arrow IPC (file
 * and stream), engine snapshot files, safetensors, npy and the vLLM sparse-MLA dump (JSONL).
 * `classify` runs one read and names its outcome:
 *   equal      — the read gave exactly the original data;
 *   typed      — the reader threw its format's error (ArrowFormatError / TensorFormatError);
 *   different  — the read gave other data. Arrow, safetensors, npy and JSONL carry no checksum,
 *                so a flipped value byte is a valid file with another value; such a read must
 *                still be whole: for safetensors, npy and JSONL writing what was read and
 *                reading it again gives the same canonical text; for Arrow every value of every
 *                column reads as a value (a dictionary index out of range reads `undefined`, a
 *                non-nullable field holds no null). Arrow gets no write-back check: apache-arrow's
 *                writer mis-writes some tables read from odd (valid) buffer layouts — it wrote a
 *                dictionary index past its dictionary — which is not the reader's behaviour.
 *                A snapshot file has CRCs, so for it `different` is a silent acceptance of
 *                corrupted data;
 *   unstable   — accepted data that is not whole (above), or whose typed arrays exceed
 *                2 × the file size + 64 KiB (the memory bound on what a read may return);
 *   other      — any other exception (RangeError, TypeError, a plain Error): a reader bug.
 */
import type { Table } from 'apache-arrow';
import { ArrowFormatError } from '../../../engine/arrow/ipc-format-error';
import { fromArrowIPC } from '../../../engine/arrow/ipc';
import { TensorFormatError } from '../../../engine/io/format-error';
import { readNpy, writeNpy } from '../../../engine/io/npy';
import { readSafetensors, writeSafetensors } from '../../../engine/io/safetensors';
import { decodeSnapshotFile } from '../../../engine/io/snapshot-file';
import { readSparseMlaDump, writeSparseMlaDump } from '../../../engine/io/vllm-dump';

export type ReaderFormat = 'arrow-file' | 'arrow-stream' | 'snapshot' | 'safetensors' | 'npy' | 'vllm-dump';
export type Outcome = 'equal' | 'typed' | 'different' | 'unstable' | 'other';

interface Reader {
  /** Reads and returns the canonical text plus the bytes of typed arrays the result holds. */
  read(bytes: Uint8Array): { text: string; numArrayBytes: number; problem?: string };
  /** Writes what `read` returned last, for the stability check (undefined: no writer). */
  rewrite?(bytes: Uint8Array): Uint8Array;
  readonly checksummed: boolean;
}

/** JSON of any decoded value: Maps, typed arrays, bigints, NaN and -0 spelled out; keys sorted. */
export function canon(v: unknown, count: { n: number } = { n: 0 }): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isFinite(v) ? String(v) : `"${v}"`;
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (ArrayBuffer.isView(v)) {
    count.n += v.byteLength;
    const items = Array.from(v as unknown as ArrayLike<number | bigint>, (x) => canon(x));
    return `${v.constructor.name}[${items.join(',')}]`;
  }
  if (v instanceof Map) return `Map{${[...v.entries()].map(([k, x]) => `${canon(k)}:${canon(x, count)}`).sort().join(',')}}`;
  if (Array.isArray(v)) return `[${v.map((x) => canon(x, count)).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canon(o[k], count)}`).join(',')}}`;
}

/** Every field (name, type, nullability, metadata) and every value, read through the vectors. */
function arrowCanon(t: Table): { text: string; problem?: string } {
  const fields = t.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}:${canon(f.metadata)}`);
  let problem: string | undefined;
  const columns = t.schema.fields.map((f, i) => {
    const col = t.getChildAt(i)!;
    const values: unknown[] = [];
    for (let j = 0; j < col.length; j++) {
      const v: unknown = col.get(j);
      if (v === undefined || (v === null && !f.nullable)) problem ??= `column "${f.name}" row ${j} reads ${String(v)}`;
      values.push(v);
    }
    return canon(values);
  });
  const text = `${canon(t.schema.metadata)}|${fields.join(';')}|${t.numRows}|${columns.join('|')}`;
  return problem === undefined ? { text } : { text, problem };
}

const arrowReader: Reader = {
  read: (bytes) => ({ ...arrowCanon(fromArrowIPC(bytes)), numArrayBytes: 0 }),
  checksummed: false,
};

function make(format: ReaderFormat): Reader {
  switch (format) {
    case 'arrow-file':
    case 'arrow-stream':
      return arrowReader;
    case 'snapshot':
      return {
        read(bytes) {
          const count = { n: 0 };
          return { text: canon(decodeSnapshotFile(bytes), count), numArrayBytes: count.n };
        },
        checksummed: true,
      };
    case 'safetensors': {
      let last: ReturnType<typeof readSafetensors> | undefined;
      return {
        read(bytes) {
          last = readSafetensors(bytes);
          const count = { n: 0 };
          return { text: canon({ tensors: last.tensors, metadata: last.metadata }, count), numArrayBytes: count.n };
        },
        rewrite: () => writeSafetensors(last!.tensors, last!.metadata === undefined ? {} : { metadata: last!.metadata }),
        checksummed: false,
      };
    }
    case 'npy': {
      let last: ReturnType<typeof readNpy> | undefined;
      return {
        read(bytes) {
          last = readNpy(bytes);
          const count = { n: 0 };
          return { text: canon(last.tensor, count), numArrayBytes: count.n };
        },
        rewrite: () => writeNpy(last!.tensor),
        checksummed: false,
      };
    }
    case 'vllm-dump': {
      let last: ReturnType<typeof readSparseMlaDump> | undefined;
      return {
        read(bytes) {
          last = readSparseMlaDump(bytes);
          const count = { n: 0 };
          return { text: canon(last, count), numArrayBytes: count.n };
        },
        rewrite: () => new TextEncoder().encode(writeSparseMlaDump(last!)),
        checksummed: false,
      };
    }
  }
}

const isTyped = (format: ReaderFormat, e: unknown): boolean => (format.startsWith('arrow') ? e instanceof ArrowFormatError : e instanceof TensorFormatError);

/** A classifier for one format and its original bytes. */
export function classifier(format: ReaderFormat, original: Uint8Array): (bytes: Uint8Array) => { outcome: Outcome; detail?: string } {
  const reader = make(format);
  const expected = reader.read(original).text;
  return (bytes) => {
    let got: { text: string; numArrayBytes: number; problem?: string };
    try {
      got = reader.read(bytes);
    } catch (e) {
      if (isTyped(format, e)) return { outcome: 'typed' };
      return { outcome: 'other', detail: `${(e as Error).name}: ${(e as Error).message}` };
    }
    if (got.numArrayBytes > 2 * bytes.length + 65_536) return { outcome: 'unstable', detail: `holds ${got.numArrayBytes} bytes of arrays from a ${bytes.length}-byte file` };
    if (got.text === expected) return { outcome: 'equal' };
    if (got.problem !== undefined) return { outcome: 'unstable', detail: got.problem };
    if (reader.checksummed || reader.rewrite === undefined) return { outcome: 'different', detail: 'accepted with other data' };
    try {
      const again = reader.read(reader.rewrite(bytes)).text;
      return again === got.text ? { outcome: 'different' } : { outcome: 'unstable', detail: 'read → write → read changed the data' };
    } catch (e) {
      return { outcome: 'unstable', detail: `its own writer/reader refused what was read: ${(e as Error).name}: ${(e as Error).message}` };
    }
  };
}
