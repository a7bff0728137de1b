/**
 * Periodic full garbage collection for long sessions. Measured on the TypeScript kernel: live
 * memory after a full GC stays flat over 10,000 executes (+6 MB), but V8 lets garbage pile up
 * before a major GC, so resident memory grew ~100 MB over 10,000 `1 + 1` cells. A full GC every
 * N executes (on the next turn, after the reply went out) keeps RSS close to live memory at a
 * cost of a few hundredths of a millisecond per execute. `gc` is reached without restarting
 * Node: enabling --expose-gc at run time exposes it in contexts created afterwards.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function obtainGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Returns a callback to invoke after each request; it schedules a GC every `everyN` executes. */
export function periodicGc(everyN = 1000, gc: (() => void) | undefined = obtainGc()): (msgType: string) => void {
  if (!Number.isInteger(everyN) || everyN < 1) throw new RangeError('periodicGc: everyN must be a positive integer');
  let numExecutes = 0;
  return (msgType) => {
    if (msgType !== 'execute_request' || gc === undefined) return;
    if (++numExecutes % everyN === 0) setImmediate(gc);
  };
}
