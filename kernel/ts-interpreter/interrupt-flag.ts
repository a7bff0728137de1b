/**
 * The process-wide interrupt flag, in shared memory so the socket thread can raise it while the
 * main thread is stuck in a cell's loop (see loop-guards.ts). Slot 0 is 1 from an interrupt
 * until a loop guard consumes it or the next execute starts. One flag per process: the guard
 * is a global function and a process runs one cell at a time. The flag hangs off a registered
 * symbol so a second copy of this module (loaded through CommonJS and ESM) shares it.
 */

const KEY = Symbol.for('enginelab.interruptFlag');
const slot = globalThis as { [KEY]?: Int32Array };

export const interruptFlag: Int32Array = (slot[KEY] ??= new Int32Array(new SharedArrayBuffer(4)));

/** Raises the flag: the next loop guard to run throws. */
export function raiseInterrupt(flag: Int32Array = interruptFlag): void {
  Atomics.store(flag, 0, 1);
}

/** Lowers the flag (start of every execute: an interrupt never outlives the cell it was for). */
export function clearInterrupt(flag: Int32Array = interruptFlag): void {
  Atomics.store(flag, 0, 0);
}

/**
 * True once per raise: lowers the flag in one atomic step. The first read is a plain one on
 * purpose: it runs in every loop iteration, where Atomics.load costs ~10x a plain element load
 * (Node 20, 3e8 iterations of a counting loop in an optimized function: bare 0.29 s, with an
 * Atomics.load guard 3.4 s, with this one 0.29 s). V8 reloads the element on each call, so a
 * raise from the socket thread is seen within an iteration; the exchange lets one guard take it.
 */
export function takeInterrupt(flag: Int32Array = interruptFlag): boolean {
  return flag[0] !== 0 && Atomics.exchange(flag, 0, 0) !== 0;
}
