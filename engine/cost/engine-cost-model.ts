/**
 * The cost model as the engine's step-time plug-in (`withCostModel(executor, costModel)`): each
 * `SchedulerOutput` becomes a `StepShape` (context lengths, drafts, prefill chunks, re-added
 * requests), is priced by the roofline model, and its host time is combined with the GPU time the
 * way the scheduling mode dictates (`step-timing.ts`). The returned step time advances the
 * engine's virtual clock. A per-batch record keeps the breakdown (graph mode, GPU busy, host time,
 * bubble) for timelines.
 */
import type { StepCostModel } from '../contracts/executor';
import type { SchedulerOutput } from '../contracts/scheduler-output';
import { RooflineCostModel, type CostModelOptions, type CostRequest } from './step-cost-model';
import { stepTiming, type AsyncSpecHostSync } from './step-timing';
import { PersistentBatchOrder } from './persistent-batch-order';
import type { RuntimeGraphMode } from './cudagraph-mode';

export interface EngineCostModelOptions extends CostModelOptions {
  readonly asyncScheduling: boolean;
  /** §11.7 toggle; the default is current vLLM (#32951). */
  readonly asyncSpecHostSync?: AsyncSpecHostSync;
}

/** One batch's modelled cost, in µs. */
export interface StepCostRecord {
  readonly batchId: number;
  readonly graphMode: RuntimeGraphMode;
  readonly numTokens: number;
  readonly numTokensPadded: number;
  readonly numReqs: number;
  readonly uniformDecode: boolean;
  readonly numReadded: number;
  /** Decoding requests the attention backend's uniform split sent to its prefill path. */
  readonly numDecodesOnPrefillPath: number;
  readonly gpuUs: number;
  readonly drafterUs: number;
  readonly hostUs: number;
  readonly exposedHostUs: number;
  readonly stepUs: number;
}

export class EngineCostModel implements StepCostModel {
  readonly roofline: RooflineCostModel;
  readonly asyncScheduling: boolean;
  readonly asyncSpecHostSync: AsyncSpecHostSync;
  /** Every priced batch in order (cleared by `reset`). */
  readonly records: StepCostRecord[] = [];
  private readonly batchOrder = new PersistentBatchOrder();
  /** Reused row objects: `stepCost` reads them during the call and keeps none. */
  private readonly rows: { -readonly [K in keyof CostRequest]-?: NonNullable<CostRequest[K]> }[] = [];

  constructor(o: EngineCostModelOptions) {
    this.roofline = new RooflineCostModel(o);
    this.asyncScheduling = o.asyncScheduling;
    this.asyncSpecHostSync = o.asyncSpecHostSync ?? 'zero_bubble_32951';
  }

  reset(): void {
    this.records.length = 0;
    this.batchOrder.reset();
  }

  stepTimeUs(so: SchedulerOutput): number {
    if (so.scheduled.length === 0) {
      this.batchOrder.reset();
      return 0;
    }
    const order = this.batchOrder.update(so.scheduled, this.roofline.decodeThreshold);
    const requests = this.rows;
    while (requests.length < order.length) {
      requests.push({ numScheduledTokens: 0, numContextTokens: 0, numDrafts: 0, isPrefillChunk: false, isReadd: false, numResentTokens: 0 });
    }
    requests.length = order.length;
    let numReadded = 0;
    for (let j = 0; j < order.length; j++) {
      const i = order[j]!;
      const r = so.scheduled[i]!;
      // A running request absent from the previous batch is re-added with its whole token list (§4.5).
      const isReadd = r.kind === 'running' && !this.batchOrder.wasInPreviousStep(i);
      if (isReadd) numReadded++;
      const row = requests[j]!;
      row.numScheduledTokens = r.numScheduledTokens;
      row.numContextTokens = r.numComputedTokens;
      row.numDrafts = r.numSpecTokens;
      row.isPrefillChunk = r.isPrefillChunk;
      row.isReadd = isReadd;
      row.numResentTokens = r.numTokens;
    }
    const cost = this.roofline.stepCost({ requests, disallowFullGraph: false, numRunningRequests: so.scheduled.length });
    const t = stepTiming(cost, { asyncScheduling: this.asyncScheduling, asyncSpecHostSync: this.asyncSpecHostSync });
    this.records.push({
      batchId: so.batchId,
      graphMode: cost.graph.mode,
      numTokens: cost.graph.numTokens,
      numTokensPadded: cost.graph.numTokensPadded,
      numReqs: cost.graph.numReqs,
      uniformDecode: cost.graph.uniformDecode,
      numReadded,
      numDecodesOnPrefillPath: cost.numDecodesOnPrefillPath,
      gpuUs: t.gpuSeconds * 1e6,
      drafterUs: cost.gpu.drafterSeconds * 1e6,
      hostUs: t.hostSeconds * 1e6,
      exposedHostUs: t.exposedHostSeconds * 1e6,
      stepUs: t.stepSeconds * 1e6,
    });
    return t.stepSeconds * 1e6;
  }
}
