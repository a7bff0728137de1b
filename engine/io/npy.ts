/**
 * NumPy `.npy` over bytes (format versions 1.0, 2.0 and 3.0): magic `\x93NUMPY`, version bytes,
 * a header length (u16 LE in v1, u32 LE in v2/v3), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (latin-1 in v1/v2, UTF-8 in
 * v3), padded with spaces and a final newline, then the raw elements.
 *
 * The header is parsed by a strict little literal parser, never evaluated. Supported `descr`s:
 * `f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1` with `<`, `>`, `|` or `=` byte order (big-endian data is
 * swapped on read). Fortran-ordered files are transposed to C order on read; the writer can
 * produce either order and any of the three versions. The data section must hold exactly
 * `numel · itemsize` bytes, so a hostile shape cannot trigger a large allocation.
 */
import { EngineError } from '../base/errors';
import { allocStorage, itemSize, makeTensor, numElements, storageFromBytes, storageToBytes } from './dtype';
import type { DType, Tensor, TensorData } from './dtype';
import { TensorFormatError, check, describeValue } from './format-error';

const F = 'npy' as const;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR_KIND: Record<string, DType> = {
  f8: 'F64', f4: 'F32', f2: 'F16', i8: 'I64', i4: 'I32', i2: 'I16', i1: 'I8',
  u8: 'U64', u4: 'U32', u2: 'U16', u1: 'U8', b1: 'BOOL',
};
const KIND_DESCR: Partial<Record<DType, string>> = Object.fromEntries(Object.entries(DESCR_KIND).map(([k, v]) => [v, k]));

export interface NpyFile {
  /** The array in C order (Fortran-ordered files are transposed on read). */
  readonly tensor: Tensor;
  readonly version: 1 | 2 | 3;
  readonly fortranOrder: boolean;
  /** The `descr` string as stored, e.g. `<f4` or `>i8`. */
  readonly descr: string;
}

type Lit = string | number | boolean | Lit[] | { [k: string]: Lit };

/** Parses the header dict: strings, ints, True/False, tuples/lists and dicts only. */
function parseLiteral(src: string): Lit {
  let i = 0;
  const fail = (what: string): never => {
    throw new TensorFormatError(F, 'header', `${what} at column ${i} of ${JSON.stringify(src.slice(0, 120))}`);
  };
  const ws = () => { while (i < src.length && /\s/.test(src[i]!)) i++; };
  let depth = 0;
  const value = (): Lit => {
    ws();
    const c = src[i];
    if (c === undefined) return fail('unexpected end');
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = src.slice(i + 1, end);
      if (s.includes('\\')) fail('escape sequences are not supported');
      i = end + 1;
      return s;
    }
    if (c === '(' || c === '[' || c === '{') {
      if (++depth > 8) fail('nesting too deep');
      const close = c === '(' ? ')' : c === '[' ? ']' : '}';
      i++;
      const items: Lit[] = [];
      // Null prototype: a '__proto__' key is an (extra, hence refused) key, not a prototype.
      const dict: Record<string, Lit> = Object.create(null) as Record<string, Lit>;
      for (;;) {
        ws();
        if (src[i] === close) { i++; break; }
        const v = value();
        if (c === '{') {
          ws();
          if (src[i] !== ':') fail('expected ":"');
          i++;
          if (typeof v !== 'string') fail('dict keys must be strings');
          if (Object.prototype.hasOwnProperty.call(dict, v as string)) fail(`duplicate key '${v as string}'`);
          dict[v as string] = value();
        } else items.push(v);
        ws();
        if (src[i] === ',') { i++; continue; }
        if (src[i] === close) { i++; break; }
        fail(`expected "," or "${close}"`);
      }
      depth--;
      return c === '{' ? dict : items;
    }
    const m = /^(True|False|-?\d+L?)/.exec(src.slice(i, i + 24));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    const n = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(n)) fail(`integer ${m[0]} is too large`);
    return n === 0 ? 0 : n; // "-0" is 0, never −0
  };
  const v = value();
  ws();
  if (i !== src.length) fail('trailing characters after the dict');
  return v;
}

