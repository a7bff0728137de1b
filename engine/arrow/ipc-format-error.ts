/**
 * The error every check of an Arrow IPC file or stream throws (ipc-validate.ts): an
 * `EngineError` (the bytes handed in are wrong) that names the part at fault, e.g.
 * `record batch 2: column "kind": offsets` or `footer: block 7`, so a notebook user sees what
 * is broken without a stack trace.
 */
import { EngineError } from '../base/errors';

export class ArrowFormatError extends EngineError {
  override name = 'ArrowFormatError';
  constructor(readonly part: string, problem: string) {
    super(`arrow: ${part}: ${problem}`, part);
  }
}

/** Throws `ArrowFormatError` unless `cond` holds. */
export function arrowCheck(cond: unknown, part: string, problem: string | (() => string)): asserts cond {
  if (!cond) throw new ArrowFormatError(part, typeof problem === 'function' ? problem() : problem);
}
