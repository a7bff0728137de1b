/**
 * The dump hook's "tensor summary": `{shape, dtype, stride, device, is_contiguous}` of a torch
 * tensor, without values (sparse-mla.md §9). Field names stay as vLLM writes them. Validation
 * checks that `stride` has one entry per dimension and that `is_contiguous` agrees with torch's
 * rule (strides equal the row-major ones, ignoring dimensions of size 1; empty tensors are
 * contiguous), so a hand-edited or corrupted summary is caught before a replay trusts it.
 */
import { numElements } from './dtype';
import { check, describeValue } from './format-error';

export const TORCH_DTYPES = [
  'torch.bfloat16', 'torch.float16', 'torch.float32', 'torch.float64', 'torch.float8_e4m3fn', 'torch.float8_e8m0fnu',
  'torch.uint8', 'torch.int8', 'torch.int16', 'torch.int32', 'torch.int64', 'torch.bool',
] as const;
export type TorchDType = (typeof TORCH_DTYPES)[number];

export interface TensorSummary {
  readonly shape: readonly number[];
  readonly dtype: TorchDType;
  /** In elements, one per dimension (torch's `stride()`). */
  readonly stride: readonly number[];
  readonly device: string;
  readonly is_contiguous: boolean;
}

/** torch's `is_contiguous()` for a strided layout. */
export function isContiguousLayout(shape: readonly number[], stride: readonly number[]): boolean {
  if (shape.some((d) => d === 0)) return true;
  let expected = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    if (shape[k] !== 1) {
      if (stride[k] !== expected) return false;
      expected *= shape[k]!;
    }
  }
  return true;
}

/** Row-major strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let k = shape.length - 1, acc = 1; k >= 0; k--) { s[k] = acc; acc *= shape[k]!; }
  return s;
}

/**
 * Our own writer's summary of a tensor (what the hook writes for a torch tensor): row-major
 * strides unless given, `is_contiguous` computed by torch's rule, device `cuda:0` unless given.
 */
export function tensorSummary(shape: readonly number[], dtype: TorchDType, options: { stride?: readonly number[]; device?: string } = {}): TensorSummary {
  const stride = options.stride ?? contiguousStrides(shape);
  const s = { shape: [...shape], dtype, stride: [...stride], device: options.device ?? 'cuda:0', is_contiguous: isContiguousLayout(shape, stride) };
  return parseTensorSummary(s, 'tensorSummary', false);
}

/** Validates one summary (or `null` when `nullable`); `part` names it in errors, e.g. `line 2: fields.kv_cache`. */
export function parseTensorSummary(v: unknown, part: string, nullable: true): TensorSummary | null;
export function parseTensorSummary(v: unknown, part: string, nullable: false): TensorSummary;
export function parseTensorSummary(v: unknown, part: string, nullable: boolean): TensorSummary | null {
  const F = 'vllm-dump' as const;
  if (v === null) {
    check(nullable, F, part, 'must be a tensor summary, not null');
    return null;
  }
  check(typeof v === 'object' && !Array.isArray(v), F, part, 'must be a tensor summary object or null');
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  check(keys === 'device,dtype,is_contiguous,shape,stride', F, part,
    `tensor summary keys must be device, dtype, is_contiguous, shape, stride (got ${keys || 'none'})`);
  check(Array.isArray(o.shape) && o.shape.length <= 8 && o.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0), F,
    `${part}.shape`, 'must be an array of at most 8 non-negative integers');
  const shape = (o.shape as number[]).map((d) => d + 0); // JSON "-0" → 0
  check(numElements(shape) !== undefined, F, `${part}.shape`, `[${shape.join(', ')}] has more elements than can be addressed`);
  check(Array.isArray(o.stride) && o.stride.every((d) => Number.isSafeInteger(d) && (d as number) >= 0), F, `${part}.stride`,
    'must be an array of non-negative integers');
  const stride = (o.stride as number[]).map((d) => d + 0);
  check(stride.length === shape.length, F, `${part}.stride`, `has ${stride.length} entries for a ${shape.length}-dimensional shape`);
  check(typeof o.dtype === 'string' && (TORCH_DTYPES as readonly string[]).includes(o.dtype), F, `${part}.dtype`,
    () => `${describeValue(o.dtype)} is not one of ${TORCH_DTYPES.join(', ')}`);
  check(typeof o.device === 'string' && /^(cuda(:\d+)?|cpu|meta|xpu(:\d+)?|rocm(:\d+)?)$/.test(o.device), F, `${part}.device`,
    `${describeValue(o.device)} is not a torch device string`);
  check(typeof o.is_contiguous === 'boolean', F, `${part}.is_contiguous`, 'must be true or false');
  check(o.is_contiguous === isContiguousLayout(shape, stride), F, `${part}.is_contiguous`,
    `is ${String(o.is_contiguous)} but shape [${shape.join(', ')}] with stride [${stride.join(', ')}] is ${o.is_contiguous ? 'not ' : ''}contiguous`);
  return { shape, dtype: o.dtype as TorchDType, stride, device: o.device, is_contiguous: o.is_contiguous };
}
