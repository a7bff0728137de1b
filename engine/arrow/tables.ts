/**
 * The documented enginelab Arrow tables: step trace, step summary, requests, block tables,
 * KV blocks and bench results. Each is a `TableSpec` (schema and docs in one place; see
 * `describeSchema`) plus a converter. Names that repeat are dictionary-encoded; simulated times
 * are `duration[us]` since engine (or benchmark) start, their names ending in `_us`, so readers
 * show elapsed microseconds, not 1970 dates; counts are unsigned 32-bit.
 */
import type { Table } from 'apache-arrow';
import { EngineError } from '../base/errors';
import { buildTable, type TableSpec } from './columns';
import type { BenchResultSource, BlockTableSource, KvBlockSource, RequestSource, ScheduledRequestSource, StepSource } from './sources';

interface TraceRow { readonly s: StepSource; readonly r: ScheduledRequestSource }

/** One row per (step, scheduled request): the step trace. */
export const STEP_TRACE_SPEC: TableSpec<TraceRow> = {
  name: 'step_trace',
  doc: 'one row per request scheduled in a step, in scheduling order (running first, then new/resumed)',
  columns: [
    { name: 'step', kind: 'u32', doc: 'engine step index, from 0', get: (x) => x.s.step },
    { name: 'time_us', kind: 'duration_us', doc: 'simulated clock after the step (µs since engine start)', get: (x) => x.s.timeUs },
    { name: 'batch_id', kind: 'u32', doc: 'batch launched by the step', get: (x) => x.s.schedule!.batchId },
    { name: 'request_id', kind: 'dict', doc: 'vLLM request id', get: (x) => x.r.reqId },
    { name: 'kind', kind: 'dict', doc: 'new, resumed or running (vLLM scheduled_new_reqs / cached reqs)', get: (x) => x.r.kind },
    { name: 'num_scheduled_tokens', kind: 'u32', doc: 'tokens scheduled for the request, drafts included', get: (x) => x.r.numScheduledTokens },
    { name: 'num_computed_tokens', kind: 'u32', doc: 'num_computed_tokens before the step', get: (x) => x.r.numComputedTokens },
    { name: 'num_spec_tokens', kind: 'u32', doc: 'draft tokens verified in the step', get: (x) => x.r.numSpecTokens },
    { name: 'num_cached_tokens', kind: 'u32', doc: 'prefix-cache hit tokens used at admission', get: (x) => x.r.numCachedTokens },
    { name: 'is_prefill_chunk', kind: 'bool', doc: 'true when the chunk leaves the request short of its tokens', get: (x) => x.r.isPrefillChunk },
    { name: 'num_new_blocks', kind: 'u32', doc: 'KV blocks allocated to the request in the step', get: (x) => x.r.newBlockIds.length },
  ],
};

