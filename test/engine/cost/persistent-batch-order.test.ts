import { describe, expect, it } from 'vitest';
import { PersistentBatchOrder, type BatchRow } from '../../../engine/cost/persistent-batch-order';

const dec = (id: string): BatchRow => ({ reqId: id, numScheduledTokens: 4, numComputedTokens: 100 });
const pre = (id: string): BatchRow => ({ reqId: id, numScheduledTokens: 900, numComputedTokens: 0 });
const ext = (id: string): BatchRow => ({ reqId: id, numScheduledTokens: 900, numComputedTokens: 512 });
const ids = (rows: readonly BatchRow[], order: number[]) => order.map((i) => rows[i]!.reqId);

describe('PersistentBatchOrder (the model runner’s InputBatch order)', () => {
  it('first step: scheduler order, then decode → extend → prefill by moving only misplaced rows', () => {
    const o = new PersistentBatchOrder();
    const rows = [pre('p'), dec('a'), ext('e'), dec('b')];
    // Regions [2, 0, 1, 0] vs targets [0, 0, 1, 2]: rows 0 and 3 are misplaced and trade places.
    expect(ids(rows, o.update(rows, 4))).toEqual(['b', 'a', 'e', 'p']);
  });

  it('removed requests leave holes that new ones fill lowest first; condense moves the last rows down', () => {
    const o = new PersistentBatchOrder();
    const first = ['a', 'b', 'c', 'd', 'e', 'f'].map(dec);
    expect(ids(first, o.update(first, 4))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    // b and d finish, x arrives: x takes b's row; d's hole is filled by f, the last row.
    const second = ['a', 'c', 'e', 'f', 'x'].map(dec);
    expect(ids(second, o.update(second, 4))).toEqual(['a', 'x', 'c', 'f', 'e']);
    // The order persists: a re-added request (absent one step) comes back at the end.
    const third = ['a', 'x', 'c', 'f'].map(dec);
    expect(ids(third, o.update(third, 4))).toEqual(['a', 'x', 'c', 'f']);
    const fourth = ['a', 'x', 'c', 'f', 'e'].map(dec);
    expect(ids(fourth, o.update(fourth, 4))).toEqual(['a', 'x', 'c', 'f', 'e']);
  });

  it('a request turning from prefill to decode moves to the decode region; reset forgets the order', () => {
    const o = new PersistentBatchOrder();
    const s1 = [dec('a'), pre('n'), dec('b')];
    expect(ids(s1, o.update(s1, 4))).toEqual(['a', 'b', 'n']);
    const s2 = [dec('a'), dec('n'), dec('b')];
    expect(ids(s2, o.update(s2, 4))).toEqual(['a', 'b', 'n']);
    o.reset();
    expect(ids(s2, o.update(s2, 4))).toEqual(['a', 'n', 'b']);
  });
});
