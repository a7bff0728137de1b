/**
 * The worker side of the reader fuzzer: for each mutant index in its range it posts `start`
 * (the harness's hang detector watches these), classifies the read (mutation-readers.ts) and
 * tallies the outcome; at the end it posts the tally and the first failures. Runs under the
 * harness's resourceLimits, so a mutant that makes a reader exhaust the heap kills the worker
 * and is named by the last `start`.
 */
import { classifier, type Outcome, type ReaderFormat } from './mutation-readers';
import { bitFlip, mutant } from './mutations';

export interface MutantJob {
  readonly format: ReaderFormat;
  readonly base: Uint8Array;
  /** 'bit-flips': index i flips bit i of the file (exhaustive series); 'seeded': mutant(seed, i). */
  readonly mode: 'bit-flips' | 'seeded';
  readonly seed: number;
  readonly start: number;
  readonly count: number;
}

export interface Failure {
  readonly index: number;
  readonly how: string;
  readonly outcome: Outcome;
  readonly detail: string;
}

export type WorkerReport =
  | { readonly type: 'start'; readonly index: number }
  | { readonly type: 'done'; readonly tally: Record<Outcome, number>; readonly failures: Failure[] };

export function runMutants(job: MutantJob, post: (m: WorkerReport) => void): void {
  const base = new Uint8Array(job.base);
  const classify = classifier(job.format, base);
  const tally: Record<Outcome, number> = { equal: 0, typed: 0, different: 0, unstable: 0, other: 0 };
  const failures: Failure[] = [];
  const checksummed = job.format === 'snapshot';
  for (let i = job.start; i < job.start + job.count; i++) {
    post({ type: 'start', index: i });
    const m = job.mode === 'bit-flips' ? bitFlip(base, i) : mutant(base, job.seed, i);
    const r = classify(m.bytes);
    tally[r.outcome]++;
    const bad = r.outcome === 'other' || r.outcome === 'unstable' || (checksummed && r.outcome === 'different');
    if (bad && failures.length < 20) failures.push({ index: i, how: m.how, outcome: r.outcome, detail: r.detail ?? '' });
  }
  post({ type: 'done', tally, failures });
}