/** One row per step: the timeline. */
export const STEP_SUMMARY_SPEC: TableSpec<StepSource> = {
  name: 'steps',
  doc: 'one row per engine step',
  columns: [
    { name: 'step', kind: 'u32', doc: 'engine step index, from 0', get: (s) => s.step },
    { name: 'time_us', kind: 'duration_us', doc: 'simulated clock after the step (µs since engine start)', get: (s) => s.timeUs },
    { name: 'step_time_us', kind: 'duration_us', nullable: true, doc: 'modelled GPU time of the launched batch; null when none', get: (s) => s.schedule?.stepTimeUs },
    { name: 'batch_id', kind: 'u32', nullable: true, doc: 'batch launched by the step; null when nothing was schedulable', get: (s) => s.schedule?.batchId },
    { name: 'processed_batch_id', kind: 'u32', nullable: true, doc: 'batch whose output the step processed (async: the previous one)', get: (s) => s.processed?.batchId },
    { name: 'num_reqs', kind: 'u32', doc: 'requests scheduled in the step', get: (s) => s.schedule?.requests.length ?? 0 },
    { name: 'num_scheduled_tokens', kind: 'u32', doc: 'total_num_scheduled_tokens', get: (s) => s.schedule?.totalNumScheduledTokens ?? 0 },
    { name: 'num_prefill_reqs', kind: 'u32', doc: 'scheduled requests in a prefill chunk or admitted this step', get: (s) => countPrefill(s) },
    { name: 'num_spec_tokens', kind: 'u32', doc: 'draft tokens verified in the step', get: (s) => sumOf(s.schedule?.requests ?? [], (r) => r.numSpecTokens) },
    { name: 'num_accepted_tokens', kind: 'u32', doc: 'drafts accepted in the processed batch', get: (s) => sumOf(s.processed?.outputs ?? [], (o) => o.numAcceptedTokens) },
    { name: 'num_output_tokens', kind: 'u32', doc: 'tokens appended to requests by the processed batch', get: (s) => sumOf(s.processed?.outputs ?? [], (o) => o.newTokenIds.length) },
    { name: 'num_arrived', kind: 'u32', doc: 'requests that arrived in the step', get: (s) => s.arrivedReqIds.length },
    { name: 'num_preempted', kind: 'u32', doc: 'requests preempted in the step', get: (s) => s.preemptedReqIds.length },
    { name: 'num_finished', kind: 'u32', doc: 'requests finished in the step', get: (s) => s.finishedReqIds.length },
    { name: 'num_new_blocks', kind: 'u32', doc: 'blocks popped from the free queue', get: (s) => s.newBlockIds.length },
    { name: 'num_freed_blocks', kind: 'u32', doc: 'blocks whose refcount dropped to 0', get: (s) => s.freedBlockIds.length },
    { name: 'num_waiting', kind: 'u32', doc: 'waiting queue length after the step', get: (s) => s.numWaiting },
    { name: 'num_running', kind: 'u32', doc: 'running queue length after the step', get: (s) => s.numRunning },
    { name: 'num_in_flight_batches', kind: 'u32', doc: 'batches launched but not yet processed', get: (s) => s.numInFlightBatches },
    { name: 'num_free_blocks', kind: 'u32', doc: 'free KV blocks after the step', get: (s) => s.numFreeBlocks },
    { name: 'kv_usage', kind: 'f64', doc: '1 − free/usable KV blocks after the step', get: (s) => s.kvUsage },
    { name: 'prefix_cache_queries', kind: 'u32', doc: 'prefix-cache lookups (tokens) in the step', get: (s) => s.prefixCacheQueries },
    { name: 'prefix_cache_hits', kind: 'u32', doc: 'prefix-cache hits (tokens) in the step', get: (s) => s.prefixCacheHits },
  ],
};

export const REQUESTS_SPEC: TableSpec<RequestSource> = {
  name: 'requests',
  doc: 'one row per request at snapshot time',
  columns: [
    { name: 'request_id', kind: 'dict', doc: 'vLLM request id', get: (r) => r.requestId },
    { name: 'status', kind: 'dict', doc: 'RequestStatus name (WAITING, RUNNING, PREEMPTED, FINISHED_*)', get: (r) => r.status },
    { name: 'arrival_us', kind: 'duration_us', doc: 'simulated arrival time', get: (r) => r.arrivalTime },
    { name: 'first_scheduled_us', kind: 'duration_us', nullable: true, doc: 'simulated time the request was first scheduled', get: (r) => r.firstScheduledTime },
    { name: 'first_token_us', kind: 'duration_us', nullable: true, doc: 'simulated time of the first output token', get: (r) => r.firstTokenTime },
    { name: 'finish_us', kind: 'duration_us', nullable: true, doc: 'simulated finish time', get: (r) => r.finishedTime },
    { name: 'num_prompt_tokens', kind: 'u32', doc: 'prompt length', get: (r) => r.numPromptTokens },
    { name: 'num_output_tokens', kind: 'u32', doc: 'confirmed output tokens', get: (r) => r.numOutputTokens },
    { name: 'num_computed_tokens', kind: 'u32', doc: 'tokens with KV in cache (or scheduled to have)', get: (r) => r.numComputedTokens },
    { name: 'max_tokens', kind: 'u32', nullable: true, doc: 'sampling max_tokens', get: (r) => r.maxTokens },
    { name: 'priority', kind: 'i32', doc: 'priority (lower = more urgent)', get: (r) => r.priority ?? 0 },
    { name: 'num_preemptions', kind: 'u32', doc: 'times the request was preempted', get: (r) => r.numPreemptions ?? 0 },
    { name: 'num_cached_tokens', kind: 'u32', nullable: true, doc: 'prefix-cache hit tokens at admission; null before admission', get: (r) => r.numCachedTokens },
    { name: 'finish_reason', kind: 'dict', nullable: true, doc: 'stop, length, abort, error or repetition', get: (r) => r.finishReason },
  ],
};

