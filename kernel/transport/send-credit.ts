/**
 * Back-pressure between the main thread and the socket thread. A cell like
 * `for (;;) display(i++)` posts messages far faster than the socket thread can sign and send
 * them; with no bound, the socket thread's event loop drowned in queued posts (minutes of
 * backlog) and read the control socket too late for an interrupt to matter, while both heaps
 * grew. So messages in flight are counted in shared memory: the main thread takes one credit per
 * message, and at `high` it blocks (Atomics.wait, in short slices) until the socket thread has
 * sent enough to fall to `low`. Blocking, unlike dropping, loses no output; it never outlasts
 * `maxWaitMs`, and it ends at once when an interrupt is raised, so the interrupt reaches the cell.
 */

/** Slot 0: messages posted by the main thread and not yet handed to zeromq by the socket thread. */
export type CreditCounter = Int32Array;

export const DEFAULT_HIGH_WATER = 1000;
export const DEFAULT_LOW_WATER = 250;

export function newCreditCounter(): CreditCounter {
  return new Int32Array(new SharedArrayBuffer(4));
}

export interface CreditOptions {
  readonly high?: number;
  readonly low?: number;
  /** Longest the main thread blocks for one message (the socket thread may be gone). */
  readonly maxWaitMs?: number;
  /** Shared interrupt flag (kernel/ts-interpreter/interrupt-flag.ts): a raised flag ends the wait. */
  readonly interruptFlag?: Int32Array;
}

/** Main-thread side: call before posting each message. Returns how long it blocked (ms). */
export function takeCredit(counter: CreditCounter, options: CreditOptions = {}): number {
  const high = options.high ?? DEFAULT_HIGH_WATER;
  const low = options.low ?? DEFAULT_LOW_WATER;
  let n = Atomics.add(counter, 0, 1) + 1;
  if (n <= high) return 0;
  const flag = options.interruptFlag;
  const t0 = performance.now();
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  while (n > low) {
    if (flag !== undefined && Atomics.load(flag, 0) !== 0) break;
    const waited = performance.now() - t0;
    if (waited >= maxWaitMs) break;
    Atomics.wait(counter, 0, n, Math.min(20, maxWaitMs - waited));
    n = Atomics.load(counter, 0);
  }
  return performance.now() - t0;
}

/** Socket-thread side: call once per message taken off the port, after it was sent or dropped. */
export function returnCredit(counter: CreditCounter, low = DEFAULT_LOW_WATER): void {
  const n = Atomics.sub(counter, 0, 1) - 1;
  if (n <= low) Atomics.notify(counter, 0);
}
