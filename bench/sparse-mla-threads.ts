/**
 * A multi-thread head runner for the sparse-MLA fast path: worker_threads instantiate the same
 * compiled WebAssembly module over the same shared memory and each runs a disjoint range of
 * heads; the calling thread runs the first range and then waits (Atomics) for the others. It
 * lives outside engine/ because engine/ is pure (no worker_threads); install it with
 * `setSparseMlaHeadRunner(runner)` and `await runner.close()` when done.
 */
import { Worker } from 'node:worker_threads';
import { loadSparseMlaWasm, splitHeadRange, type AttendHeadsCall, type SparseMlaHeadRunner, type SparseMlaWasm } from '../engine/index';

/** Int32 slots per worker in the control block: seq, done, 12 arguments, scale (f32), failed flag. */
const SLOTS = 16;
/** A worker that does not answer within this time is treated as dead (the caller gets an error, not a hang). */
const WORKER_TIMEOUT_MS = 30_000;

// CommonJS source of a worker: instantiate, then loop — wait for a new seq, run, publish done.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, base } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(ctrl);
const f = new Float32Array(ctrl);
let seen = 0;
for (;;) {
  Atomics.wait(c, base, seen);
  const seq = Atomics.load(c, base);
  if (seq === seen) continue;
  if (seq < 0) break;
  seen = seq;
  const a = (i) => c[base + 2 + i];
  try {
    ex.attendHeads(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9), a(10), a(11), f[base + 14]);
  } catch (e) {
    Atomics.store(c, base + 15, 1);
  }
  Atomics.store(c, base + 1, seq);
  Atomics.notify(c, base + 1);
}
`;

export interface ThreadedHeadRunner extends SparseMlaHeadRunner {
  readonly numThreads: number;
  close(): Promise<void>;
}

/** A runner with `numThreads` threads in all (the caller's plus numThreads − 1 workers). */
export async function createThreadedHeadRunner(numThreads = 2, wasm: SparseMlaWasm | null = loadSparseMlaWasm()): Promise<ThreadedHeadRunner> {
  if (!Number.isInteger(numThreads) || numThreads < 1) throw new Error(`numThreads must be a positive integer, got ${numThreads}`);
  if (!wasm) throw new Error('WebAssembly SIMD kernels are unavailable in this runtime');
  const kernels = wasm;
  const numWorkers = numThreads - 1;
  const ctrl = new SharedArrayBuffer(Math.max(1, numWorkers) * SLOTS * 4);
  const c = new Int32Array(ctrl);
  const f = new Float32Array(ctrl);
  const workers = Array.from({ length: numWorkers }, (_, i) =>
    new Worker(WORKER_SOURCE, { eval: true, workerData: { module: kernels.module, memory: kernels.memory, ctrl, base: i * SLOTS } }));
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once('online', () => resolve());
    w.once('error', reject);
  })));
  let seq = 0;
  return {
    name: `threads×${numThreads}`,
    numThreads,
    wasm: kernels,
    attendHeads(w: SparseMlaWasm, call: AttendHeadsCall) {
      if (w !== kernels) throw new Error('this runner is bound to another wasm instance');
      const ranges = splitHeadRange(call.numHeadsPad, numThreads);
      seq++;
      for (let i = 0; i < numWorkers; i++) {
        const [h0, h1] = ranges[i + 1]!;
        const b = i * SLOTS;
        const args = [call.q, call.k, call.s, call.o, call.sink, call.stats, h0, h1, call.numCandidates, call.numFirstSubset, call.headDim, call.kStride];
        args.forEach((v, j) => (c[b + 2 + j] = v));
        f[b + 14] = call.scale;
        c[b + 15] = 0; // clear a failure flag left by an earlier call that threw before collecting it
        Atomics.store(c, b, seq);
        Atomics.notify(c, b);
      }
      const [h0, h1] = ranges[0]!;
      w.exports.attendHeads(call.q, call.k, call.s, call.o, call.sink, call.stats, h0, h1, call.numCandidates, call.numFirstSubset, call.headDim, call.kStride, call.scale);
      for (let i = 0; i < numWorkers; i++) {
        const b = i * SLOTS + 1;
        while (Atomics.load(c, b) !== seq) {
          if (Atomics.wait(c, b, Atomics.load(c, b), WORKER_TIMEOUT_MS) === 'timed-out' && Atomics.load(c, b) !== seq) {
            throw new Error(`sparse-MLA worker ${i} did not answer within ${WORKER_TIMEOUT_MS} ms`);
          }
        }
        if (Atomics.exchange(c, i * SLOTS + 15, 0) !== 0) throw new Error(`sparse-MLA worker ${i} failed running heads ${ranges[i + 1]!.join('…')}`);
      }
    },
    async close() {
      for (let i = 0; i < numWorkers; i++) {
        Atomics.store(c, i * SLOTS, -1);
        Atomics.notify(c, i * SLOTS);
      }
      await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
      })));
    },
  };
}