interface BlockRow { readonly requestId: string; readonly index: number; readonly blockId: number }

export const BLOCK_TABLE_SPEC: TableSpec<BlockRow> = {
  name: 'block_table',
  doc: 'one row per (request, logical block): logical block index → physical block id',
  columns: [
    { name: 'request_id', kind: 'dict', doc: 'vLLM request id', get: (b) => b.requestId },
    { name: 'block_index', kind: 'u32', doc: 'logical block index within the request', get: (b) => b.index },
    { name: 'block_id', kind: 'u32', doc: 'physical KV block id', get: (b) => b.blockId },
  ],
};

export const KV_BLOCKS_SPEC: TableSpec<KvBlockSource> = {
  name: 'kv_blocks',
  doc: 'one row per physical KV block',
  columns: [
    { name: 'block_id', kind: 'u32', doc: 'physical KV block id', get: (b) => b.blockId },
    { name: 'ref_count', kind: 'u32', doc: 'requests referencing the block', get: (b) => b.refCount },
    { name: 'owner', kind: 'dict', nullable: true, doc: 'first owning request id (null when free)', get: (b) => b.owners[0] },
    { name: 'num_owners', kind: 'u32', doc: 'number of owning requests (>1: shared prefix)', get: (b) => b.owners.length },
    { name: 'cached', kind: 'bool', doc: 'full block registered in the prefix cache', get: (b) => b.cached },
  ],
};

interface BenchRow { readonly i: number; readonly src: BenchResultSource }

export const BENCH_REQUESTS_SPEC: TableSpec<BenchRow> = {
  name: 'bench_requests',
  doc: 'one row per benchmark request, from a vllm bench serve result',
  columns: [
    { name: 'index', kind: 'u32', doc: 'request index in the dataset', get: (x) => x.i },
    { name: 'start_us', kind: 'duration_us', nullable: true, doc: 'send time (µs since benchmark start)', get: (x) => (x.src.start_times ? x.src.start_times[x.i]! * 1e6 : null) },
    { name: 'input_len', kind: 'u32', doc: 'prompt tokens', get: (x) => x.src.input_lens[x.i] },
    { name: 'output_len', kind: 'u32', doc: 'generated tokens', get: (x) => x.src.output_lens[x.i] },
    { name: 'ttft_ms', kind: 'f64', doc: 'time to first token (ms)', get: (x) => x.src.ttfts[x.i]! * 1e3 },
    { name: 'tpot_ms', kind: 'f64', nullable: true, doc: 'mean time per output token after the first (ms); null when output_len <= 1', get: (x) => tpotMs(x.src, x.i) },
    { name: 'e2el_ms', kind: 'f64', doc: 'end-to-end latency (ms): ttft + sum(itls)', get: (x) => (x.src.ttfts[x.i]! + sum(x.src.itls[x.i] ?? [])) * 1e3 },
    { name: 'error', kind: 'utf8', nullable: true, doc: 'error text, null when the request succeeded', get: (x) => x.src.errors?.[x.i] || null },
  ],
};

function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}

function sumOf<T>(xs: readonly T[], f: (x: T) => number): number {
  let t = 0;
  for (const x of xs) t += f(x);
  return t;
}

function countPrefill(s: StepSource): number {
  let n = 0;
  for (const r of s.schedule?.requests ?? []) if (r.isPrefillChunk || r.kind !== 'running') n++;
  return n;
}

function tpotMs(src: BenchResultSource, i: number): number | null {
  const out = src.output_lens[i]!;
  if (out <= 1) return null;
  return (sum(src.itls[i] ?? []) / (out - 1)) * 1e3;
}

