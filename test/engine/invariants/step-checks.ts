// Checks that hold after every engine step of any workload, shared by the randomized and the
// tight-pool invariant tests. They throw a plain Error naming what broke; the caller adds the seed.
import type { StepRecord } from '../../../engine/index';

export function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(message);
}

interface StepLimits {
  readonly maxModelLen: number;
  readonly maxNumSeqs: number;
}

/** The scheduled batch respects the token budget, maxModelLen and maxNumSeqs; the record is sane. */
export function checkStepRecord(rec: StepRecord, limits: StepLimits, budget: number): void {
  const s = rec.schedule;
  if (s !== null) {
    check(s.totalNumScheduledTokens <= budget, `scheduled ${s.totalNumScheduledTokens} > budget ${budget}`);
    check(new Set(s.requests.map((x) => x.reqId)).size === s.requests.length, 'a request scheduled twice in one step');
    for (const x of s.requests) {
      check(x.numScheduledTokens >= 1, `${x.reqId} scheduled with ${x.numScheduledTokens} tokens`);
      check(x.numComputedTokens + x.numScheduledTokens <= limits.maxModelLen, `${x.reqId} scheduled past maxModelLen`);
    }
  }
  check(rec.numRunning <= limits.maxNumSeqs, `${rec.numRunning} running > maxNumSeqs`);
  check(rec.kvUsage >= 0 && rec.kvUsage <= 1, `kv usage ${rec.kvUsage}`);
}
