/**
 * Reads a `--save-result` JSON: from `vllm bench serve` (`vllm/benchmarks/serve.py`: it has
 * `endpoint_type`), from the old `benchmarks/benchmark_serving.py` and its harness fork (no
 * `endpoint_type`), or from enginelab (an `enginelab` key). Keys follow vLLM's source
 * (engine-semantics.md §12.5): `duration`, `completed`, `total_input_tokens`, `total_output_tokens`,
 * `request_throughput`, `output_throughput`, `total_token_throughput`, `mean|median|std|pXX_<m>_ms`,
 * and with `--save-detailed` the per-request `input_lens`, `output_lens`, `ttfts`, `itls`
 * (seconds), `start_times` (newer vllm bench serve only). A malformed file is an error naming the
 * field. A file written with `--append-result` holds one JSON object per line; each line is a run.
 */
import { EngineError } from '../base/errors';
import type { WorkloadRequest } from './datasets';

export type ResultFormat = 'vllm bench serve' | 'benchmark_serving.py' | 'enginelab';

export interface PerRequest {
  readonly inputLens: readonly number[];
  readonly outputLens: readonly number[];
  /** Seconds. */
  readonly ttfts: readonly number[];
  readonly itls: readonly (readonly number[])[];
  /** Seconds on the client's clock, when the file has them. */
  readonly startTimes: readonly number[] | null;
}

export interface MeasuredResult {
  readonly format: ResultFormat;
  readonly modelId: string;
  readonly numPrompts: number;
  readonly maxConcurrency: number | null;
  readonly requestRate: number;
  readonly duration: number;
  readonly completed: number;
  readonly totalInputTokens: number;
  readonly totalOutputTokens: number;
  readonly requestThroughput: number;
  readonly outputThroughput: number;
  readonly totalTokenThroughput: number;
  /** `mean_ttft_ms` etc.: every latency statistic the file has, by its key. */
  readonly latencyMs: Readonly<Record<string, number>>;
  readonly perRequest: PerRequest | null;
}

type Obj = Record<string, unknown>;

function bad(field: string, message: string): never {
  throw new EngineError(`result file: "${field}" ${message}`, field);
}

function num(j: Obj, field: string, opts: { int?: boolean; nullable?: boolean } = {}): number {
  const v = j[field];
  if (v === undefined) bad(field, 'is missing');
  if (v === null && opts.nullable) return NaN;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(field, `must be a non-negative number, got ${JSON.stringify(v)}`);
  if (opts.int && !Number.isInteger(v)) bad(field, `must be an integer, got ${v}`);
  return v;
}

function numList(j: Obj, field: string, n: number): number[] {
  const v = j[field];
  if (!Array.isArray(v)) bad(field, `must be a list, got ${JSON.stringify(v)?.slice(0, 40)}`);
  if (v.length !== n) bad(field, `has ${v.length} entries; input_lens has ${n}`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) bad(`${field}[${i}]`, `must be a number, got ${JSON.stringify(x)}`);
  });
  return v as number[];
}

function perRequest(j: Obj): PerRequest | null {
  if (j.input_lens === undefined && j.ttfts === undefined) return null;
  if (!Array.isArray(j.input_lens)) bad('input_lens', 'must be a list (the file has ttfts, so it was written with --save-detailed)');
  const n = j.input_lens.length;
  const itls = j.itls;
  if (!Array.isArray(itls) || itls.length !== n) bad('itls', `must be a list of ${n} lists`);
  itls.forEach((l, i) => {
    if (!Array.isArray(l) || l.some((x) => typeof x !== 'number' || !Number.isFinite(x))) bad(`itls[${i}]`, 'must be a list of numbers (seconds)');
  });
  return {
    inputLens: numList(j, 'input_lens', n), outputLens: numList(j, 'output_lens', n), ttfts: numList(j, 'ttfts', n),
    itls: itls as number[][], startTimes: j.start_times === undefined ? null : numList(j, 'start_times', n),
  };
}

/** One run's JSON object → validated `MeasuredResult`. */
export function measuredResult(j: unknown): MeasuredResult {
  if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new EngineError('result file: expected a JSON object (one benchmark run)', 'result');
  const o = j as Obj;
  const format: ResultFormat = 'enginelab' in o ? 'enginelab' : 'endpoint_type' in o ? 'vllm bench serve' : 'benchmark_serving.py';
  if (typeof o.model_id !== 'string') bad('model_id', `must be a string, got ${JSON.stringify(o.model_id)}`);
  const rate = o.request_rate;
  if (rate !== 'inf' && !(typeof rate === 'number' && rate > 0)) bad('request_rate', `must be a positive number or "inf", got ${JSON.stringify(rate)}`);
  const mc = o.max_concurrency;
  if (mc !== null && mc !== undefined && !(typeof mc === 'number' && Number.isInteger(mc) && mc > 0)) bad('max_concurrency', `must be null or an integer ≥ 1, got ${JSON.stringify(mc)}`);
  const latencyMs: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (!/^(mean|median|std|p\d+(\.\d+)?)_(ttft|tpot|itl|e2el)_ms$/.test(k)) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(k, `must be a number, got ${JSON.stringify(v)}`);
    latencyMs[k] = v;
  }
  return {
    format, modelId: o.model_id, numPrompts: num(o, 'num_prompts', { int: true }), maxConcurrency: (mc as number | null | undefined) ?? null,
    requestRate: rate === 'inf' ? Infinity : (rate as number), duration: num(o, 'duration'), completed: num(o, 'completed', { int: true }),
    totalInputTokens: num(o, 'total_input_tokens', { int: true }), totalOutputTokens: num(o, 'total_output_tokens', { int: true }),
    requestThroughput: num(o, 'request_throughput'), outputThroughput: num(o, 'output_throughput'),
    totalTokenThroughput: num(o, 'total_token_throughput'), latencyMs, perRequest: perRequest(o),
  };
}

/** Every run of a result file's text (one object, or one per line with `--append-result`). */
export function readBenchResults(text: string): MeasuredResult[] {
  if (typeof text !== 'string' || text.trim() === '') throw new EngineError('result file: empty', 'result');
  const chunks = text.trim().startsWith('{') && !text.trim().includes('}\n{') ? [text] : text.split('\n').filter((l) => l.trim() !== '');
  return chunks.map((c, i) => {
    let j: unknown;
    try {
      j = JSON.parse(c);
    } catch (e) {
      throw new EngineError(`result file${chunks.length > 1 ? ` line ${i + 1}` : ''}: not valid JSON (${(e as Error).message})`, 'result');
    }
    return measuredResult(j);
  });
}

/** The one run of a result file (the last, for an appended file). */
export function readBenchResult(text: string): MeasuredResult {
  const runs = readBenchResults(text);
  return runs[runs.length - 1]!;
}

/** A measured run's workload for a like-for-like replay: its per-request lengths and start times. */
export function workloadFromMeasured(m: MeasuredResult): WorkloadRequest[] {
  const p = m.perRequest;
  if (p === null) throw new EngineError('result file: no per-request fields (input_lens, output_lens): it was written without --save-detailed', 'input_lens');
  return p.inputLens.map((inputLen, i) => ({
    promptLen: inputLen, outputLen: Math.max(1, p.outputLens[i]!), lengthSource: 'file' as const,
    ...(p.startTimes !== null ? { arrivalTime: p.startTimes[i]! } : {}),
  }));
}
