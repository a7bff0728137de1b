import { describe, expect, it } from 'vitest';
import { DataType, type Table } from 'apache-arrow';
import {
  stepTraceTable, stepTraceTableReference, stepSummaryTable, createEngine, requestTable, blockTableTable, kvBlocksTable, benchResultTable,
  toArrowIPC, fromArrowIPC, isArrowIpcFile, describeSchema, STEP_TRACE_SPEC, EngineError,
} from '../../../engine/index';
import { sampleSteps, sampleRequests, sampleBench } from './samples';
import { canonical } from './canonical';

const col = (t: Table, name: string) => t.getChild(name)!;

describe('step trace table', () => {
  const steps = sampleSteps(30);
  const table = stepTraceTable(steps);

  it('has one row per scheduled request, in step then scheduling order', () => {
    const expected = steps.flatMap((s) => (s.schedule?.requests ?? []).map((r) => [s.step, r.reqId, r.numScheduledTokens]));
    expect(steps.some((s) => s.schedule === null)).toBe(true);
    expect(table.numRows).toBe(expected.length);
    const got = [...Array(table.numRows).keys()].map((i) => [col(table, 'step').get(i), col(table, 'request_id').get(i), col(table, 'num_scheduled_tokens').get(i)]);
    expect(got).toEqual(expected);
  });

  it('types columns as documented: u32 counts, duration[us] simulated times (not dates), dictionary names', () => {
    const f = Object.fromEntries(table.schema.fields.map((x) => [x.name, x]));
    expect(DataType.isInt(f.step!.type) && !f.step!.type.isSigned && f.step!.type.bitWidth === 32).toBe(true);
    expect(DataType.isDuration(f.time_us!.type) && f.time_us!.type.unit === 2).toBe(true);
    expect(DataType.isTimestamp(f.time_us!.type)).toBe(false);
    expect(DataType.isDictionary(f.request_id!.type)).toBe(true);
    expect(DataType.isDictionary(f.kind!.type)).toBe(true);
    expect(DataType.isBool(f.is_prefill_chunk!.type)).toBe(true);
    expect(f.request_id!.metadata.get('doc')).toBe('vLLM request id');
    expect(table.schema.metadata.get('enginelab.table')).toBe('step_trace');
  });

  it('stores each distinct name once in the dictionary', () => {
    const dict = col(table, 'request_id').data[0]!.dictionary!;
    const distinct = new Set(steps.flatMap((s) => (s.schedule?.requests ?? []).map((r) => r.reqId)));
    expect(dict.length).toBe(distinct.size);
    expect(new Set(dict.toArray())).toEqual(distinct);
  });

  it('keeps simulated microseconds exact beyond 2^32', () => {
    const values = col(table, 'time_us').data[0]!.values as BigInt64Array;
    const expected = steps.flatMap((s) => (s.schedule?.requests ?? []).map(() => BigInt(s.timeUs)));
    expect([...values]).toEqual(expected);
    expect(Number(values[0])).toBeGreaterThan(2 ** 32);
  });

  it('writes absent optional values as nulls, not zeros', () => {
    const c = canonical(stepSummaryTable(steps));
    const idle = steps.map((s) => s.schedule === null);
    expect(c.rows.map((r) => r.batch_id === null && r.step_time_us === null && r.processed_batch_id === null)).toEqual(idle);
    expect(c.rows.filter((r) => r.batch_id === null).every((r) => r.num_reqs === 0)).toBe(true);
  });

  it('round-trips through IPC file and stream bytes unchanged', () => {
    const file = toArrowIPC(table, 'file');
    const stream = toArrowIPC(table, 'stream');
    expect(isArrowIpcFile(file)).toBe(true);
    expect(isArrowIpcFile(stream)).toBe(false);
    expect(canonical(fromArrowIPC(file))).toEqual(canonical(table));
    expect(canonical(fromArrowIPC(stream))).toEqual(canonical(table));
  });

  it('fast path writes exactly the bytes of the generic column builder', () => {
    const many = sampleSteps(400, 11);
    expect(Buffer.from(toArrowIPC(stepTraceTable(many))).equals(Buffer.from(toArrowIPC(stepTraceTableReference(many))))).toBe(true);
  });

  it('converts a real engine run', () => {
    const e = createEngine({ maxNumSeqs: 8, maxNumBatchedTokens: 256, numGpuBlocks: 200, maxModelLen: 1024 });
    for (let i = 0; i < 12; i++) e.addRequest({ promptLen: 100 + 37 * i, maxTokens: 20, ignoreEos: true });
    const recs = e.run();
    const c = canonical(stepTraceTable(recs));
    expect(c.num_rows).toBe(recs.reduce((a, r) => a + (r.schedule?.requests.length ?? 0), 0));
    // Every request's scheduled tokens add up to its prompt plus all but the last output token.
    const per = new Map<string, number>();
    for (const r of c.rows) per.set(r.request_id as string, (per.get(r.request_id as string) ?? 0) + (r.num_scheduled_tokens as number));
    expect(per.size).toBe(12);
    for (const v of e.requests) expect(per.get(v.requestId)).toBe(v.numPromptTokens + v.numOutputTokens - 1);
    expect(canonical(stepSummaryTable(recs)).rows.at(-1)!.time_us).toBe(e.clockUs);
  });

  it('is deterministic byte for byte', () => {
    expect(Buffer.from(toArrowIPC(stepTraceTable(sampleSteps(30))))).toEqual(Buffer.from(toArrowIPC(table)));
  });
});

