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

export function sampleSteps(numSteps: number, seed = 7): StepSource[] {
  const rng = new Rng(seed);
  const modes = ['FULL', 'PIECEWISE', 'NONE'];
  const steps: StepSource[] = [];
  let t = 5_000_000_000; // beyond 2^32 µs, so 64-bit timestamps are exercised
  for (let step = 0; step < numSteps; step++) {
    const n = 1 + rng.int(4);
    const scheduled = [];
    for (let j = 0; j < n; j++) {
      const prefill = rng.int(3) === 0;
      scheduled.push({
        requestId: j === 3 ? `req-ü-${step % 5}` : `req-${rng.int(6)}`,
        numScheduledTokens: prefill ? 1 + rng.int(2048) : 1 + rng.int(4),
        numComputedTokens: step % 7 === 3 ? undefined : rng.int(100_000),
        numSpecTokens: prefill ? 0 : rng.int(4),
        isPrefill: step % 11 === 5 ? undefined : prefill,
      });
    }
    const dur = 500 + rng.int(20_000);
    steps.push({
      step, startUs: t, endUs: t + dur, scheduled,
      cudagraphMode: step % 9 === 4 ? undefined : modes[rng.int(3)]!,
      numPaddedTokens: 8 * (1 + rng.int(64)),
      hostUs: 100 + rng.int(900), gpuUs: dur - 50,
      numRunning: n, numWaiting: rng.int(50), numPreempted: rng.int(2), numFinished: rng.int(3),
      kvUsage: step % 6 === 2 ? undefined : rng.next(),
    });
    t += dur;
  }
  return steps;
}

export function sampleRequests(): RequestSource[] {
  return [
    { requestId: 'req-0', arrivalUs: 0, status: 'FINISHED_STOPPED', numPromptTokens: 1024, numOutputTokens: 128, numComputedTokens: 1151, maxTokens: 128, firstTokenUs: 61_250, finishUs: 1_250_000, finishReason: 'stop' },
    { requestId: 'req-1', arrivalUs: 10_000, status: 'RUNNING', numPromptTokens: 7, numOutputTokens: 3, numComputedTokens: 9, priority: -2, firstTokenUs: 70_000, finishUs: null, finishReason: null },
    { requestId: 'req-2', arrivalUs: 20_000, status: 'WAITING', numPromptTokens: 4096, numOutputTokens: 0, numComputedTokens: 0, maxTokens: 4000000000, numPreemptions: 2 },
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
