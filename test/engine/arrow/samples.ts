/**
 * Deterministic sample sources for the Arrow tests and the committed fixture files that
 * pyarrow reads (fixtures/arrow/*.arrow): every column kind, nulls, shared dictionaries,
 * non-ASCII text and timestamps beyond 2^32 µs.
 */
import {
  Rng, stepTraceTable, stepSummaryTable, requestTable, blockTableTable, kvBlocksTable, benchResultTable,
  type StepSource, type RequestSource, type BenchResultSource,
} from '../../../engine/index';
import type { Table } from 'apache-arrow';

/** Synthetic `StepRecord`s with the engine's shape (sync mode: a step processes its own batch). */
export function sampleSteps(numSteps: number, seed = 7): StepSource[] {
  const rng = new Rng(seed);
  const kinds = ['new', 'resumed', 'running'] as const;
  const steps: StepSource[] = [];
  let t = 5_000_000_000; // beyond 2^32 µs, so 64-bit timestamps are exercised
  let nextBlock = 0;
  for (let step = 0; step < numSteps; step++) {
    const idle = step % 13 === 12;
    const n = 1 + rng.int(4);
    const requests = [];
    for (let j = 0; !idle && j < n; j++) {
      const prefill = rng.int(3) === 0;
      const blocks = Array.from({ length: rng.int(3) }, () => nextBlock++);
      requests.push({
        reqId: j === 3 ? `req-ü-${step % 5}` : `req-${rng.int(6)}`,
        kind: kinds[rng.int(3)]!,
        numScheduledTokens: prefill ? 1 + rng.int(2048) : 1 + rng.int(4),
        numComputedTokens: rng.int(100_000),
        numSpecTokens: prefill ? 0 : rng.int(4),
        numCachedTokens: rng.int(3) * 16,
        isPrefillChunk: prefill,
        newBlockIds: blocks,
        numPromptTokens: 1024, numTokens: 1024 + j, specTokenIds: [],
      });
    }
    const dur = 500 + rng.int(20_000);
    t += dur;
    const batch = idle ? null : { batchId: step, requests, totalNumScheduledTokens: requests.reduce((a, r) => a + r.numScheduledTokens, 0), stepTimeUs: dur - 50 };
    const outputs = requests.map((r) => ({
      reqId: r.reqId, newTokenIds: r.isPrefillChunk ? [] : Array.from({ length: 1 + rng.int(r.numSpecTokens + 1) }, () => rng.int(32000)),
      numDraftTokens: r.numSpecTokens, numAcceptedTokens: rng.int(r.numSpecTokens + 1), finishReason: rng.int(20) === 0 ? 'stop' as const : null,
    }));
    steps.push({
      step, timeUs: t, schedule: batch, processed: idle ? null : { batchId: step, outputs },
      arrivedReqIds: rng.int(4) === 0 ? [`req-${rng.int(6)}`] : [],
      preemptedReqIds: rng.int(10) === 0 ? ['req-1'] : [],
      finishedReqIds: outputs.filter((o) => o.finishReason).map((o) => o.reqId),
      newBlockIds: requests.flatMap((r) => r.newBlockIds),
      freedBlockIds: rng.int(5) === 0 ? [rng.int(nextBlock + 1)] : [],
      numWaiting: rng.int(50), numRunning: n, numInFlightBatches: idle ? 0 : 1,
      numFreeBlocks: 1000 - rng.int(1000), kvUsage: rng.next(),
      prefixCacheQueries: rng.int(4096), prefixCacheHits: rng.int(1024),
    });
  }
  return steps;
}

export function sampleRequests(): RequestSource[] {
  return [
    { requestId: 'req-0', arrivalTime: 0, status: 'FINISHED_STOPPED', numPromptTokens: 1024, numOutputTokens: 128, numComputedTokens: 1151, maxTokens: 128, numCachedTokens: 512, firstScheduledTime: 1_000, firstTokenTime: 61_250, finishedTime: 1_250_000, finishReason: 'stop' },
    { requestId: 'req-1', arrivalTime: 10_000, status: 'RUNNING', numPromptTokens: 7, numOutputTokens: 3, numComputedTokens: 9, priority: -2, numCachedTokens: 0, firstScheduledTime: 10_000, firstTokenTime: 70_000, finishedTime: null, finishReason: null },
    { requestId: 'req-2', arrivalTime: 20_000, status: 'WAITING', numPromptTokens: 4096, numOutputTokens: 0, numComputedTokens: 0, maxTokens: 4000000000, numPreemptions: 2, numCachedTokens: null },
  ];
}

export function sampleBench(): BenchResultSource {
  return {
    input_lens: [1024, 1024, 512], output_lens: [128, 1, 64],
    ttfts: [0.0612, 0.5, 0.031], itls: [new Array(127).fill(0.01), [], new Array(63).fill(0.0125)],
    start_times: [0, 0.25, 1.5], errors: ['', 'timeout', ''],
  };
}

/** The tables written to fixtures/arrow/, by file stem. */
export function sampleTables(): Record<string, Table> {
  const steps = sampleSteps(40);
  return {
    step_trace: stepTraceTable(steps),
    steps: stepSummaryTable(steps),
    requests: requestTable(sampleRequests()),
    block_table: blockTableTable([{ requestId: 'req-0', blockIds: [3, 1, 4, 1] }, { requestId: 'req-1', blockIds: [5] }]),
    kv_blocks: kvBlocksTable([
      { blockId: 0, refCount: 0, owners: [], cached: false },
      { blockId: 1, refCount: 2, owners: ['req-0', 'req-1'], cached: true },
      { blockId: 2, refCount: 1, owners: ['req-1'], cached: false },
    ]),
    bench_requests: benchResultTable(sampleBench()),
  };
}
