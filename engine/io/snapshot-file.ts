/**
 * The engine-snapshot file: bytes ⇄ a snapshot value (engine/trace's `EngineSnapshot`, or any
 * JSON-like value) plus binary blobs. Layout, little-endian:
 *
 *   0  magic "\x89ELSNAP\x1a" (8 bytes; the high byte and ^Z catch text-mode mangling)
 *   8  u32 format version (1)          12 u32 number of blobs
 *  16  u64 JSON length                 24 u64 payload length (= file length − 40)
 *  32  u32 CRC-32 of the payload       36 u32 CRC-32 of bytes 0..35
 *  40  payload: UTF-8 JSON, zero padding to 8, one u64 length per blob, each blob padded to 8
 *
 * Values the JSON text cannot hold exactly are tagged instead of silently changed: NaN, ±∞ and
 * −0 (`{"$num": "NaN"}`), bigints (`{"$bigint": "…"}`) and typed arrays, which are stored as
 * binary blobs (`{"$blob": i, "type": "Float32Array"}`) — KV-cache pages stay compact. Object keys
 * that start with `$` are escaped with one more `$`. Undefined, functions, symbols, Maps and
 * cycles are refused with the path named, since JSON would drop or mangle them.
 */
import { EngineError } from '../base/errors';
import { crc32 } from './crc32';
import { TensorFormatError, check, describeValue, setOwnValue } from './format-error';

export const SNAPSHOT_FILE_MAGIC = Uint8Array.from([0x89, 0x45, 0x4c, 0x53, 0x4e, 0x41, 0x50, 0x1a]);
export const SNAPSHOT_FILE_VERSION = 1;
const HEADER = 40;
const F = 'snapshot' as const;
const MAX_DEPTH = 512;

const TYPED = {
  Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
} as const;
type TypedName = keyof typeof TYPED;
type AnyTyped = InstanceType<(typeof TYPED)[TypedName]>;

export interface SnapshotFileContents {
  readonly version: number;
  readonly value: unknown;
}

function typedName(v: object): TypedName | undefined {
  for (const [name, C] of Object.entries(TYPED)) if (v instanceof C && v.constructor === C) return name as TypedName;
  return undefined;
}

function encodeValue(v: unknown, path: string, blobs: Uint8Array[], seen: Set<object>): unknown {
  if (seen.size >= MAX_DEPTH) throw new EngineError(`${path} is nested deeper than ${MAX_DEPTH} levels`, 'snapshot');
  switch (typeof v) {
    case 'number':
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { $num: Object.is(v, -0) ? '-0' : String(v) };
    case 'string': case 'boolean': return v;
    case 'bigint': return { $bigint: v.toString() };
    case 'object': break;
    default: throw new EngineError(`${path} is ${typeof v}; snapshots hold JSON values, bigints and typed arrays only`, 'snapshot');
  }
  if (v === null) return null;
  if (seen.has(v)) throw new EngineError(`${path} refers back to an enclosing object (cycle)`, 'snapshot');
  const tn = typedName(v);
  if (tn) {
    const t = v as AnyTyped;
    blobs.push(new Uint8Array(t.buffer.slice(t.byteOffset, t.byteOffset + t.byteLength)));
    return { $blob: blobs.length - 1, type: tn };
  }
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) throw new EngineError(`${path} is a ${v.constructor.name}; use a typed array`, 'snapshot');
  seen.add(v);
  let out: unknown;
  if (Array.isArray(v)) {
    out = v.map((x, i) => {
      if (x === undefined) throw new EngineError(`${path}[${i}] is undefined`, 'snapshot');
      return encodeValue(x, `${path}[${i}]`, blobs, seen);
    });
  } else {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new EngineError(`${path} is a ${v.constructor?.name ?? 'non-plain object'}; snapshots hold plain objects`, 'snapshot');
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue; // as JSON: an absent optional field
      setOwnValue(o, k.startsWith('$') ? `$${k}` : k, encodeValue(x, `${path}.${k}`, blobs, seen));
    }
    out = o;
  }
  seen.delete(v);
  return out;
}

/** Serialises a snapshot value (see the module comment for what it may contain). */
export function encodeSnapshotFile(value: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  const json = new TextEncoder().encode(JSON.stringify(encodeValue(value, 'snapshot', blobs, new Set())));
  const pad8 = (n: number) => (8 - (n % 8)) % 8;
  let payloadLength = json.length + pad8(json.length) + 8 * blobs.length;
  for (const b of blobs) payloadLength += b.length + pad8(b.length);
  const out = new Uint8Array(HEADER + payloadLength);
  const dv = new DataView(out.buffer);
  out.set(SNAPSHOT_FILE_MAGIC, 0);
  dv.setUint32(8, SNAPSHOT_FILE_VERSION, true);
  dv.setUint32(12, blobs.length, true);
  dv.setBigUint64(16, BigInt(json.length), true);
  dv.setBigUint64(24, BigInt(payloadLength), true);
  let pos = HEADER;
  out.set(json, pos);
  pos += json.length + pad8(json.length);
  for (const b of blobs) { dv.setBigUint64(pos, BigInt(b.length), true); pos += 8; }
  for (const b of blobs) { out.set(b, pos); pos += b.length + pad8(b.length); }
  dv.setUint32(32, crc32(out.subarray(HEADER)), true);
  dv.setUint32(36, crc32(out.subarray(0, 36)), true);
  return out;
}