describe('other tables', () => {
  it('step summary sums per step and keeps durations in µs', () => {
    const steps = sampleSteps(5);
    const t = stepSummaryTable(steps);
    expect(t.numRows).toBe(5);
    const c = canonical(t);
    c.rows.forEach((r, i) => {
      const s = steps[i]!;
      expect(r.num_scheduled_tokens).toBe(s.schedule!.requests.reduce((a, x) => a + x.numScheduledTokens, 0));
      expect(r.num_output_tokens).toBe(s.processed!.outputs.reduce((a, x) => a + x.newTokenIds.length, 0));
      expect(r.num_accepted_tokens).toBe(s.processed!.outputs.reduce((a, x) => a + x.numAcceptedTokens, 0));
      expect(r.num_prefill_reqs).toBe(s.schedule!.requests.filter((x) => x.isPrefillChunk || x.kind !== 'running').length);
      expect(r.step_time_us).toBe(s.schedule!.stepTimeUs);
      expect(r.num_new_blocks).toBe(s.newBlockIds.length);
    });
    expect(c.fields.find((f) => f.name === 'step_time_us')!.type).toBe('duration[us]');
  });

  it('request table keeps nullable times and finish reasons', () => {
    const c = canonical(requestTable(sampleRequests()));
    expect(c.rows.map((r) => [r.request_id, r.status, r.first_token_us, r.finish_reason, r.priority])).toEqual([
      ['req-0', 'FINISHED_STOPPED', 61250, 'stop', 0],
      ['req-1', 'RUNNING', 70000, null, -2],
      ['req-2', 'WAITING', null, null, 0],
    ]);
  });

  it('block table flattens logical → physical ids per request', () => {
    const c = canonical(blockTableTable([{ requestId: 'a', blockIds: [7, 2] }, { requestId: 'b', blockIds: [2] }]));
    expect(c.rows).toEqual([
      { request_id: 'a', block_index: 0, block_id: 7 },
      { request_id: 'a', block_index: 1, block_id: 2 },
      { request_id: 'b', block_index: 0, block_id: 2 },
    ]);
  });

  it('kv blocks table marks free blocks with a null owner', () => {
    const c = canonical(kvBlocksTable([{ blockId: 0, refCount: 0, owners: [], cached: true }, { blockId: 1, refCount: 2, owners: ['x', 'y'], cached: false }]));
    expect(c.rows).toEqual([
      { block_id: 0, ref_count: 0, owner: null, num_owners: 0, cached: true },
      { block_id: 1, ref_count: 2, owner: 'x', num_owners: 2, cached: false },
    ]);
  });

  it('bench table derives tpot and e2el in ms as vllm bench serve does', () => {
    const c = canonical(benchResultTable(sampleBench()));
    expect(c.rows[0]!.ttft_ms).toBeCloseTo(61.2, 9);
    expect(c.rows[0]!.tpot_ms).toBeCloseTo(10, 9);
    expect(c.rows[0]!.e2el_ms).toBeCloseTo(61.2 + 1270, 6);
    expect(c.rows[1]!.tpot_ms).toBeNull();
    expect(c.rows[1]!.error).toBe('timeout');
    expect(c.rows[0]!.error).toBeNull();
    expect(c.rows[2]!.start_us).toBe(1_500_000);
  });
});

