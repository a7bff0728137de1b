/**
 * Victim choice under KV pressure (engine-semantics.md §4.2 step 8): FCFS preempts the last
 * running request (the most recently admitted); PRIORITY preempts the least urgent running
 * request, the largest `(priority, arrivalTime)`.
 *
 * Ties: vLLM's `max(running, key=(priority, arrival_time))` returns the first of equal keys, but
 * its arrival times are wall-clock floats that never tie. Ours are integer µs and often tie (every
 * request added at t = 0); taking the first of a tie lets two equal requests preempt each other
 * forever, each undoing the other's prefill. Ties therefore break by the waiting queue's own
 * total order `(priority, arrivalTime, requestId)`, so the request the queue admits first is
 * never the victim of one it ranks behind.
 */
import type { Request } from '../request/request';
import type { SchedulingPolicy } from '../config/engine-config';
import { comparePriority } from './request-queue';

/** Index in `running` of the request to preempt (running must be non-empty). */
export function chooseVictim(running: readonly Request[], policy: SchedulingPolicy): number {
  if (policy === 'fcfs') return running.length - 1;
  let best = 0;
  for (let i = 1; i < running.length; i++) if (comparePriority(running[i]!, running[best]!) > 0) best = i;
  return best;
}
