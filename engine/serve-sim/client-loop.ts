/**
 * The simulated `vllm bench serve` client driving an engine (engine-semantics.md §12): requests are
 * released at their times, a max-concurrency semaphore admits them (a request's clock starts when it
 * gets a slot), each engine step that emits tokens for a request is one streamed chunk, and the
 * device clock advances by the cost model's step time. Returns per-request timings and the timeline.
 */
import { EngineError } from '../base/errors';
import type { Engine } from '../api/engine';
import type { EngineCostModel, StepCostRecord } from '../cost/engine-cost-model';
import { SpecDecodeCounters } from '../spec-decode/spec-decode-counters';
import type { ScheduleRecord } from '../trace/step-record';
import type { RequestTiming } from './metrics';

/** One engine batch on the timeline (times in µs of simulated time). */
export interface TimelineRow extends StepCostRecord {
  readonly startUs: number;
  readonly endUs: number;
  /** Tokens this batch emitted to clients (after stop truncation), known once its output is processed. */
  readonly numEmittedTokens: number;
  /** Requests this batch finished. */
  readonly numFinished: number;
}

export interface ClientRun {
  readonly timings: RequestTiming[];
  readonly timeline: TimelineRow[];
  readonly batches: ScheduleRecord[] | null;
  readonly numSteps: number;
  /** Seconds until the last request finished. */
  readonly duration: number;
  readonly counters: SpecDecodeCounters | null;
}

export interface ClientLoopInput {
  readonly engine: Engine;
  readonly cost: EngineCostModel;
  readonly requests: readonly { readonly promptLen: number; readonly outputLen: number }[];
  /** Release time of each request, seconds. */
  readonly release: readonly number[];
  readonly maxConcurrency: number | null;
  readonly ignoreEos: boolean;
  readonly maxModelLen: number;
  readonly numSpecTokens: number;
  readonly keepBatches: boolean;
  readonly onProgress?: (p: ServeProgress) => void;
}

/** Progress of a simulated benchmark, reported after each finished request. */
export interface ServeProgress {
  readonly numCompleted: number;
  readonly numRequests: number;
  readonly numSteps: number;
  readonly simulatedUs: number;
}

export function runClient(c: ClientLoopInput): ClientRun {
  const { engine, cost, requests: reqs, release } = c;
  const n = reqs.length;
  const limit = c.maxConcurrency ?? Infinity;
  const startUs = new Float64Array(n);
  // Chunk times per request, sized at admission to its token cap (each chunk carries ≥ 1 token):
  // typed arrays that never regrow, so the young generation never copies them.
  const chunkTimes: Float64Array[] = new Array<Float64Array>(n);
  const numChunks = new Int32Array(n);
  const numOut = new Int32Array(n);
  const doneAt = new Float64Array(n).fill(-1);
  const indexOf = new Map<string, number>();
  const counters = c.numSpecTokens > 0 ? new SpecDecodeCounters(c.numSpecTokens) : null;
  const timeline: { -readonly [K in keyof TimelineRow]: TimelineRow[K] }[] = [];
  const rowOfBatch = new Map<number, number>();
  const batches: ScheduleRecord[] | null = c.keepBatches ? [] : null;
  let next = 0;
  let active = 0;
  let completed = 0;
  let steps = 0;
  let deviceFreeAt = 0;
  let costSeen = 0;
  while (completed < n) {
    while (next < n && active < limit) {
      // The slot is free now; the request is sent at its release time or now, whichever is later.
      const at = Math.max(release[next]! * 1e6, engine.clockUs);
      const id = `bench-${next}`;
      indexOf.set(id, next);
      startUs[next] = at;
      const promptLen = Math.min(reqs[next]!.promptLen, c.maxModelLen - 1);
      const maxTokens = Math.max(1, Math.min(reqs[next]!.outputLen, c.maxModelLen - reqs[next]!.promptLen));
      chunkTimes[next] = new Float64Array(maxTokens);
      engine.addRequest({ requestId: id, promptLen, maxTokens, ignoreEos: c.ignoreEos, arrivalTime: at });
      next++;
      active++;
    }
    const before = engine.clockUs;
    const rec = engine.step();
    steps++;
    if (rec.schedule !== null) {
      const cr = cost.records[costSeen++];
      if (cr !== undefined) {
        const start = Math.max(before, deviceFreeAt);
        deviceFreeAt = start + cr.stepUs;
        rowOfBatch.set(cr.batchId, timeline.length);
        timeline.push({ ...cr, startUs: start, endUs: deviceFreeAt, numEmittedTokens: 0, numFinished: 0 });
        if (batches !== null) batches.push(rec.schedule);
      }
    }
    if (rec.processed !== null) {
      const row = timeline[rowOfBatch.get(rec.processed.batchId) ?? -1];
      for (const out of rec.processed.outputs) {
        if (row !== undefined) {
          row.numEmittedTokens += out.newTokenIds.length;
          if (out.finishReason !== null) row.numFinished++;
        }
        const i = indexOf.get(out.reqId);
        if (i === undefined) continue;
        if (out.newTokenIds.length > 0) {
          let ch = chunkTimes[i]!;
          if (numChunks[i] === ch.length) {
            // Defensive: a runner emitting past the cap (never the engine's) still gets every chunk.
            const grown = new Float64Array(2 * ch.length + 16);
            grown.set(ch);
            chunkTimes[i] = ch = grown;
          }
          ch[numChunks[i]!++] = rec.timeUs;
          numOut[i]! += out.newTokenIds.length;
        }
        if (counters !== null && out.numDraftTokens > 0) counters.observe(out.numDraftTokens, out.numAcceptedTokens);
        if (out.finishReason !== null && doneAt[i]! < 0) {
          doneAt[i] = rec.timeUs;
          completed++;
          active--;
          c.onProgress?.({ numCompleted: completed, numRequests: n, numSteps: steps, simulatedUs: rec.timeUs });
        }
      }
    }
    if (steps > 50_000_000) throw new EngineError('simulateServe: step limit reached without finishing the benchmark', 'bench');
  }
  const timings: RequestTiming[] = reqs.map((r, i) => {
    const ch = chunkTimes[i];
    const m = numChunks[i]!;
    const s0 = startUs[i]!;
    const itl = new Array<number>(Math.max(0, m - 1));
    for (let j = 1; j < m; j++) itl[j - 1] = (ch![j]! - ch![j - 1]!) / 1e6;
    return {
      success: m > 0, promptLen: r.promptLen, outputTokens: numOut[i]!, startTime: s0 / 1e6,
      ttft: m > 0 ? (ch![0]! - s0) / 1e6 : 0, itl, latency: m > 0 ? (ch![m - 1]! - s0) / 1e6 : 0,
    };
  });
  let end = 0;
  for (let i = 0; i < n; i++) end = Math.max(end, doneAt[i]!);
  return { timings, timeline, batches, numSteps: steps, duration: end / 1e6, counters };
}