describe('bench results from engine/serve-sim', () => {
  it('reads BenchServeResult.outputs like the saved JSON', () => {
    const outputs = [
      { success: true, promptLen: 100, outputTokens: 3, startTime: 0.5, ttft: 0.02, itl: [0.01, 0.01], latency: 0.04 },
      { success: false, promptLen: 80, outputTokens: 0, startTime: 0.7, ttft: 0, itl: [], latency: 0, error: 'boom' },
    ];
    const c = canonical(benchResultTable({ outputs }));
    expect(c.rows.map((r) => [r.index, r.input_len, r.output_len, r.start_us, r.error])).toEqual([[0, 100, 3, 500000, null], [1, 80, 0, 700000, 'boom']]);
    expect(c.rows[0]!.tpot_ms).toBeCloseTo(10, 9);
    expect(c.rows[0]!.e2el_ms).toBeCloseTo(40, 9);
  });
});

describe('bad input', () => {
  it('names the column and row of a wrongly typed value', () => {
    const good = sampleSteps(1)[0]!;
    const withReq = (patch: object, stepPatch: object = {}) => [{ ...good, ...stepPatch, schedule: { ...good.schedule!, requests: [{ ...good.schedule!.requests[0]!, ...patch }] } }];
    expect(() => stepTraceTable(withReq({ numScheduledTokens: 1.5 }))).toThrow(EngineError);
    expect(() => stepTraceTable(withReq({ numScheduledTokens: 1.5 }))).toThrow(/step_trace\.num_scheduled_tokens: row 0 has number 1\.5/);
    expect(() => stepTraceTable(withReq({}, { step: -1 }))).toThrow(/step_trace\.step/);
    expect(() => stepTraceTable(withReq({}, { timeUs: 'soon' }) as never)).toThrow(/time_us: row 0 has string soon/);
  });

  it('rejects a missing required value instead of writing a null', () => {
    const good = sampleSteps(1)[0]!;
    const bad = [{ ...good, schedule: { ...good.schedule!, requests: [{ ...good.schedule!.requests[0]!, reqId: undefined }] } }];
    expect(() => stepTraceTable(bad as never)).toThrow(/request_id: row 0 has undefined undefined, expected dict/);
    expect(() => stepSummaryTable([{}] as never)).toThrow(/steps\[0\] is not a StepRecord/);
  });

  it('rejects non-arrays, mismatched bench arrays and unreadable bytes by argument name', () => {
    expect(() => stepTraceTable({} as never)).toThrow(/steps must be an array/);
    expect(() => benchResultTable({ ...sampleBench(), ttfts: [0.1] })).toThrow(/result\.ttfts has 1 entries/);
    try { fromArrowIPC(new Uint8Array([1, 2, 3])); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(EngineError);
      expect((e as EngineError).argument).toBe('bytes');
    }
    expect(() => fromArrowIPC(new Uint8Array([0xff, 0xff, 0xff, 0xff, 9, 0, 0, 0, 1, 2, 3, 4, 5]))).toThrow(EngineError);
    const file = toArrowIPC(requestTable(sampleRequests()));
    expect(() => fromArrowIPC(file.subarray(0, file.byteLength - 40))).toThrow(/not an Arrow IPC file/);
    expect(() => toArrowIPC({} as never)).toThrow(/table must be an apache-arrow Table/);
  });

  it('documents every column', () => {
    const text = describeSchema(STEP_TRACE_SPEC);
    for (const c of STEP_TRACE_SPEC.columns) expect(text).toContain(`${c.name}: ${c.kind}`);
  });
});
