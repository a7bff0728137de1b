/**
 * The numeric executor: the tiny V4 model behind the `Executor` seam. It keeps vLLM's
 * GPU-resident state per request (token ids, computed positions, block table, the drafts its MTP
 * head proposed), runs every scheduled token through the model so its KV lands in a real
 * fp8_ds_mla page at the slot the KV manager's block table gives, samples at the positions that
 * emit tokens, verifies drafts by exact match (greedy: the same tokens as without speculation),
 * and proposes the next drafts (MTP head, or n-gram lookup). With `keepSteps > 0` it keeps each step's traces for inspection.
 */
import { assert, EngineError } from '../base/errors';
import { hashString } from '../base/rng';
import type { AttentionPath, RowAttentionTrace } from '../model/attention-layer';
import { restoreCaches, snapshotCaches } from '../model/model-caches';
import { proposeNgramDrafts } from '../model/ngram-proposer';
import { sampleToken, topLogits, type TopLogit } from '../model/sampler';
import { TinyV4Model, type ForwardToken } from '../model/tiny-v4-model';
import type { TinyV4Config } from '../model/tiny-v4-config';
import type { SchedulerOutput } from '../contracts/scheduler-output';
import type { ExecuteResult, Executor, JsonValue } from '../contracts/executor';

export interface NumericExecutorOptions {
  readonly model: TinyV4Config;
  readonly seed: number;
  readonly numPages: number;
  readonly maxModelLen: number;
  /** 0 = greedy. */
  readonly temperature: number;
  /** Drafts proposed per step (0 = no speculation). */
  readonly numSpeculativeTokens: number;
  /** Who drafts: the model's MTP head, or vLLM's n-gram prompt lookup. */
  readonly draftMethod: 'mtp' | 'ngram';
  /** Sync mode returns drafts with the output; async keeps them on the device. */
  readonly returnDrafts: boolean;
  /** How many recent steps keep full traces for inspection. */
  readonly keepSteps: number;
  /** Top logits recorded per sampled position. */
  readonly numTopLogits: number;
  /** Sparse-MLA implementation (default 'reference'). */
  readonly attentionPath?: AttentionPath;
}

interface DeviceRequest {
  readonly key: number;
  tokens: number[];
  numComputed: number;
  blockTable: number[];
  drafts: number[];
}

/** One scheduled token of a recorded step. */
export interface StepTokenRecord {
  readonly reqId: string;
  readonly pos: number;
  readonly tokenId: number;
  readonly blockTable: readonly number[];
}

/** One sampled position of a recorded step. */
export interface SampledRecord {
  readonly reqId: string;
  readonly pos: number;
  readonly tokenId: number;
  /** The draft verified at this position (null past the drafts). */
  readonly draftTokenId: number | null;
  readonly accepted: boolean;
  readonly topLogits: readonly TopLogit[];
}

export interface NumericStepRecord {
  readonly batchId: number;
  readonly tokens: readonly StepTokenRecord[];
  /** traces[layer][row], rows in `tokens` order. */
  readonly traces: readonly (readonly RowAttentionTrace[])[];
  readonly sampled: readonly SampledRecord[];
  readonly proposedDrafts: { readonly [reqId: string]: readonly number[] };
}

export class NumericExecutor implements Executor {
  readonly model: TinyV4Model;
  readonly options: NumericExecutorOptions;
  private readonly device = new Map<string, DeviceRequest>();
  private readonly records = new Map<number, NumericStepRecord>();

  constructor(options: NumericExecutorOptions) {
    this.options = options;
    this.model = new TinyV4Model(options.model, options.seed, options.numPages, options.maxModelLen, options.attentionPath ?? 'reference');
  }

  /** Recorded steps still kept, oldest first. */
  get recordedBatchIds(): number[] {
    return [...this.records.keys()];
  }

  record(batchId: number): NumericStepRecord {
    const r = this.records.get(batchId);
    if (r === undefined) throw new EngineError(`batch ${batchId} is not recorded (kept: ${this.recordedBatchIds.join(', ') || 'none'}; keepSteps = ${this.options.keepSteps})`, 'batchId');
    return r;
  }

  /** Device-side view of a request (plain copy). */
  deviceRequest(reqId: string): { tokens: number[]; numComputed: number; blockTable: number[]; drafts: number[] } | null {
    const d = this.device.get(reqId);
    return d === undefined ? null : { tokens: d.tokens.slice(), numComputed: d.numComputed, blockTable: d.blockTable.slice(), drafts: d.drafts.slice() };
  }