/** The file's blobs, and which are taken: each is referenced once, or a few bytes of JSON could copy one blob a million times. */
interface BlobTable { readonly blobs: readonly Uint8Array[]; readonly taken: Uint8Array }

function decodeValue(v: unknown, table: BlobTable, path: string, depth = 0): unknown {
  const blobs = table.blobs;
  if (v === null || typeof v !== 'object') return v;
  check(depth < MAX_DEPTH, F, path, `nesting deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(x, table, `${path}[${i}]`, depth + 1));
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === '$num') {
    const s = o.$num;
    check(s === 'NaN' || s === 'Infinity' || s === '-Infinity' || s === '-0', F, path, `bad $num tag ${describeValue(s)}`);
    return s === '-0' ? -0 : Number(s);
  }
  if (keys.length === 1 && keys[0] === '$bigint') {
    check(typeof o.$bigint === 'string' && /^-?\d{1,400}$/.test(o.$bigint), F, path, 'bad $bigint tag');
    return BigInt(o.$bigint);
  }
  if (keys.length === 2 && '$blob' in o && 'type' in o) {
    const i = o.$blob;
    check(Number.isSafeInteger(i) && (i as number) >= 0 && (i as number) < blobs.length, F, path, `blob index ${describeValue(i)} is out of range (file has ${blobs.length})`);
    check(typeof o.type === 'string' && Object.prototype.hasOwnProperty.call(TYPED, o.type), F, path, `unknown typed array ${describeValue(o.type)}`);
    check(table.taken[i as number] === 0, F, path, `blob ${i as number} is referenced a second time`);
    table.taken[i as number] = 1;
    const C = TYPED[o.type as TypedName];
    const b = blobs[i as number]!;
    check(b.length % C.BYTES_PER_ELEMENT === 0, F, path, `blob of ${b.length} bytes is not a whole number of ${o.type} elements`);
    return new C(b.slice().buffer);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    check(!k.startsWith('$') || k.startsWith('$$'), F, path, `unknown tag key ${describeValue(k)}`);
    // A "__proto__" key in the file is data like any other key, never the decoded object's prototype.
    setOwnValue(out, k.startsWith('$') ? k.slice(1) : k, decodeValue(o[k], table, `${path}.${k}`, depth + 1));
  }
  return out;
}

/** Parses a snapshot file; corruption, truncation and version mismatches throw `TensorFormatError`. */
export function decodeSnapshotFile(bytes: Uint8Array): SnapshotFileContents {
  if (!(bytes instanceof Uint8Array)) throw new EngineError('bytes must be a Uint8Array', 'bytes');
  check(bytes.length >= HEADER, F, 'file', `${bytes.length} bytes is shorter than the ${HEADER}-byte header`);
  check(SNAPSHOT_FILE_MAGIC.every((b, i) => bytes[i] === b), F, 'magic', 'not an enginelab snapshot file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  check(dv.getUint32(36, true) === crc32(bytes.subarray(0, 36)), F, 'header', 'checksum mismatch: the header is corrupt');
  const version = dv.getUint32(8, true);
  check(version === SNAPSHOT_FILE_VERSION, F, 'version', `file format ${version} is not supported (this build reads ${SNAPSHOT_FILE_VERSION})`);
  const numBlobs = dv.getUint32(12, true);
  const jsonLength = Number(dv.getBigUint64(16, true));
  const payloadLength = Number(dv.getBigUint64(24, true));
  const have = bytes.length - HEADER;
  check(payloadLength <= have, F, 'payload', `truncated: header promises ${payloadLength} payload bytes, file has ${have}`);
  check(payloadLength === have, F, 'payload', `${have - payloadLength} trailing bytes after the payload`);
  const payload = bytes.subarray(HEADER);
  check(dv.getUint32(32, true) === crc32(payload), F, 'payload', 'checksum mismatch: the file is corrupt');
  const pad8 = (n: number) => (8 - (n % 8)) % 8;
  check(jsonLength + pad8(jsonLength) + 8 * numBlobs <= payloadLength, F, 'header', 'JSON length and blob count exceed the payload');
  let pos = jsonLength + pad8(jsonLength);
  const lengths: number[] = [];
  const pdv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  for (let i = 0; i < numBlobs; i++, pos += 8) lengths.push(Number(pdv.getBigUint64(pos, true)));
  const blobs: Uint8Array[] = [];
  for (const [i, n] of lengths.entries()) {
    check(pos + n <= payloadLength, F, `blob ${i}`, `length ${n} runs past the end of the payload`);
    blobs.push(payload.subarray(pos, pos + n));
    pos += n + pad8(n);
  }
  check(pos === payloadLength, F, 'payload', `blob table covers ${pos} of ${payloadLength} payload bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(0, jsonLength)));
  } catch (e) {
    throw new TensorFormatError(F, 'json', `is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  const table: BlobTable = { blobs, taken: new Uint8Array(blobs.length) };
  const value = decodeValue(parsed, table, 'snapshot');
  const unused = table.taken.indexOf(0);
  check(unused < 0, F, `blob ${unused}`, 'is never referenced by the JSON');
  return { version, value };
}
