/**
 * vLLM's spec-decode counters and derived metrics (engine-semantics.md §9.6, §12.4). Per step, each
 * request that carried `d > 0` drafts adds one draft, `d` draft tokens, its accepted count, and one
 * to `acceptedPerPos[i]` for every accepted position `i`. Derived: acceptance rate =
 * accepted / draft tokens; mean acceptance length = 1 + accepted / drafts (bonus token included);
 * per-position rate = acceptedPerPos[i] / drafts (unconditional).
 */
import { EngineError } from '../base/errors';

export interface SpecDecodingMetrics {
  readonly numDrafts: number;
  readonly numDraftTokens: number;
  readonly numAcceptedTokens: number;
  readonly acceptedPerPosition: readonly number[];
  /** accepted / draft tokens, in [0, 1]; 0 when nothing was drafted. */
  readonly acceptanceRate: number;
  /** 1 + accepted / drafts; 1 when nothing was drafted. */
  readonly meanAcceptanceLength: number;
  readonly perPositionAcceptanceRates: readonly number[];
}

export class SpecDecodeCounters {
  numDrafts = 0;
  numDraftTokens = 0;
  numAcceptedTokens = 0;
  readonly acceptedPerPosition: number[];

  constructor(readonly numSpeculativeTokens: number) {
    if (!Number.isInteger(numSpeculativeTokens) || numSpeculativeTokens < 1) {
      throw new EngineError(`numSpeculativeTokens: expected an integer ≥ 1, got ${numSpeculativeTokens}`, 'numSpeculativeTokens');
    }
    this.acceptedPerPosition = new Array<number>(numSpeculativeTokens).fill(0);
  }

  /** Records one request's verification; requests without drafts are not counted (vLLM skips them). */
  observe(numDraftTokens: number, numAcceptedTokens: number): void {
    if (!Number.isInteger(numDraftTokens) || numDraftTokens < 0 || numDraftTokens > this.numSpeculativeTokens) {
      throw new EngineError(`numDraftTokens: expected an integer in [0, ${this.numSpeculativeTokens}], got ${numDraftTokens}`, 'numDraftTokens');
    }
    if (!Number.isInteger(numAcceptedTokens) || numAcceptedTokens < 0 || numAcceptedTokens > numDraftTokens) {
      throw new EngineError(`numAcceptedTokens: expected an integer in [0, ${numDraftTokens}], got ${numAcceptedTokens}`, 'numAcceptedTokens');
    }
    if (numDraftTokens === 0) return;
    this.numDrafts += 1;
    this.numDraftTokens += numDraftTokens;
    this.numAcceptedTokens += numAcceptedTokens;
    for (let i = 0; i < numAcceptedTokens; i++) this.acceptedPerPosition[i]! += 1;
  }

  /** Adds another stats object's counts (e.g. per-step stats into a run total). */
  merge(other: SpecDecodeCounters): void {
    if (other.numSpeculativeTokens !== this.numSpeculativeTokens) {
      throw new EngineError(`other: k = ${other.numSpeculativeTokens} differs from this k = ${this.numSpeculativeTokens}`, 'other');
    }
    this.numDrafts += other.numDrafts;
    this.numDraftTokens += other.numDraftTokens;
    this.numAcceptedTokens += other.numAcceptedTokens;
    other.acceptedPerPosition.forEach((v, i) => (this.acceptedPerPosition[i]! += v));
  }

  /** Counters from the engine's per-run summary (`numAcceptedTokensPerPos` may be shorter than k). */
  static fromCounts(numSpeculativeTokens: number, c: { numDrafts: number; numDraftTokens: number; numAcceptedTokens: number; numAcceptedTokensPerPos: readonly number[] }): SpecDecodeCounters {
    const s = new SpecDecodeCounters(numSpeculativeTokens);
    if (c.numAcceptedTokensPerPos.length > numSpeculativeTokens) {
      throw new EngineError(`numAcceptedTokensPerPos: ${c.numAcceptedTokensPerPos.length} positions exceed k = ${numSpeculativeTokens}`, 'numAcceptedTokensPerPos');
    }
    s.numDrafts = c.numDrafts;
    s.numDraftTokens = c.numDraftTokens;
    s.numAcceptedTokens = c.numAcceptedTokens;
    c.numAcceptedTokensPerPos.forEach((v, i) => (s.acceptedPerPosition[i] = v));
    return s;
  }

  metrics(): SpecDecodingMetrics {
    const d = this.numDrafts;
    return {
      numDrafts: d,
      numDraftTokens: this.numDraftTokens,
      numAcceptedTokens: this.numAcceptedTokens,
      acceptedPerPosition: [...this.acceptedPerPosition],
      acceptanceRate: this.numDraftTokens === 0 ? 0 : this.numAcceptedTokens / this.numDraftTokens,
      meanAcceptanceLength: d === 0 ? 1 : 1 + this.numAcceptedTokens / d,
      perPositionAcceptanceRates: this.acceptedPerPosition.map((v) => (d === 0 ? 0 : v / d)),
    };
  }
}
