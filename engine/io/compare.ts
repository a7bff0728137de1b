/**
 * `compare(a, b)`: where and by how much two tensors (or two named sets of tensors) differ.
 * `b` is the reference. Per tensor it reports the first element that differs at all (with its
 * multi-index), the maximum absolute, relative and ULP errors with their positions, how many
 * elements fail `|a − b| ≤ atol + rtol·|b|` (NumPy's `allclose` rule), and the per-element
 * error arrays for plotting. NaN equals NaN unless `equalNan` is false; a NaN or infinity
 * facing a different value is an infinite error. ULPs are counted in the format named by
 * `ulpDType` (default: the reference's float dtype, else F64): the number of representable
 * values between the two after rounding both to that format.
 */
import { EngineError } from '../base/errors';
import { makeTensor, tensorToFloat64 } from './dtype';
import type { DType, Tensor } from './dtype';

export type Comparable = Tensor | ArrayLike<number>;
export type ComparableSet = ReadonlyMap<string, Comparable> | Readonly<Record<string, Comparable>>;

export interface CompareOptions {
  readonly atol?: number;
  readonly rtol?: number;
  readonly equalNan?: boolean;
  readonly ulpDType?: 'F64' | 'F32' | 'F16' | 'BF16';
}

export interface ElementError {
  readonly flatIndex: number;
  /** C-order multi-index into the tensor's shape. */
  readonly index: readonly number[];
  readonly a: number;
  readonly b: number;
  readonly value: number;
}

export interface TensorComparison {
  readonly name: string;
  readonly shape: readonly number[];
  /** Set when the shapes differ; no element statistics are computed then. */
  readonly shapeMismatch?: { readonly a: readonly number[]; readonly b: readonly number[] };
  readonly numElements: number;
  readonly numDiffering: number;
  readonly firstDiff?: ElementError;
  readonly maxAbsError?: ElementError;
  readonly maxRelError?: ElementError;
  readonly maxUlpError?: ElementError;
  readonly numBeyondTolerance: number;
  readonly firstBeyondTolerance?: ElementError;
  readonly allClose: boolean;
  /** Per-element data for plots (C order): values and the three error measures. */
  readonly plot: { readonly a: Float64Array; readonly b: Float64Array; readonly absError: Float64Array; readonly relError: Float64Array; readonly ulpError: Float64Array };
}

export interface CompareReport {
  readonly tensors: readonly TensorComparison[];
  readonly missingInA: readonly string[];
  readonly missingInB: readonly string[];
  readonly allClose: boolean;
}

function asTensor(x: Comparable, arg: string): Tensor {
  if (x && typeof x === 'object' && 'dtype' in x && 'shape' in x && 'data' in x) {
    const t = x as Tensor;
    return makeTensor(t.dtype, t.shape, t.data);
  }
  if (x && typeof (x as ArrayLike<number>).length === 'number') {
    const arr = Float64Array.from(x as ArrayLike<number>);
    return makeTensor('F64', [arr.length], arr);
  }
  throw new EngineError(`${arg} must be a Tensor, a numeric array, or a Map/record of them`, arg);
}

export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    idx[k] = d === 0 ? 0 : flat % d;
    flat = d === 0 ? 0 : Math.floor(flat / d);
  }
  return idx;
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const r = v - f;
  return r > 0.5 ? f + 1 : r < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** IEEE binary16 bits of `x`, round to nearest even (overflow → ±inf). Exported for tests. */
export function numberToF16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const s = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const m = Math.abs(x);
  if (m >= 65520) return s | 0x7c00;
  if (m < 2 ** -14) return s | roundHalfEven(m / 2 ** -24); // subnormal (1024 carries into the min normal)
  let e = Math.floor(Math.log2(m));
  if (2 ** e > m) e--;
  if (2 ** (e + 1) <= m) e++;
  return s | (((e + 15) << 10) + roundHalfEven(m / 2 ** (e - 10)) - 1024); // a mantissa carry bumps the exponent
}

