/**
 * Memory hygiene for long sessions.
 *
 * Periodic full GC. Measured on the TypeScript kernel: live memory after a full GC stays flat
 * over 10,000 executes (+6 MB), but V8 lets garbage pile up before a major GC, so resident
 * memory grew ~100 MB over 10,000 `1 + 1` cells. A full GC every N executes (on the next turn,
 * after the reply went out) keeps RSS close to live memory at a cost of a few hundredths of a
 * millisecond per execute. `gc` is reached without restarting Node: enabling --expose-gc at run
 * time exposes it in contexts created afterwards.
 *
 * Returning large releases to the OS. Typed arrays live outside V8's heap, and V8 frees them
 * only when a GC finds them dead; a kernel that goes idle right after a cell drops 2 GB of them
 * never runs that GC, so the 2 GB stayed resident (measured: 2,332 MiB RSS three seconds after
 * `big = []`, 20 × 100 MiB Float64Arrays, bench/memory-return.ts). So once the kernel has been
 * idle for a second after an execute and array buffers hold ≥ 256 MiB, it runs one full GC
 * (at most every 5 s). The freed backing stores go back to the OS only if glibc got them from
 * mmap: its threshold starts at 128 KiB and rises after every large free (up to 32 MiB), after
 * which even 1 MiB arrays come from the heap and stay resident after free (measured: 2,048 ×
 * 64 KiB arrays, 2,101 MiB RSS after GC). KERNEL_PROCESS_ENV fixes the threshold at 64 KiB
 * for kernel processes (the kernelspec and `enginelab run` set it); arrays smaller than that
 * stay in glibc's heap after release, which no JavaScript API can trim (malloc_trim is not
 * exposed) — documented, not fixed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Environment for kernel processes: glibc hands allocations ≥ 64 KiB to mmap, always (see above). */
export const KERNEL_PROCESS_ENV: Readonly<Record<string, string>> = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536' };

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

export interface IdleReturnOptions {
  readonly gc?: (() => void) | undefined;
  /** Quiet time after an execute before looking (ms). */
  readonly idleMs?: number;
  /** Least time between two such collections (ms). */
  readonly minIntervalMs?: number;
  /** Array-buffer bytes at or above which an idle kernel collects. */
  readonly thresholdBytes?: number;
  readonly arrayBufferBytes?: () => number;
}

/**
 * Returns a callback to invoke after each request: after an execute, once the kernel has been
 * idle for `idleMs`, a full GC runs if array buffers hold ≥ `thresholdBytes`, so a large release
 * is returned to the OS instead of waiting for the next allocation-driven GC.
 */
export function returnMemoryWhenIdle(options: IdleReturnOptions = {}): (msgType: string) => void {
  const gc = 'gc' in options ? options.gc : obtainGc();
  const idleMs = options.idleMs ?? 1000;
  const minIntervalMs = options.minIntervalMs ?? 5000;
  const threshold = options.thresholdBytes ?? 256 * 2 ** 20;
  const bytes = options.arrayBufferBytes ?? (() => process.memoryUsage().arrayBuffers);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastGc = -Infinity;
  const check = (): void => {
    timer = undefined;
    if (bytes() < threshold) return;
    lastGc = performance.now();
    gc!();
  };
  return (msgType) => {
    if (msgType !== 'execute_request' || gc === undefined) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(check, Math.max(idleMs, lastGc + minIntervalMs - performance.now()));
    timer.unref();
  };
}

/** Both hygiene callbacks, as serve-kernel.ts installs them. */
export function kernelMemoryHygiene(): (msgType: string) => void {
  const gc = obtainGc();
  const periodic = periodicGc(1000, gc);
  const idle = returnMemoryWhenIdle({ gc });
  return (msgType) => {
    periodic(msgType);
    idle(msgType);
  };
}
