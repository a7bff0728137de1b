/**
 * Per-request acceptance: real draft acceptance differs from request to request (it depends on
 * the text being generated; hardware-and-models.md §4.4 lists how much it moves with the dataset,
 * the chat template and the sampling settings), while vLLM's synthetic sampler (§9.5) gives every
 * request the same rates. This model keeps the §9.5 coin flips but scales each request's
 * conditional rates by a factor `exp(σ·z)`, `z ~ N(0, 1)` drawn once per request from its stable key,
 * capped at 1. σ = 0 is exactly `PerPositionAcceptance`.
 *
 * Why it matters for simulation: with identical lengths and identical acceptance, a closed-loop
 * benchmark's requests finish in lockstep waves, so per-request end effects (partial drafts,
 * skips) pile onto the same few steps; with dispersed acceptance they spread over all steps.
 */
import { EngineError } from '../base/errors';
import { fmix32 } from '../base/rng';
import type { AcceptanceModel } from '../contracts/draft-proposer';
import { PerPositionAcceptance } from './acceptance-model';

/** Deterministic U(0,1), never 0 (Box–Muller takes its log), from a 32-bit key and a stream number. */
function unitFromKey(key: number, stream: number): number {
  return (fmix32(key ^ Math.imul(stream + 1, 0x9e3779b9)) + 0.5) / 4294967296;
}

export class DispersedAcceptance implements AcceptanceModel {
  readonly base: PerPositionAcceptance;
  /** Standard deviation of the log of the per-request factor on the conditional rates. */
  readonly dispersion: number;
  /** `factorFor` by request key: a pure function, asked once per verified row of every step. */
  private readonly factors = new Map<number, number>();

  constructor(perPositionRates: readonly number[], dispersion: number) {
    this.base = new PerPositionAcceptance(perPositionRates);
    if (typeof dispersion !== 'number' || !Number.isFinite(dispersion) || dispersion < 0) {
      throw new EngineError(`acceptanceDispersion: expected a finite number ≥ 0, got ${dispersion}`, 'acceptanceDispersion');
    }
    this.dispersion = dispersion;
  }

  /** The request's multiplier on every conditional rate (Box–Muller over two key-derived uniforms). */
  factorFor(requestKey: number): number {
    if (this.dispersion === 0) return 1;
    let f = this.factors.get(requestKey);
    if (f === undefined) {
      const z = Math.sqrt(-2 * Math.log(unitFromKey(requestKey, 0))) * Math.cos(2 * Math.PI * unitFromKey(requestKey, 1));
      f = Math.exp(this.dispersion * z);
      // Bounded: a long-lived engine sees unboundedly many requests.
      if (this.factors.size >= 1 << 16) this.factors.clear();
      this.factors.set(requestKey, f);
    }
    return f;
  }

  /** The request's conditional acceptance at draft position `i`. */
  conditionalAt(i: number, requestKey: number): number {
    return Math.min(1, this.base.conditionalAt(i) * this.factorFor(requestKey));
  }

  numAccepted(numDrafts: number, uniform: (i: number) => number, requestKey?: number): number {
    if (requestKey === undefined || this.dispersion === 0) return this.base.numAccepted(numDrafts, uniform);
    const f = this.factorFor(requestKey);
    let a = 0;
    while (a < numDrafts && uniform(a) < Math.min(1, this.base.conditionalAt(a) * f)) a++;
    return a;
  }
}
