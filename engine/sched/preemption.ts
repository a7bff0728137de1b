/**
 * Victim choice under KV pressure (engine-semantics.md §4.2 step 8): FCFS preempts the last
 * running request (the most recently admitted); PRIORITY preempts the running request with the
 * largest `(priority, arrivalTime)`, the first such in running order on ties.
 */
import type { Request } from '../request/request';
import type { SchedulingPolicy } from '../config/engine-config';

/** Index in `running` of the request to preempt (running must be non-empty). */
export function chooseVictim(running: readonly Request[], policy: SchedulingPolicy): number {
  if (policy === 'fcfs') return running.length - 1;
  let best = 0;
  for (let i = 1; i < running.length; i++) {
    const r = running[i]!;
    const b = running[best]!;
    if (r.priority > b.priority || (r.priority === b.priority && r.arrivalTime > b.arrivalTime)) best = i;
  }
  return best;
}
