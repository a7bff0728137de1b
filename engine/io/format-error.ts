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
