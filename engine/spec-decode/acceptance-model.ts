/**
 * Seeded draft-acceptance model, the same one vLLM's synthetic rejection sampler uses
 * (engine-semantics.md §9.5): configured *unconditional* per-position rates `r_1 ≥ … ≥ r_k`
 * (probability that the first `i` drafts are all accepted) become conditional coin flips
 * `c_i = r_i / r_{i−1}`; a step accepts drafts left to right until the first failed flip.
 * Alternatively a target mean acceptance length `Lbar ∈ [1, k+1]` becomes the minimum-variance
 * schedule `[1]×floor(Lbar−1) + [frac(Lbar−1)] + [0]×rest`.
 */
import { EngineError } from '../base/errors';
import type { Rng } from '../base/rng';
import type { AcceptanceModel } from '../contracts/draft-proposer';

/**
 * DeepSeek MTP per-position (unconditional) acceptance, k = 8, GSM8K at temperature 0, from vLLM
 * PR #48892 (hardware-and-models.md §4.4). Truncated to k = 3 it gives AL = 2.891. No public figure
 * for R1 on the `random` dataset exists: treat these as a free parameter there.
 */
export const DEEPSEEK_MTP_ACCEPTANCE_RATES: readonly number[] = [0.762, 0.616, 0.513, 0.424, 0.364, 0.309, 0.272, 0.237];

export class PerPositionAcceptance implements AcceptanceModel {
  /** Unconditional rates, one per draft position (length = the largest k this model serves). */
  readonly perPositionRates: readonly number[];
  /** Conditional rates `c_i = r_i / r_{i−1}` (0 once a rate reaches 0). */
  readonly conditionalRates: readonly number[];

  constructor(perPositionRates: readonly number[]) {
    if (!Array.isArray(perPositionRates) || perPositionRates.length === 0) {
      throw new EngineError('acceptanceRates: expected a non-empty list of per-position rates', 'acceptanceRates');
    }
    let prev = 1;
    const cond: number[] = [];
    perPositionRates.forEach((r, i) => {
      if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1) {
        throw new EngineError(`acceptanceRates[${i}]: ${r} is not a probability in [0, 1]`, 'acceptanceRates');
      }
      if (r > prev + 1e-12) {
        throw new EngineError(
          `acceptanceRates[${i}]: ${r} exceeds the previous position's ${prev}; unconditional rates must not increase`,
          'acceptanceRates',
        );
      }
      cond.push(prev === 0 ? 0 : Math.min(1, r / prev));
      prev = r;
    });
    this.perPositionRates = [...perPositionRates];
    this.conditionalRates = cond;
  }

  /** vLLM's minimum-variance schedule for a target mean acceptance length (bonus token included). */
  static fromMeanAcceptanceLength(meanAcceptanceLength: number, numSpeculativeTokens: number): PerPositionAcceptance {
    const k = numSpeculativeTokens;
    if (!Number.isInteger(k) || k < 1) {
      throw new EngineError(`numSpeculativeTokens: expected an integer ≥ 1, got ${k}`, 'numSpeculativeTokens');
    }
    const l = meanAcceptanceLength;
    if (typeof l !== 'number' || !(l >= 1 && l <= k + 1)) {
      throw new EngineError(`meanAcceptanceLength: ${l} is outside [1, ${k + 1}] for k = ${k}`, 'meanAcceptanceLength');
    }
    const whole = Math.floor(l - 1);
    const rates: number[] = [];
    for (let i = 0; i < k; i++) rates.push(i < whole ? 1 : i === whole ? l - 1 - whole : 0);
    return new PerPositionAcceptance(rates);
  }

  /** Unconditional rate at 0-based draft position `i`; positions past the table keep the last ratio. */
  rateAt(i: number): number {
    const n = this.perPositionRates.length;
    if (i < n) return this.perPositionRates[i]!;
    const last = this.perPositionRates[n - 1]!;
    const c = this.conditionalRates[n - 1]!;
    return last * c ** (i - n + 1);
  }

  conditionalAt(i: number): number {
    return i < this.conditionalRates.length ? this.conditionalRates[i]! : this.conditionalRates[this.conditionalRates.length - 1]!;
  }

  /** Expected accepted drafts out of `numDrafts`: Σ r_i. */
  expectedNumAccepted(numDrafts: number): number {
    let s = 0;
    for (let i = 0; i < numDrafts; i++) s += this.rateAt(i);
    return s;
  }

  /** Expected tokens emitted per verifying step (accepted + the bonus/recovered one). */
  expectedAcceptanceLength(numDrafts: number): number {
    return 1 + this.expectedNumAccepted(numDrafts);
  }

  /** Accepted prefix length for one request with `numDrafts` drafts: coin flips until the first miss. */
  sampleNumAccepted(numDrafts: number, rng: Rng): number {
    return this.numAccepted(numDrafts, () => rng.next());
  }

  /** The executor-facing form: `uniform(i)` is the deterministic U[0,1) draw for draft `i`. */
  numAccepted(numDrafts: number, uniform: (i: number) => number): number {
    let a = 0;
    while (a < numDrafts && uniform(a) < this.conditionalAt(a)) a++;
    return a;
  }
}
