/**
 * The one error type every reader in engine/io throws for a malformed, truncated or hostile file.
 * It is an `EngineError` (a caller mistake: the bytes handed in are wrong), names the format and
 * the offending part (`argument`, e.g. `header.data_offsets` or `line 3: fields.scale`), so a
 * notebook user sees what is broken without a stack trace. Readers never let a `RangeError`,
 * `TypeError` or `SyntaxError` escape: the fuzz tests hold them to that.
 */
import { EngineError } from '../base/errors';

export type FileFormat = 'safetensors' | 'npy' | 'vllm-dump' | 'snapshot' | 'tensor';

export class TensorFormatError extends EngineError {
  override name = 'TensorFormatError';
  constructor(readonly format: FileFormat, readonly part: string, problem: string) {
    super(`${format}: ${part}: ${problem}`, part);
  }
}

/** Throws `TensorFormatError` unless `cond` holds. */
export function check(cond: unknown, format: FileFormat, part: string, problem: string | (() => string)): asserts cond {
  if (!cond) throw new TensorFormatError(format, part, typeof problem === 'function' ? problem() : problem);
}

/**
 * A short, safe rendering of an untrusted value for an error message: primitives as JSON (long
 * strings cut), arrays and objects by kind and size only, so a hostile deeply nested value can
 * never overflow the stack while the error is being built.
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  switch (typeof v) {
    case 'string': return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
    case 'number': case 'boolean': return String(v);
    case 'undefined': return 'nothing';
    case 'object': return `an object with ${Object.keys(v as object).length} keys`;
    default: return typeof v;
  }
}

/**
 * Stores `value` under an untrusted `key` as an own, enumerable data property. Plain assignment
 * would treat a key "__proto__" as the prototype setter: the entry would vanish and, for an
 * object value, its fields would show through as inherited properties of `target`.
 */
export function setOwnValue(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