  execute(so: SchedulerOutput): ExecuteResult {
    const opts = this.options;
    for (const id of so.finishedReqIds) this.device.delete(id);
    for (const id of so.preemptedReqIds) this.device.delete(id);
    const tokens: ForwardToken[] = [];
    const owners: StepTokenRecord[] = [];
    const plan = so.scheduled.map((sr) => {
      let d = this.device.get(sr.reqId);
      if (sr.kind !== 'running') {
        const ids = so.newRequestTokenIds[sr.reqId];
        if (ids === undefined) throw new EngineError(`scheduler output has no token ids for ${sr.kind} request ${sr.reqId}`, 'schedulerOutput');
        d = { key: hashString(sr.reqId, opts.seed >>> 0), tokens: ids.slice(), numComputed: sr.numComputedTokens, blockTable: sr.newBlockIds.slice(), drafts: [] };
        this.device.set(sr.reqId, d);
      } else {
        assert(d !== undefined, () => `numeric executor has no state for running request ${sr.reqId}`);
        d.blockTable.push(...sr.newBlockIds);
      }
      const given = so.scheduledSpecDecodeTokens[sr.reqId];
      const drafts = given !== undefined && given.every((t) => t >= 0) ? given.slice() : d.drafts.slice(0, sr.numSpecTokens);
      const first = d.numComputed;
      for (let i = 0; i < sr.numScheduledTokens; i++) {
        const pos = first + i;
        const tokenId = pos < d.tokens.length ? d.tokens[pos]! : drafts[pos - d.tokens.length];
        if (tokenId === undefined) throw new EngineError(`request ${sr.reqId}: no token id for position ${pos} (${d.tokens.length} tokens, ${drafts.length} drafts)`, 'schedulerOutput');
        tokens.push({ pos, tokenId, blockTable: d.blockTable });
        owners.push({ reqId: sr.reqId, pos, tokenId, blockTable: d.blockTable.slice() });
      }
      return { sr, d, first, drafts, rowStart: tokens.length - sr.numScheduledTokens };
    });
    const fwd = this.model.forward(tokens);
    const sampledRecords: SampledRecord[] = [];
    const proposed: Record<string, number[]> = {};
    const reqIds: string[] = [];
    const sampled: number[][] = [];
    const draftRows: number[][] = [];
    for (const { sr, d, first, drafts, rowStart } of plan) {
      reqIds.push(sr.reqId);
      const end = first + sr.numScheduledTokens;
      const L = d.tokens.length;
      if (end < L || sr.isPrefillChunk) {
        d.numComputed = end;
        sampled.push([]);
        draftRows.push([]);
        continue;
      }
      const emitted: number[] = [];
      let lastRow = -1;
      for (let pos = L - 1; pos < end; pos++) {
        const row = rowStart + (pos - first);
        const logits = this.model.logits(fwd.hidden[row]!);
        const tok = sampleToken(logits, opts.temperature, opts.seed, d.key, pos);
        const draft = pos - L + 1 < drafts.length ? drafts[pos - L + 1]! : null;
        emitted.push(tok);
        lastRow = row;
        const accepted = draft !== null && draft === tok;
        if (opts.keepSteps > 0) sampledRecords.push({ reqId: sr.reqId, pos, tokenId: tok, draftTokenId: draft, accepted, topLogits: topLogits(logits, opts.numTopLogits) });
        if (!accepted) break;
      }
      d.tokens.push(...emitted);
      d.numComputed = d.tokens.length - 1;
      d.drafts = opts.numSpeculativeTokens === 0
        ? []
        : opts.draftMethod === 'ngram'
          ? proposeNgramDrafts(d.tokens, opts.numSpeculativeTokens)
          : this.model.proposeDrafts(fwd.hidden[lastRow]!, emitted[emitted.length - 1]!, opts.numSpeculativeTokens);
      if (d.drafts.length > 0) proposed[sr.reqId] = d.drafts.slice();
      sampled.push(emitted);
      draftRows.push(d.drafts.slice());
    }
    if (opts.keepSteps > 0) {
      this.records.set(so.batchId, { batchId: so.batchId, tokens: owners, traces: fwd.traces, sampled: sampledRecords, proposedDrafts: proposed });
      while (this.records.size > opts.keepSteps) this.records.delete(this.records.keys().next().value!);
    }
    const draftTokenIds = opts.numSpeculativeTokens > 0 && opts.returnDrafts ? draftRows : null;
    return { output: { batchId: so.batchId, reqIds, sampledTokenIds: sampled, draftTokenIds }, stepTimeUs: null };
  }

  snapshotState(): JsonValue {
    const device: JsonValue[] = [];
    for (const [id, d] of this.device) device.push([id, d.key, d.tokens, d.numComputed, d.blockTable, d.drafts]);
    return { device, caches: snapshotCaches(this.model.caches) };
  }

  restoreState(state: JsonValue): void {
    if (state === null || typeof state !== 'object' || Array.isArray(state) || !Array.isArray(state['device'])) {
      throw new EngineError('numeric executor state must be { device, caches }', 'state');
    }
    restoreCaches(this.model.caches, state['caches'] ?? null);
    this.device.clear();
    this.records.clear();
    const isIntList = (v: JsonValue | undefined): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x));
    state['device'].forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== 6 || typeof row[0] !== 'string' || typeof row[1] !== 'number' || !isIntList(row[2]) || typeof row[3] !== 'number' || !isIntList(row[4]) || !isIntList(row[5])) {
        throw new EngineError(`device row ${i} must be [reqId, key, tokens, numComputed, blockTable, drafts]`, 'state');
      }
      this.device.set(row[0], { key: row[1], tokens: row[2].slice(), numComputed: row[3], blockTable: row[4].slice(), drafts: row[5].slice() });
    });
  }
}
