/**
 * `AddRequestOptions`: what a notebook passes to `engine.addRequest`, and its validation into a
 * `Request` (every bad argument is named; vLLM's frontend rules for prompt length and max_tokens).
 */
import { EngineError } from '../base/errors';
import type { EngineConfig } from '../config/engine-config';
import { Request } from '../request/request';
import { requestKey, syntheticPromptToken } from '../runner/synthetic-tokens';

export interface AddRequestOptions {
  /** Defaults to `req-<n>` from a per-engine counter. */
  readonly requestId?: string;
  /** Exactly one of `promptTokenIds` and `promptLen`; `promptLen` makes seeded synthetic ids. */
  readonly promptTokenIds?: readonly number[];
  readonly promptLen?: number;
  /** Defaults to `maxModelLen − promptLen` (vLLM's default when the user gives none). */
  readonly maxTokens?: number;
  readonly minTokens?: number;
  readonly ignoreEos?: boolean;
  readonly stopTokenIds?: readonly number[];
  /** Lower is more urgent (priority policy). */
  readonly priority?: number;
  /** Virtual arrival time in µs; defaults to the engine clock (arrives now). */
  readonly arrivalTime?: number;
  /** Salt mixed into the first block's prefix hash (vLLM `cache_salt`). */
  readonly cacheSalt?: string;
  /** vLLM `prompt_logprobs`: the request recomputes its whole prompt (no prefix-cache reads). */
  readonly promptLogprobs?: number;
}

const KNOWN = new Set(['requestId', 'promptTokenIds', 'promptLen', 'maxTokens', 'minTokens', 'ignoreEos', 'stopTokenIds', 'priority', 'arrivalTime', 'cacheSalt', 'promptLogprobs']);

function int(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new EngineError(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`, name);
  return v;
}

export function buildRequest(o: AddRequestOptions, config: EngineConfig, seq: number, nowUs: number): Request {
  if (o === null || typeof o !== 'object') throw new EngineError('addRequest expects an options object', 'options');
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new EngineError(`unknown addRequest option ${JSON.stringify(k)}`, k);
  const requestId = o.requestId ?? `req-${seq}`;
  if (typeof requestId !== 'string' || requestId.length === 0) throw new EngineError('requestId must be a non-empty string', 'requestId');
  const vocab = config.synthetic.vocabSize;
  let prompt: number[];
  if (o.promptTokenIds !== undefined && o.promptLen !== undefined) {
    throw new EngineError('give either promptTokenIds or promptLen, not both', 'promptTokenIds');
  } else if (o.promptTokenIds !== undefined) {
    if (!Array.isArray(o.promptTokenIds)) throw new EngineError('promptTokenIds must be an array of token ids', 'promptTokenIds');
    prompt = o.promptTokenIds.slice();
    for (const t of prompt) {
      if (!Number.isInteger(t) || t < 0 || t >= vocab) throw new EngineError(`promptTokenIds holds ${JSON.stringify(t)}, not a token id in [0, ${vocab})`, 'promptTokenIds');
    }
  } else if (o.promptLen !== undefined) {
    const n = int(o.promptLen, 'promptLen', 1);
    const key = requestKey(config.seed, requestId);
    prompt = new Array<number>(n);
    for (let i = 0; i < n; i++) prompt[i] = syntheticPromptToken(config.seed, key, i, vocab);
  } else {
    throw new EngineError('addRequest needs promptTokenIds or promptLen', 'promptTokenIds');
  }
  if (prompt.length === 0) throw new EngineError('the prompt must not be empty', 'promptTokenIds');
  if (prompt.length > config.maxModelLen) {
    throw new EngineError(`prompt of ${prompt.length} tokens is longer than maxModelLen (${config.maxModelLen})`, o.promptLen !== undefined ? 'promptLen' : 'promptTokenIds');
  }
  const room = config.maxModelLen - prompt.length;
  const maxTokens = o.maxTokens === undefined ? Math.max(room, 1) : int(o.maxTokens, 'maxTokens', 1);
  if (o.maxTokens !== undefined && maxTokens > room) {
    throw new EngineError(`maxTokens (${maxTokens}) + prompt (${prompt.length}) exceeds maxModelLen (${config.maxModelLen})`, 'maxTokens');
  }
  const minTokens = o.minTokens === undefined ? 0 : int(o.minTokens, 'minTokens', 0);
  if (minTokens > maxTokens) throw new EngineError(`minTokens (${minTokens}) must be <= maxTokens (${maxTokens})`, 'minTokens');
  if (o.ignoreEos !== undefined && typeof o.ignoreEos !== 'boolean') throw new EngineError('ignoreEos must be a boolean', 'ignoreEos');
  const stop = o.stopTokenIds === undefined ? [] : o.stopTokenIds.slice();
  if (!Array.isArray(stop) || stop.some((t) => !Number.isInteger(t) || t < 0)) throw new EngineError('stopTokenIds must be an array of token ids', 'stopTokenIds');
  const priority = o.priority === undefined ? 0 : o.priority;
  if (!Number.isInteger(priority)) throw new EngineError(`priority must be an integer, got ${JSON.stringify(priority)}`, 'priority');
  const arrivalTime = o.arrivalTime === undefined ? nowUs : o.arrivalTime;
  if (typeof arrivalTime !== 'number' || !Number.isFinite(arrivalTime) || arrivalTime < 0) throw new EngineError('arrivalTime must be a finite number >= 0 (µs)', 'arrivalTime');
  if (o.cacheSalt !== undefined && typeof o.cacheSalt !== 'string') throw new EngineError('cacheSalt must be a string', 'cacheSalt');
  const promptLogprobs = o.promptLogprobs === undefined ? null : int(o.promptLogprobs, 'promptLogprobs', 0);
  return new Request({
    requestId,
    seq,
    promptTokenIds: prompt,
    sampling: { maxTokens, minTokens, ignoreEos: o.ignoreEos ?? false, stopTokenIds: stop, ...(promptLogprobs === null ? {} : { promptLogprobs }) },
    arrivalTime: Math.max(arrivalTime, 0),
    priority,
    eosTokenId: config.synthetic.eosTokenId,
    cacheSalt: o.cacheSalt ?? null,
  });
}
