import { describe, expect, it } from 'vitest';
import { checkStop } from '../../../engine/request/stop';
import { finishReasonOf, isFinished } from '../../../engine/request/status';
import { requestFromState, requestToState } from '../../../engine/request/request-state';
import { viewRequest } from '../../../engine/request/request-view';
import { makeRequest } from '../sched/factories';

describe('request token accounting', () => {
  it('derives numTokens, numTokensWithSpec and outputs from allTokenIds, drafts and placeholders', () => {
    const r = makeRequest('a', [1, 2, 3], { maxTokens: 5 });
    expect([r.numTokens, r.numOutputTokens, r.numTokensWithSpec]).toEqual([3, 0, 3]);
    r.appendOutputToken(9, 100);
    r.specTokenIds = [4, 5];
    expect([r.numTokens, r.numOutputTokens, r.numSpecTokens, r.numTokensWithSpec]).toEqual([4, 1, 2, 6]);
    r.clearSpec();
    r.numSpecPlaceholders = 3;
    expect(r.numTokensWithSpec).toBe(7);
    expect(r.specTokenIds).toEqual([]);
    expect(r.outputTokenIds()).toEqual([9]);
  });

  it('stop check order: min_tokens, EOS, stop ids, then length caps', () => {
    const base = { lastTokenId: 5, numOutputTokens: 3, numTokens: 10, minTokens: 0, maxTokens: 8, maxModelLen: 64, eosTokenId: 5, stopTokenIds: [5] };
    expect(checkStop(base)).toEqual({ status: 'FINISHED_STOPPED', stopReason: null });
    expect(checkStop({ ...base, eosTokenId: null })).toEqual({ status: 'FINISHED_STOPPED', stopReason: 5 });
    expect(checkStop({ ...base, minTokens: 4 })).toBeUndefined();
    expect(checkStop({ ...base, eosTokenId: null, stopTokenIds: [], numOutputTokens: 8 })).toEqual({ status: 'FINISHED_LENGTH_CAPPED', stopReason: null });
    expect(checkStop({ ...base, eosTokenId: null, stopTokenIds: [], numTokens: 64 })?.status).toBe('FINISHED_LENGTH_CAPPED');
    expect(checkStop({ ...base, eosTokenId: null, stopTokenIds: [] })).toBeUndefined();
  });

  it('appendOutputToken stops at max_tokens; ignore_eos unsets EOS', () => {
    const r = makeRequest('a', [1], { maxTokens: 2, ignoreEos: false, eosTokenId: 7 });
    expect(r.appendOutputToken(3, 100)).toBeUndefined();
    expect(r.appendOutputToken(4, 100)).toBe('FINISHED_LENGTH_CAPPED');
    const e = makeRequest('b', [1], { maxTokens: 5, ignoreEos: false, eosTokenId: 7 });
    expect(e.appendOutputToken(7, 100)).toBe('FINISHED_STOPPED');
    const i = makeRequest('c', [1], { maxTokens: 5, ignoreEos: true, eosTokenId: 7 });
    expect(i.eosTokenId).toBeNull();
    expect(i.appendOutputToken(7, 100)).toBeUndefined();
  });

  it('statuses after PREEMPTED are finished; finish reasons follow vLLM', () => {
    expect(isFinished('PREEMPTED')).toBe(false);
    expect(isFinished('FINISHED_ABORTED')).toBe(true);
    expect(finishReasonOf('FINISHED_IGNORED')).toBe('length');
    expect(finishReasonOf('FINISHED_STOPPED')).toBe('stop');
    expect(finishReasonOf('FINISHED_ABORTED')).toBe('abort');
  });

  it('state round trip restores every field; views are JSON-safe copies', () => {
    const r = makeRequest('a', [1, 2, 3, 4, 5], { maxTokens: 9, priority: 2, arrivalTime: 17, cacheSalt: 's' });
    r.appendOutputToken(6, 100);
    r.numComputedTokens = 5;
    r.numOutputPlaceholders = 2;
    r.specTokenIds = [8];
    r.status = 'RUNNING';
    r.blockHashes.push(123);
    const s = JSON.parse(JSON.stringify(requestToState(r)));
    const back = requestFromState(s);
    expect(requestToState(back)).toEqual(requestToState(r));
    const v = viewRequest(back);
    expect(v).toMatchObject({ requestId: 'a', numTokens: 6, numComputedTokens: 5, priority: 2, finishReason: null });
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });
});
