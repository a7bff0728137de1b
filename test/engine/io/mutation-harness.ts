/**
 * Runs reader-fuzzer jobs (mutation-run.ts) in a worker thread, the way a hostile file must be
 * survivable: with a bounded heap and a hang detector.
 * - Memory: the worker's heap is capped (resourceLimits: 256 MB old + 32 MB young generation,
 *   about 4× what the worker needs for the readers and apache-arrow, and far below what the
 *   issue's defect used — it ran to heap exhaustion). A mutant whose read needs more kills the
 *   worker (ERR_WORKER_OUT_OF_MEMORY); the harness names it from the last `start`. What a read
 *   returns is held to 2 × file size + 64 KiB of typed arrays by the classifier.
 * - Time: the bound on a read is ≤ 1 s per MB + a constant; mutants here are ≤ 64 KB, so a read
 *   takes milliseconds. Wall time is not asserted (the machine is shared, 3-5× slower than
 *   idle); instead a mutant that has not finished within HANG_MS — three orders of magnitude over
 *   the bound — is a hang: the worker is terminated and the mutant named.
 */
import { Worker } from 'node:worker_threads';
import type { Failure, MutantJob, WorkerReport } from './mutation-run';
import type { Outcome } from './mutation-readers';

export const HANG_MS = 30_000;

export interface JobResult {
  readonly tally: Record<Outcome, number>;
  readonly failures: Failure[];
}

export function runJob(job: MutantJob): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./mutation-worker.mjs', import.meta.url), {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    });
    let current = -1;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    // Start-up (tsx, apache-arrow) is not a mutant: the detector arms on the first `start`.
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        finish(() => reject(new Error(`${job.format} mutant ${current} (seed ${job.seed}, ${job.mode}) did not finish within ${HANG_MS} ms: a hang`)));
      }, HANG_MS);
    };
    worker.on('message', (m: WorkerReport) => {
      if (m.type === 'start') {
        current = m.index;
        arm();
      } else {
        finish(() => resolve({ tally: m.tally, failures: m.failures }));
        void worker.terminate();
      }
    });
    worker.on('error', (e) => finish(() => reject(new Error(`${job.format} mutant ${current} (seed ${job.seed}, ${job.mode}) killed the worker: ${e.message}`))));
    worker.on('exit', (code) => finish(() => reject(new Error(`${job.format} worker exited (${code}) at mutant ${current}`))));
  });
}
