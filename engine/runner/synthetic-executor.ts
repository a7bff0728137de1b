/**
 * The synthetic executor: a seeded stand-in for the GPU. Emitted tokens are a pure function of
 * (seed, request, position); drafts come from a `DraftProposer`, and how many are accepted from an
 * `AcceptanceModel` fed by deterministic uniforms. It keeps the device-side sequence length of
 * each request (vLLM's GPU-resident state), which is what lets async batch N+1 run before the
 * scheduler has seen batch N's output.
 */
import { assert } from '../base/errors';
import type { SchedulerOutput } from '../contracts/scheduler-output';
import type { AcceptanceModel, DraftContext, DraftProposer } from '../contracts/draft-proposer';
import type { ExecuteResult, Executor, JsonValue } from '../contracts/executor';
import { acceptanceUniform, requestKey, syntheticToken } from './synthetic-tokens';

export interface SyntheticExecutorOptions {
  readonly seed: number;
  readonly vocabSize: number;
  readonly acceptance: AcceptanceModel;
  /** Sync speculative decoding: proposes drafts returned with the output. `null` otherwise. */
  readonly proposer: DraftProposer | null;
}

interface DeviceState {
  key: number;
  numTokens: number;
}

/** Proposes the next `k` synthetic tokens (values do not matter to synthetic acceptance). */
export function syntheticProposer(numSpeculativeTokens: number): DraftProposer {
  return {
    numSpeculativeTokens,
    propose(ctx: DraftContext): number[] {
      const out: number[] = [];
      for (let i = 0; i < numSpeculativeTokens; i++) out.push(ctx.tokenAt(ctx.numTokens + i));
      return out;
    },
  };
}

/**
 * The one draft context the executor hands its proposer, re-pointed at each request in turn: a
 * step of 256 rows then allocates no context or `tokenAt` closure per row. Valid only during the
 * `propose` call it is passed to (proposers read it, never keep it).
 */
class SyntheticDraftContext implements DraftContext {
  reqId = '';
  key = 0;
  numTokens = 0;

  constructor(private readonly seed: number, private readonly vocabSize: number) {}

  tokenAt(p: number): number {
    return syntheticToken(this.seed, this.key, p, this.vocabSize);
  }
}

export class SyntheticExecutor implements Executor {
  private readonly opts: SyntheticExecutorOptions;
  private readonly device = new Map<string, DeviceState>();
  private readonly draftContext: SyntheticDraftContext;
  /** Key and position the shared `uniform` reads (set per row before `numAccepted`). */
  private uniformKey = 0;
  private uniformPos = 0;
  private readonly uniform: (i: number) => number;

  constructor(opts: SyntheticExecutorOptions) {
    this.opts = opts;
    this.draftContext = new SyntheticDraftContext(opts.seed, opts.vocabSize);
    this.uniform = (i) => acceptanceUniform(this.opts.seed, this.uniformKey, this.uniformPos, i);
  }

  execute(so: SchedulerOutput): ExecuteResult {
    const { seed, vocabSize, acceptance, proposer } = this.opts;
    for (const id of so.finishedReqIds) this.device.delete(id);
    for (const id of so.preemptedReqIds) this.device.delete(id);
    const fresh = so.newRequestTokenIds;
    const n = so.scheduled.length;
    const reqIds = new Array<string>(n);
    const sampled = new Array<number[]>(n);
    const drafts = proposer === null ? null : new Array<number[]>(n);
    for (let j = 0; j < n; j++) {
      const sr = so.scheduled[j]!;
      reqIds[j] = sr.reqId;
      let st = this.device.get(sr.reqId);
      if (sr.kind !== 'running' || st === undefined) {
        assert(sr.kind !== 'running', () => `executor has no state for running request ${sr.reqId}`);
        st = { key: requestKey(seed, sr.reqId), numTokens: fresh[sr.reqId]?.length ?? sr.numTokens };
        this.device.set(sr.reqId, st);
      }
      if (sr.isPrefillChunk) {
        sampled[j] = [];
        if (drafts !== null) drafts[j] = [];
        continue;
      }
      const pos = st.numTokens;
      const key = st.key;
      let accepted = 0;
      if (sr.numSpecTokens > 0) {
        this.uniformKey = key;
        this.uniformPos = pos;
        accepted = acceptance.numAccepted(sr.numSpecTokens, this.uniform, key);
      }
      const toks = new Array<number>(accepted + 1);
      for (let t = 0; t <= accepted; t++) toks[t] = syntheticToken(seed, key, pos + t, vocabSize);
      st.numTokens = pos + accepted + 1;
      sampled[j] = toks;
      if (drafts !== null) {
        const ctx = this.draftContext;
        ctx.reqId = sr.reqId;
        ctx.key = key;
        ctx.numTokens = st.numTokens;
        drafts[j] = proposer!.propose(ctx);
      }
    }
    return { output: { batchId: so.batchId, reqIds, sampledTokenIds: sampled, draftTokenIds: drafts }, stepTimeUs: null };
  }

  snapshotState(): JsonValue {
    const rows: JsonValue[] = [];
    for (const [id, st] of this.device) rows.push([id, st.key, st.numTokens]);
    return rows;
  }

  restoreState(state: JsonValue): void {
    assert(Array.isArray(state), 'synthetic executor state must be a list');
    this.device.clear();
    for (const row of state) {
      const [id, key, numTokens] = row as [string, number, number];
      this.device.set(id, { key, numTokens });
    }
  }
}
