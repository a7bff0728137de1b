/**
 * The requests a simulated client sends and when: sampled from the client line's dataset (random
 * with that program's range rule, ShareGPT or custom from the file text the caller passes), or a
 * given per-request workload (request rows, or a measured result file's lengths and start times for
 * a like-for-like replay). `lengthSource` says where the lengths came from, for the facts block.
 */
import { EngineError } from '../base/errors';
import type { ModelPreset } from '../presets/model-presets';
import type { BenchServeConfig } from './bench-flags';
import { readCustomJsonl, readShareGpt, type WorkloadRequest, CHARS_PER_TOKEN_ESTIMATE } from './datasets';
import { sampleRandomRequests } from './random-dataset';
import { requestReleaseTimes } from './traffic';

export interface Workload {
  readonly requests: readonly WorkloadRequest[];
  /** Release time of each request, seconds from the start. */
  readonly release: readonly number[];
  readonly lengthSource: string;
}

function sampled(bench: BenchServeConfig, model: ModelPreset, datasetText: string | undefined): { requests: WorkloadRequest[]; source: string } {
  if (bench.datasetName === 'random') {
    const lower = bench.dialect === 'benchmark_serving';
    const reqs = sampleRandomRequests({
      numPrompts: bench.numPrompts, inputLen: bench.randomInputLen, outputLen: bench.randomOutputLen, rangeRatio: bench.randomRangeRatio,
      rangeRule: lower ? 'lower-bound' : 'symmetric', prefixLen: bench.randomPrefixLen, seed: bench.seed, vocabSize: model.vocabSize,
    });
    const extra = bench.useChatTemplate ? (model.chatTemplateTokens ?? 0) : 0;
    const rule = lower ? `benchmark_serving.py rule [int(L·${bench.randomRangeRatio}), L]` : `vllm bench serve rule [L(1−${bench.randomRangeRatio}), L(1+${bench.randomRangeRatio})]`;
    const tmpl = bench.useChatTemplate ? `; --use-chat-template adds ${extra} tokens per prompt (${model.name} template, estimate without a tokenizer)` : '';
    return {
      requests: reqs.map((r) => ({ promptLen: r.promptLen + extra, outputLen: r.expectedOutputLen, lengthSource: 'random' as const })),
      source: `random, ${rule}${tmpl}`,
    };
  }
  if (datasetText === undefined) {
    throw new EngineError(`--dataset-path ${bench.datasetPath ?? ''}: the engine reads no files; pass the file's text as datasetText (enginelab simulate reads it)`, 'datasetText');
  }
  const estimate = `estimated as ceil(characters / ${CHARS_PER_TOKEN_ESTIMATE}) without a tokenizer`;
  if (bench.datasetName === 'sharegpt') {
    const requests = readShareGpt(datasetText, { numPrompts: bench.numPrompts, outputLen: bench.datasetOutputLen, seed: bench.seed });
    return { requests, source: `sharegpt ${bench.datasetPath ?? ''}: prompt lengths ${estimate}; output lengths ${bench.datasetOutputLen !== null ? `--sharegpt-output-len ${bench.datasetOutputLen}` : estimate}` };
  }
  const requests = readCustomJsonl(datasetText, { numPrompts: bench.numPrompts, outputLen: bench.datasetOutputLen });
  return { requests, source: `custom ${bench.datasetPath ?? ''}: prompt lengths ${estimate}; output length ${bench.datasetOutputLen ?? 256} (--custom-output-len)` };
}

export function buildWorkload(bench: BenchServeConfig, model: ModelPreset, o: { datasetText?: string; workload?: readonly WorkloadRequest[]; workloadSource?: string }): Workload {
  let requests: readonly WorkloadRequest[];
  let source: string;
  if (o.workload !== undefined) {
    if (!Array.isArray(o.workload) || o.workload.length === 0) throw new EngineError('workload: expected a non-empty list of { promptLen, outputLen[, arrivalTime] }', 'workload');
    requests = o.workload;
    source = o.workloadSource ?? `a given workload of ${requests.length} requests (lengths from the file)`;
  } else ({ requests, source } = sampled(bench, model, o.datasetText));
  const timed = requests.every((r) => r.arrivalTime !== undefined);
  let release: readonly number[];
  if (timed) {
    const t0 = Math.min(...requests.map((r) => r.arrivalTime!));
    release = requests.map((r) => r.arrivalTime! - t0);
    source += '; arrival times from the file';
  } else {
    release = requestReleaseTimes({ numRequests: requests.length, requestRate: bench.requestRate, burstiness: bench.burstiness, seed: bench.seed });
  }
  return { requests, release, lengthSource: source };
}
