/**
 * Fixtures built the way vLLM's scheduler tests build theirs (`tests/v1/core/utils.py`):
 * `createScheduler` takes vLLM's keyword defaults (16 seqs, 8192 batched tokens, 10,000 blocks of
 * 16, `max_model_len` = the batched-token budget) and builds a `Scheduler`/`AsyncScheduler`
 * directly, skipping the start-up KV memory check as vLLM's tests do (any block count, any
 * `max_model_len`); `createRequests` makes requests of `[i] × numTokens` (or `[0] × …`); hand-made
 * runner and scheduler outputs feed `updateFromOutput` as vLLM's tests feed `ModelRunnerOutput`.
 */
import { EngineError } from '../base/errors';
import type { AttentionSpec, EngineConfig, PartialEngineConfig, SchedulingPolicy, SpecMethod } from '../config/engine-config';
import { resolveConfig } from '../config/validate';
import { Request } from '../request/request';
import type { ModelRunnerOutput } from '../contracts/model-runner-output';
import { AsyncScheduler } from '../sched/async-scheduler';
import { Scheduler } from '../sched/scheduler';
import type { ScheduledRequest, SchedulerOutput } from '../contracts/scheduler-output';

/** vLLM tests' EOS id (GPT-2's `<|endoftext|>`). */
export const EOS_TOKEN_ID = 50256;

export interface CreateSchedulerOptions {
  readonly maxNumSeqs?: number;
  readonly maxNumBatchedTokens?: number;
  readonly enablePrefixCaching?: boolean;
  readonly longPrefillTokenThreshold?: number;
  readonly numBlocks?: number;
  readonly blockSize?: number;
  /** Defaults to `maxNumBatchedTokens`, like vLLM's fixture; never checked against the pool. */
  readonly maxModelLen?: number;
  /** vLLM's fixture speculates with ngram; `specMethod` picks another proposer. */
  readonly numSpeculativeTokens?: number;
  readonly specMethod?: SpecMethod;
  readonly asyncScheduling?: boolean;
  readonly enableChunkedPrefill?: boolean;
  readonly policy?: SchedulingPolicy;
  readonly attention?: AttentionSpec;
  /** Any other engine knob. */
  readonly config?: PartialEngineConfig;
}

/** The config `createScheduler` uses (validated, except the KV-fit start-up check). */
export function schedulerConfig(o: CreateSchedulerOptions = {}): EngineConfig {
  const maxNumBatchedTokens = o.maxNumBatchedTokens ?? 8192;
  const k = o.numSpeculativeTokens;
  return resolveConfig({
    maxNumSeqs: o.maxNumSeqs ?? 16,
    maxNumBatchedTokens,
    maxModelLen: o.maxModelLen ?? maxNumBatchedTokens,
    enablePrefixCaching: o.enablePrefixCaching ?? true,
    longPrefillTokenThreshold: o.longPrefillTokenThreshold ?? 0,
    numGpuBlocks: o.numBlocks ?? 10000,
    blockSize: o.blockSize ?? 16,
    asyncScheduling: o.asyncScheduling ?? false,
    enableChunkedPrefill: o.enableChunkedPrefill ?? true,
    policy: o.policy ?? 'fcfs',
    attention: o.attention ?? { kind: 'full' },
    speculative: k === undefined ? null : { method: o.specMethod ?? (o.asyncScheduling ? 'mtp' : 'ngram'), numSpeculativeTokens: k },
    synthetic: { vocabSize: 65536, eosTokenId: EOS_TOKEN_ID, acceptanceRates: [0.7] },
    ...o.config,
  }, { checkKvCacheFit: false });
}

export function createScheduler(o: CreateSchedulerOptions = {}): Scheduler {
  const config = schedulerConfig(o);
  return config.asyncScheduling ? new AsyncScheduler(config) : new Scheduler(config);
}

export interface CreateRequestsOptions {
  readonly numRequests: number;
  readonly numTokens?: number;
  readonly maxTokens?: number;
  readonly minTokens?: number;
  readonly stopTokenIds?: readonly number[];
  readonly promptLogprobs?: number | null;
  readonly samePrompt?: boolean;
  readonly ignoreEos?: boolean;
  readonly reqIds?: readonly string[];
  readonly startingIdx?: number;
  readonly priorities?: readonly number[];
  readonly arrivalTimes?: readonly number[];
  readonly cacheSalt?: string | null;
}

let seqCounter = 0;

