/**
 * Stop conditions for `engine.run({ until })`, evaluated after every step on its record.
 */
import { EngineError } from '../base/errors';
import type { StepRecord } from '../trace/step-record';

export interface EngineLike {
  /** True while anything remains to do. */
  hasWork(): boolean;
}

export type UntilPredicate =
  /** Stop after this many steps. */
  | number
  | { readonly steps: number }
  /** Stop once this request finished (or any of these requests, with `any: true`). */
  | { readonly requestFinished: string | readonly string[]; readonly any?: boolean }
  /** Stop after a step that preempted something. */
  | { readonly preemption: true }
  /** Stop once KV usage is above this fraction. */
  | { readonly kvUsageAbove: number }
  /** Stop when no work is left (the default). */
  | { readonly idle: true }
  | ((record: StepRecord, records: readonly StepRecord[]) => boolean);

/** Compiles a predicate into a checker; throws `EngineError` naming a malformed `until`. */
export function compileUntil(until: UntilPredicate | undefined, isFinished: (id: string) => boolean): (r: StepRecord, all: readonly StepRecord[]) => boolean {
  if (until === undefined) return () => false;
  if (typeof until === 'function') return until;
  if (typeof until === 'number' || (typeof until === 'object' && until !== null && 'steps' in until)) {
    const n = typeof until === 'number' ? until : until.steps;
    if (!Number.isInteger(n) || n < 1) throw new EngineError(`until: step count must be an integer >= 1, got ${JSON.stringify(n)}`, 'until');
    return (_r, all) => all.length >= n;
  }
  if (typeof until !== 'object' || until === null) throw new EngineError('until must be a number, a predicate object or a function', 'until');
  if ('requestFinished' in until) {
    const ids = typeof until.requestFinished === 'string' ? [until.requestFinished] : [...until.requestFinished];
    if (ids.length === 0 || ids.some((x) => typeof x !== 'string')) throw new EngineError('until.requestFinished must name request ids', 'until.requestFinished');
    return until.any === true ? () => ids.some(isFinished) : () => ids.every(isFinished);
  }
  if ('preemption' in until) return (r) => r.preemptedReqIds.length > 0;
  if ('kvUsageAbove' in until) {
    const x = until.kvUsageAbove;
    if (typeof x !== 'number' || !(x >= 0 && x < 1)) throw new EngineError('until.kvUsageAbove must be in [0, 1)', 'until.kvUsageAbove');
    return (r) => r.kvUsage > x;
  }
  if ('idle' in until) return () => false;
  throw new EngineError(`unknown until predicate ${JSON.stringify(until)}`, 'until');
}