/** Reads an `.npy` file; throws `TensorFormatError` naming the first problem. */
export function readNpy(bytes: Uint8Array): NpyFile {
  if (!(bytes instanceof Uint8Array)) throw new EngineError('bytes must be a Uint8Array', 'bytes');
  check(bytes.length >= 10, F, 'file', `${bytes.length} bytes is too short for an .npy preamble`);
  check(MAGIC.every((b, k) => bytes[k] === b), F, 'magic', 'file does not start with \\x93NUMPY');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  check((major === 1 || major === 2 || major === 3) && minor === 0, F, 'version', `${major}.${minor} is not 1.0, 2.0 or 3.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  check(bytes.length >= 8 + lenBytes, F, 'file', 'truncated inside the header length');
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const hstart = 8 + lenBytes;
  check(hstart + hlen <= bytes.length, F, 'header length', `${hlen} bytes runs past the end of the ${bytes.length}-byte file`);
  const raw = bytes.subarray(hstart, hstart + hlen);
  let text: string;
  if (major === 3) {
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(raw); } catch { throw new TensorFormatError(F, 'header', 'is not valid UTF-8'); }
  } else {
    text = new TextDecoder('latin1').decode(raw);
  }
  const dict = parseLiteral(text.trimEnd());
  check(typeof dict === 'object' && !Array.isArray(dict), F, 'header', 'must be a dict');
  const d = dict as Record<string, Lit>;
  const keys = Object.keys(d).sort().join(',');
  check(keys === 'descr,fortran_order,shape', F, 'header', `keys must be descr, fortran_order, shape (got ${keys})`);
  const descr = d.descr;
  check(typeof descr === 'string', F, 'header.descr', 'must be a string (structured dtypes are not supported)');
  const m = /^([<>|=])([fiub])(\d)$/.exec(descr);
  const dtype = m ? DESCR_KIND[m[2]! + m[3]!] : undefined;
  check(m && dtype, F, 'header.descr', `${describeValue(descr)} is not a supported dtype (f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1)`);
  const size = itemSize(dtype);
  check(m[1] !== '|' || size === 1, F, 'header.descr', `"|" byte order is only valid for 1-byte types, not ${descr}`);
  const littleEndian = m[1] !== '>';
  const fortran = d.fortran_order;
  check(typeof fortran === 'boolean', F, 'header.fortran_order', 'must be True or False');
  const shape = d.shape;
  check(Array.isArray(shape) && shape.every((x) => typeof x === 'number' && x >= 0), F, 'header.shape', 'must be a tuple of non-negative integers');
  const numel = numElements(shape as number[]);
  check(numel !== undefined, F, 'header.shape', `(${(shape as number[]).join(', ')}) has more elements than can be addressed`);
  const dataStart = hstart + hlen;
  const want = numel * size;
  const have = bytes.length - dataStart;
  check(have >= want, F, 'data', `truncated: shape (${(shape as number[]).join(', ')}) of ${descr} needs ${want} bytes, file has ${have}`);
  check(have === want, F, 'data', `${have - want} trailing bytes after the array`);
  let data: TensorData = storageFromBytes(dtype, bytes.subarray(dataStart), littleEndian);
  if (dtype === 'BOOL') check((data as Uint8Array).every((b) => b <= 1), F, 'data', 'bool array holds a byte other than 0 or 1');
  const dims = shape as number[];
  if (fortran && dims.length > 1) data = permuteOrder(dtype, dims, data, 'fortran-to-c');
  return { tensor: makeTensor(dtype, dims, data as never), version: major as 1 | 2 | 3, fortranOrder: fortran, descr };
}

/** Reorders elements between Fortran (column-major) and C (row-major) layouts of `shape`. */
function permuteOrder(dtype: DType, shape: readonly number[], src: TensorData, dir: 'fortran-to-c' | 'c-to-fortran'): TensorData {
  const n = src.length;
  const out = allocStorage(dtype, n);
  const rank = shape.length;
  const fStride = new Array<number>(rank);
  for (let k = 0, s = 1; k < rank; k++) { fStride[k] = s; s *= shape[k]!; }
  const idx = new Array<number>(rank).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let k = 0; k < rank; k++) f += idx[k]! * fStride[k]!;
    if (dir === 'fortran-to-c') (out as Uint8Array)[c] = (src as Uint8Array)[f]!;
    else (out as Uint8Array)[f] = (src as Uint8Array)[c]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

export interface WriteNpyOptions {
  /** Store column-major (`fortran_order: True`); default false. */
  readonly fortranOrder?: boolean;
  /** Format version; default 1, or the smallest that fits the header. */
  readonly version?: 1 | 2 | 3;
  /** Store big-endian (`>`); default false. */
  readonly bigEndian?: boolean;
}

/** Serialises one tensor to `.npy` bytes (header padded so the data starts on a 64-byte boundary). */
export function writeNpy(tensor: Tensor, options: WriteNpyOptions = {}): Uint8Array {
  const t = makeTensor(tensor.dtype, tensor.shape, tensor.data);
  const kind = KIND_DESCR[t.dtype];
  if (!kind) throw new EngineError(`${t.dtype} has no .npy dtype (NumPy lacks bfloat16 and float8)`, 'tensor');
  const order = itemSize(t.dtype) === 1 ? '|' : options.bigEndian ? '>' : '<';
  const shapeText = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  const fortran = options.fortranOrder ?? false;
  const dict = `{'descr': '${order}${kind}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const version = options.version ?? (dict.length + 12 > 65535 ? 2 : 1);
  if (version !== 1 && version !== 2 && version !== 3) throw new EngineError(`version ${String(version)} must be 1, 2 or 3`, 'version');
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const hlen = total - pre;
  if (version === 1 && hlen > 65535) throw new EngineError('header too long for version 1; use version 2', 'version');
  const data = fortran && t.shape.length > 1 ? permuteOrder(t.dtype, t.shape, t.data, 'c-to-fortran') : t.data;
  const body = storageToBytes(t.dtype, data, !options.bigEndian);
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, hlen, true);
  else view.setUint32(8, hlen, true);
  const headerText = dict.padEnd(hlen - 1, ' ') + '\n';
  out.set(new TextEncoder().encode(headerText), pre);
  out.set(body, total);
  return out;
}
