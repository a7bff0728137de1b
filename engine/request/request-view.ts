/**
 * `RequestView`: a plain, JSON-serialisable copy of a request's state for notebooks, tests and
 * traces. Views are snapshots: mutating one never touches the engine.
 */
import type { Request } from './request';
import type { RequestStatus, FinishReason } from './status';
import { finishReasonOf, isFinished } from './status';

export interface RequestView {
  readonly requestId: string;
  readonly status: RequestStatus;
  readonly finishReason: FinishReason | null;
  readonly stopReason: number | null;
  readonly arrivalTime: number;
  readonly priority: number;
  readonly numPromptTokens: number;
  readonly numTokens: number;
  readonly numOutputTokens: number;
  readonly numComputedTokens: number;
  readonly numOutputPlaceholders: number;
  /** Drafts awaiting verification (sync: ids; async: count only, ids live on the device). */
  readonly specTokenIds: readonly number[];
  readonly numSpecTokens: number;
  readonly maxTokens: number;
  readonly minTokens: number;
  readonly ignoreEos: boolean;
  readonly numPreemptions: number;
  readonly isPrefillChunk: boolean;
  readonly numCachedTokens: number | null;
  readonly promptTokenIds: readonly number[];
  readonly outputTokenIds: readonly number[];
  readonly firstScheduledTime: number | null;
  readonly firstTokenTime: number | null;
  readonly finishedTime: number | null;
}

export function viewRequest(r: Request): RequestView {
  return {
    requestId: r.requestId,
    status: r.status,
    finishReason: isFinished(r.status) ? finishReasonOf(r.status) : null,
    stopReason: r.stopReason,
    arrivalTime: r.arrivalTime,
    priority: r.priority,
    numPromptTokens: r.numPromptTokens,
    numTokens: r.numTokens,
    numOutputTokens: r.numOutputTokens,
    numComputedTokens: r.numComputedTokens,
    numOutputPlaceholders: r.numOutputPlaceholders,
    specTokenIds: r.specTokenIds.slice(),
    numSpecTokens: r.numSpecTokens,
    maxTokens: r.sampling.maxTokens,
    minTokens: r.sampling.minTokens,
    ignoreEos: r.sampling.ignoreEos,
    numPreemptions: r.numPreemptions,
    isPrefillChunk: r.isPrefillChunk,
    numCachedTokens: r.numCachedTokens,
    promptTokenIds: r.allTokenIds.slice(0, r.numPromptTokens),
    outputTokenIds: r.outputTokenIds(),
    firstScheduledTime: r.firstScheduledTime,
    firstTokenTime: r.firstTokenTime,
    finishedTime: r.finishedTime,
  };
}