/** Monotone integer key of `x` rounded to a 32- or 16-bit `dtype` (−0 and +0 share a key). */
function orderedKey(x: number, dtype: 'F32' | 'F16' | 'BF16'): number {
  let h: number;
  if (dtype === 'F16') {
    h = numberToF16Bits(x);
    return h & 0x8000 ? -(h & 0x7fff) : h;
  }
  f32[0] = x;
  const b = i32[0]!;
  if (dtype === 'BF16') {
    const u = b >>> 0;
    h = Math.floor((u + 0x7fff + ((u >>> 16) & 1)) / 65536) & 0xffff; // RNE to bf16 (finite inputs only reach here)
    return h & 0x8000 ? -(h & 0x7fff) : h;
  }
  return b < 0 ? -(b & 0x7fffffff) : b;
}

function f64Key(x: number): bigint {
  f64[0] = x;
  const b = i64[0]!;
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

function ulpDistance(a: number, b: number, dtype: NonNullable<CompareOptions['ulpDType']>): number {
  if (dtype === 'F64') {
    const d = f64Key(a) - f64Key(b);
    return Number(d < 0n ? -d : d); // exact below 2^53 ulps
  }
  return Math.abs(orderedKey(a, dtype) - orderedKey(b, dtype));
}

function compareOne(name: string, ta: Tensor, tb: Tensor, o: Required<CompareOptions>, ulpType: NonNullable<CompareOptions['ulpDType']>): TensorComparison {
  const sameShape = ta.shape.length === tb.shape.length && ta.shape.every((d, k) => d === tb.shape[k]);
  const empty = new Float64Array(0);
  if (!sameShape) {
    return { name, shape: tb.shape, shapeMismatch: { a: ta.shape, b: tb.shape }, numElements: tb.data.length, numDiffering: tb.data.length,
      numBeyondTolerance: tb.data.length, allClose: false, plot: { a: empty, b: empty, absError: empty, relError: empty, ulpError: empty } };
  }
  const va = tensorToFloat64(ta);
  const vb = tensorToFloat64(tb);
  const n = va.length;
  const absError = new Float64Array(n);
  const relError = new Float64Array(n);
  const ulpError = new Float64Array(n);
  let numDiffering = 0;
  let numBeyond = 0;
  let first = -1, firstBeyond = -1, maxAbs = -1, maxRel = -1, maxUlp = -1;
  for (let i = 0; i < n; i++) {
    const x = va[i]!, y = vb[i]!;
    const bothNan = Number.isNaN(x) && Number.isNaN(y);
    let abs: number, rel: number, ulp: number;
    if (x === y || (bothNan && o.equalNan)) {
      abs = 0; rel = 0; ulp = 0;
    } else if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || !Number.isFinite(y)) {
      abs = Infinity; rel = Infinity; ulp = Infinity;
    } else {
      abs = Math.abs(x - y);
      rel = y === 0 ? Infinity : abs / Math.abs(y);
      ulp = ulpDistance(x, y, ulpType);
    }
    absError[i] = abs; relError[i] = rel; ulpError[i] = ulp;
    if (abs !== 0 || (bothNan && !o.equalNan)) {
      numDiffering++;
      if (first < 0) first = i;
    }
    if (abs === 0 ? bothNan && !o.equalNan : !(abs <= o.atol + o.rtol * Math.abs(y))) {
      numBeyond++;
      if (firstBeyond < 0) firstBeyond = i;
    }
    if (maxAbs < 0 || abs > absError[maxAbs]!) maxAbs = i;
    if (maxRel < 0 || rel > relError[maxRel]!) maxRel = i;
    if (maxUlp < 0 || ulp > ulpError[maxUlp]!) maxUlp = i;
  }
  const at = (i: number, value: number): ElementError | undefined =>
    i < 0 ? undefined : { flatIndex: i, index: unravelIndex(i, tb.shape), a: va[i]!, b: vb[i]!, value };
  return {
    name, shape: tb.shape, numElements: n, numDiffering,
    firstDiff: at(first, absError[first] ?? 0),
    maxAbsError: at(maxAbs, absError[maxAbs] ?? 0), maxRelError: at(maxRel, relError[maxRel] ?? 0), maxUlpError: at(maxUlp, ulpError[maxUlp] ?? 0),
    numBeyondTolerance: numBeyond, firstBeyondTolerance: at(firstBeyond, absError[firstBeyond] ?? 0), allClose: numBeyond === 0,
    plot: { a: va, b: vb, absError, relError, ulpError },
  };
}