/** vLLM `create_requests`: request `i` has id `"{i}"` and prompt `[i] × numTokens`. */
export function createRequests(o: CreateRequestsOptions): Request[] {
  const start = o.startingIdx ?? 0;
  const out: Request[] = [];
  for (let i = 0; i < o.numRequests; i++) {
    const tok = o.samePrompt ? start : i + start;
    out.push(new Request({
      requestId: o.reqIds?.[i] ?? `${i + start}`,
      seq: seqCounter++,
      promptTokenIds: new Array<number>(o.numTokens ?? 10).fill(tok),
      sampling: {
        maxTokens: o.maxTokens ?? 16, minTokens: o.minTokens ?? 0, ignoreEos: o.ignoreEos ?? false,
        stopTokenIds: o.stopTokenIds ?? [], promptLogprobs: o.promptLogprobs ?? null,
      },
      arrivalTime: o.arrivalTimes?.[i] ?? i,
      priority: o.priorities?.[i] ?? 0,
      eosTokenId: EOS_TOKEN_ID,
      cacheSalt: o.cacheSalt ?? null,
    }));
  }
  return out;
}

/**
 * A hand-made `ModelRunnerOutput` for `so`: `sampled` per request id (missing = no token), or
 * one list per scheduled row. Request ids may be listed in any order or include extra ids.
 */
export function runnerOutput(so: SchedulerOutput, sampled: Readonly<Record<string, readonly number[]>> | readonly (readonly number[])[], draftTokenIds: readonly (readonly number[])[] | null = null): ModelRunnerOutput {
  if (Array.isArray(sampled)) {
    const rows = sampled as readonly (readonly number[])[];
    if (rows.length !== so.scheduled.length) throw new EngineError(`${rows.length} sampled rows for ${so.scheduled.length} scheduled requests`, 'sampled');
    return { batchId: so.batchId, reqIds: so.scheduled.map((r) => r.reqId), sampledTokenIds: rows, draftTokenIds };
  }
  const byId = sampled as Readonly<Record<string, readonly number[]>>;
  const reqIds = Object.keys(byId);
  return { batchId: so.batchId, reqIds, sampledTokenIds: reqIds.map((id) => byId[id]!), draftTokenIds };
}

/** vLLM tests' `_make_model_runner_output`: row i samples token `i` (one token each). */
export function oneTokenEach(so: SchedulerOutput): ModelRunnerOutput {
  return runnerOutput(so, so.scheduled.map((_, i) => [i]));
}

/**
 * A hand-made `SchedulerOutput` for requests already in `sched` (vLLM tests build one to drive
 * `update_from_output` directly): `numScheduledTokens` and the drafts verified, by id.
 */
export function handMadeSchedulerOutput(
  sched: Scheduler, numScheduledTokens: Readonly<Record<string, number>>, scheduledSpecDecodeTokens: Readonly<Record<string, readonly number[]>> = {},
): SchedulerOutput {
  const scheduled: ScheduledRequest[] = Object.entries(numScheduledTokens).map(([id, n]) => {
    const r = sched.requests.get(id);
    if (r === undefined) throw new EngineError(`unknown request ${JSON.stringify(id)}`, 'numScheduledTokens');
    return {
      reqId: id, kind: 'running', numScheduledTokens: n, numComputedTokens: r.numComputedTokens, numPromptTokens: r.numPromptTokens,
      numTokens: r.numTokens, numSpecTokens: scheduledSpecDecodeTokens[id]?.length ?? 0, newBlockIds: [], numCachedTokens: 0, isPrefillChunk: false,
    };
  });
  const spec: Record<string, readonly number[]> = {};
  for (const [id, t] of Object.entries(scheduledSpecDecodeTokens)) if (t.length > 0) spec[id] = t.slice();
  return {
    batchId: sched.batchIdCounter++, scheduled, totalNumScheduledTokens: scheduled.reduce((a, r) => a + r.numScheduledTokens, 0),
    newRequestTokenIds: {}, scheduledSpecDecodeTokens: spec, preemptedReqIds: [], finishedReqIds: [], numCommonPrefixBlocks: 0,
  };
}

/** Puts `reqs` straight into `running` with every token computed (vLLM tests' set-up for `update_from_output`). */
export function setRunning(sched: Scheduler, reqs: readonly Request[]): void {
  for (const r of reqs) {
    r.numComputedTokens = r.numTokens;
    r.status = 'RUNNING';
    sched.requests.set(r.requestId, r);
    sched.running.push(r);
  }
}
