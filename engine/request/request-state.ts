/**
 * Exact, JSON-safe serialisation of a `Request` for engine snapshots (every mutable field, so a
 * restored engine continues byte for byte).
 */
import { Request, type SamplingParams } from './request';
import type { RequestStatus } from './status';

export interface RequestState {
  readonly requestId: string;
  readonly seq: number;
  readonly arrivalTime: number;
  readonly priority: number;
  readonly sampling: SamplingParams;
  readonly cacheSalt: string | null;
  readonly eosTokenId: number | null;
  readonly numPromptTokens: number;
  readonly allTokenIds: number[];
  readonly numComputedTokens: number;
  readonly numOutputPlaceholders: number;
  readonly specTokenIds: number[];
  readonly numSpecPlaceholders: number;
  /** Absent in snapshots written before forced resets discarded frames (= 0). */
  readonly asyncTokensToDiscard?: number;
  readonly status: RequestStatus;
  readonly stopReason: number | null;
  readonly numPreemptions: number;
  readonly isPrefillChunk: boolean;
  readonly numCachedTokens: number | null;
  readonly blockHashes: number[];
  readonly firstScheduledTime: number | null;
  readonly firstTokenTime: number | null;
  readonly finishedTime: number | null;
}

export function requestToState(r: Request): RequestState {
  return {
    requestId: r.requestId,
    seq: r.seq,
    arrivalTime: r.arrivalTime,
    priority: r.priority,
    sampling: { ...r.sampling, stopTokenIds: r.sampling.stopTokenIds.slice() },
    cacheSalt: r.cacheSalt,
    eosTokenId: r.eosTokenId,
    numPromptTokens: r.numPromptTokens,
    allTokenIds: r.allTokenIds.slice(),
    numComputedTokens: r.numComputedTokens,
    numOutputPlaceholders: r.numOutputPlaceholders,
    specTokenIds: r.specTokenIds.slice(),
    numSpecPlaceholders: r.numSpecPlaceholders,
    asyncTokensToDiscard: r.asyncTokensToDiscard,
    status: r.status,
    stopReason: r.stopReason,
    numPreemptions: r.numPreemptions,
    isPrefillChunk: r.isPrefillChunk,
    numCachedTokens: r.numCachedTokens,
    blockHashes: r.blockHashes.slice(),
    firstScheduledTime: r.firstScheduledTime,
    firstTokenTime: r.firstTokenTime,
    finishedTime: r.finishedTime,
  };
}

export function requestFromState(s: RequestState): Request {
  const r = new Request({
    requestId: s.requestId,
    seq: s.seq,
    promptTokenIds: s.allTokenIds.slice(0, s.numPromptTokens),
    sampling: s.sampling,
    arrivalTime: s.arrivalTime,
    priority: s.priority,
    eosTokenId: s.eosTokenId,
    cacheSalt: s.cacheSalt,
  });
  for (let i = s.numPromptTokens; i < s.allTokenIds.length; i++) r.allTokenIds.push(s.allTokenIds[i]!);
  r.numComputedTokens = s.numComputedTokens;
  r.numOutputPlaceholders = s.numOutputPlaceholders;
  r.specTokenIds = s.specTokenIds.slice();
  r.numSpecPlaceholders = s.numSpecPlaceholders;
  r.asyncTokensToDiscard = s.asyncTokensToDiscard ?? 0;
  r.status = s.status;
  r.stopReason = s.stopReason;
  r.numPreemptions = s.numPreemptions;
  r.isPrefillChunk = s.isPrefillChunk;
  r.numCachedTokens = s.numCachedTokens;
  for (const h of s.blockHashes) r.blockHashes.push(h);
  r.firstScheduledTime = s.firstScheduledTime;
  r.firstTokenTime = s.firstTokenTime;
  r.finishedTime = s.finishedTime;
  return r;
}