/**
 * For plots: the largest error of each index along `keepAxes` (e.g. `[0, 1]` = per token and head
 * of a `[T, H, D]` tensor), as a C-order array of shape `keepAxes.map(a => shape[a])`.
 */
export function maxErrorAlong(c: TensorComparison, keepAxes: readonly number[], measure: 'absError' | 'relError' | 'ulpError' = 'absError'): { shape: number[]; values: Float64Array } {
  const rank = c.shape.length;
  const seen = new Set<number>();
  for (const a of keepAxes) {
    if (!Number.isInteger(a) || a < 0 || a >= rank || seen.has(a)) throw new EngineError(`keepAxes must be distinct axes in 0 … ${rank - 1}`, 'keepAxes');
    seen.add(a);
  }
  if (c.shapeMismatch) throw new EngineError(`tensor ${c.name} has mismatched shapes; nothing to reduce`, 'c');
  const shape = keepAxes.map((a) => c.shape[a]!);
  const values = new Float64Array(shape.reduce((x, y) => x * y, 1));
  const err = c.plot[measure];
  for (let i = 0; i < err.length; i++) {
    const idx = unravelIndex(i, c.shape);
    let k = 0;
    for (const a of keepAxes) k = k * c.shape[a]! + idx[a]!;
    if (err[i]! > values[k]!) values[k] = err[i]!;
  }
  return { shape, values };
}

function isSet(x: unknown): x is ComparableSet {
  if (x instanceof Map) return true;
  if (!x || typeof x !== 'object' || ArrayBuffer.isView(x) || Array.isArray(x)) return false;
  return !('dtype' in x && 'data' in x);
}

function validate(o: CompareOptions): Required<CompareOptions> {
  const atol = o.atol ?? 0, rtol = o.rtol ?? 0;
  if (!(atol >= 0 && Number.isFinite(atol))) throw new EngineError('atol must be a finite number ≥ 0', 'atol');
  if (!(rtol >= 0 && Number.isFinite(rtol))) throw new EngineError('rtol must be a finite number ≥ 0', 'rtol');
  if (o.ulpDType !== undefined && !['F64', 'F32', 'F16', 'BF16'].includes(o.ulpDType)) throw new EngineError('ulpDType must be F64, F32, F16 or BF16', 'ulpDType');
  return { atol, rtol, equalNan: o.equalNan ?? true, ulpDType: o.ulpDType ?? ('' as never) };
}

function ulpTypeFor(t: Tensor, o: Required<CompareOptions>): NonNullable<CompareOptions['ulpDType']> {
  if (o.ulpDType) return o.ulpDType;
  const d: DType = t.dtype;
  return d === 'F32' || d === 'F16' || d === 'BF16' ? d : d === 'F8_E4M3' || d === 'F8_E5M2' ? 'BF16' : 'F64';
}

/** Compares `a` against the reference `b`: two tensors/arrays, or two named sets of them. */
export function compare(a: Comparable | ComparableSet, b: Comparable | ComparableSet, options: CompareOptions = {}): CompareReport {
  const o = validate(options);
  if (isSet(a) !== isSet(b)) throw new EngineError('a and b must both be tensors/arrays or both be named sets', isSet(a) ? 'b' : 'a');
  const pairs: [string, Comparable | undefined, Comparable | undefined][] = [];
  if (isSet(a) && isSet(b)) {
    const ma = a instanceof Map ? a : new Map(Object.entries(a));
    const mb = b instanceof Map ? b : new Map(Object.entries(b));
    for (const k of new Set([...mb.keys(), ...ma.keys()])) pairs.push([k, ma.get(k), mb.get(k)]);
  } else pairs.push(['tensor', a as Comparable, b as Comparable]);
  const tensors: TensorComparison[] = [];
  const missingInA: string[] = [], missingInB: string[] = [];
  for (const [name, x, y] of pairs) {
    if (x === undefined) { missingInA.push(name); continue; }
    if (y === undefined) { missingInB.push(name); continue; }
    const tb = asTensor(y, 'b');
    tensors.push(compareOne(name, asTensor(x, 'a'), tb, o, ulpTypeFor(tb, o)));
  }
  return { tensors, missingInA, missingInB, allClose: missingInA.length === 0 && missingInB.length === 0 && tensors.every((t) => t.allClose) };
}