function requireArray(v: unknown, name: string): asserts v is readonly unknown[] {
  if (!Array.isArray(v)) throw new EngineError(`${name} must be an array`, name);
}

/**
 * Step trace through the generic column builder: the reference the fast path
 * (`stepTraceTable` in step-trace-fast.ts) is tested against.
 */
export function stepTraceTableReference(steps: readonly StepSource[]): Table {
  requireArray(steps, 'steps');
  const rows: TraceRow[] = [];
  steps.forEach((s, i) => {
    if (!s || typeof s !== 'object' || typeof s.step !== 'number') throw new EngineError(`steps[${i}] is not a StepRecord`, 'steps');
    for (const r of s.schedule?.requests ?? []) rows.push({ s, r });
  });
  return buildTable(STEP_TRACE_SPEC, rows);
}

/** Step timeline: one row per step. */
export function stepSummaryTable(steps: readonly StepSource[]): Table {
  requireArray(steps, 'steps');
  steps.forEach((s, i) => {
    if (!s || typeof s !== 'object' || typeof s.step !== 'number') throw new EngineError(`steps[${i}] is not a StepRecord`, 'steps');
  });
  return buildTable(STEP_SUMMARY_SPEC, steps);
}

export function requestTable(requests: readonly RequestSource[]): Table {
  requireArray(requests, 'requests');
  return buildTable(REQUESTS_SPEC, requests);
}

export function blockTableTable(tables: readonly BlockTableSource[]): Table {
  requireArray(tables, 'tables');
  const rows: BlockRow[] = [];
  for (const t of tables) t.blockIds.forEach((blockId, index) => rows.push({ requestId: t.requestId, index, blockId }));
  return buildTable(BLOCK_TABLE_SPEC, rows);
}

export function kvBlocksTable(blocks: readonly KvBlockSource[]): Table {
  requireArray(blocks, 'blocks');
  return buildTable(KV_BLOCKS_SPEC, blocks);
}

/** Per-request timings as engine/serve-sim's `BenchServeResult.outputs` holds them (seconds). */
interface RequestTimingLike {
  readonly promptLen: number;
  readonly outputTokens: number;
  readonly startTime: number;
  readonly ttft: number;
  readonly itl: readonly number[];
  readonly success: boolean;
  readonly error?: string;
}

/** `BenchServeResult` (with `outputs`) → the saved-JSON arrays the table reads. */
function fromOutputs(outputs: readonly RequestTimingLike[]): BenchResultSource {
  return {
    input_lens: outputs.map((o) => o.promptLen),
    output_lens: outputs.map((o) => (o.success ? o.outputTokens : 0)),
    ttfts: outputs.map((o) => (o.success ? o.ttft : 0)),
    itls: outputs.map((o) => (o.success ? o.itl : [])),
    start_times: outputs.map((o) => o.startTime),
    errors: outputs.map((o) => (o.success ? '' : o.error || 'failed')),
  };
}

/**
 * Bench results: a `vllm bench serve --save-result` JSON object, or an engine/serve-sim
 * `BenchServeResult` (its `outputs`). One row per request.
 */
export function benchResultTable(input: BenchResultSource | { readonly outputs: readonly RequestTimingLike[] }): Table {
  if (!input || typeof input !== 'object') throw new EngineError('result must be a bench serve result object', 'result');
  const result: BenchResultSource = Array.isArray((input as { outputs?: unknown }).outputs) && !Array.isArray((input as { ttfts?: unknown }).ttfts)
    ? fromOutputs((input as { outputs: readonly RequestTimingLike[] }).outputs)
    : (input as BenchResultSource);
  for (const k of ['input_lens', 'output_lens', 'ttfts', 'itls'] as const) requireArray(result[k], `result.${k}`);
  const n = result.input_lens.length;
  for (const k of ['output_lens', 'ttfts', 'itls'] as const) {
    if (result[k].length !== n) throw new EngineError(`result.${k} has ${result[k].length} entries, input_lens has ${n}`, `result.${k}`);
  }
  const rows: BenchRow[] = [];
  for (let i = 0; i < n; i++) rows.push({ i, src: result });
  return buildTable(BENCH_REQUESTS_SPEC, rows);
}
