// Every public engine object displays as an HTML summary plus text/plain (and a plot where a
// picture serves better), through the kernel's format() with the rich formatter list.
import { beforeAll, describe, expect, it } from 'vitest';
import { format } from '../../../kernel/display/format';
import { richDisplayGlobals, richFormatters } from '../../../kernel/display/index';
import { createEngine, stepTraceTable, requestTable, type Engine, type StepRecord } from '../../../engine/index';
import { PLOTLY_MIME } from '../../../kernel/display/plotly';
import type { CellIO } from '../../../kernel/interpreter';

const formatters = richFormatters();
const toDisplayBundle = (v: unknown) => format(v, formatters);

const io: CellIO = { stream: () => undefined, display: () => undefined, clearOutput: () => undefined, input: () => Promise.reject(new Error('no')) };
let engine: Engine;
let records: StepRecord[];

beforeAll(() => {
  richDisplayGlobals({ currentIO: () => io });
  engine = createEngine({ maxNumSeqs: 4, maxNumBatchedTokens: 128, numGpuBlocks: 40, maxModelLen: 512 });
  const shared = Array.from({ length: 32 }, (_, i) => i + 1);
  for (let i = 0; i < 6; i++) engine.addRequest({ requestId: `r${i}`, promptTokenIds: [...shared, ...Array.from({ length: 20 + i }, (_, j) => 500 + 50 * i + j)], maxTokens: 12, ignoreEos: true });
  records = [engine.step(), engine.step(), engine.step()];
});

const html = (v: unknown) => toDisplayBundle(v).data['text/html'] as string;
const text = (v: unknown) => toDisplayBundle(v).data['text/plain'] as string;

describe('engine object displays', () => {
  it('an engine: summary, queues and a KV grid coloured by owner', () => {
    const b = toDisplayBundle(engine);
    expect(text(engine)).toMatch(/^Engine\(t=[\d.]+ ms, 3 steps, running \d+, waiting \d+, KV \d+\/39 blocks\)$/);
    expect(b.data['text/html']).toContain('KV blocks used');
    const fig = b.data[PLOTLY_MIME] as { data: { type: string; text: string[][] }[] };
    expect(fig.data[0]!.type).toBe('heatmap');
    const hover = fig.data[0]!.text.flat().join('\n');
    for (const id of engine.running.map((r) => r.requestId)) expect(hover).toContain(id);
    expect(hover).toContain('null block');
  });

  it('a step record: what was scheduled, with the queues after the step', () => {
    const r = records[1]!;
    expect(text(r)).toBe(`StepRecord(step 1, t=${(r.timeUs / 1e3).toFixed(3)} ms, ${r.schedule!.requests.length} reqs, ${r.schedule!.totalNumScheduledTokens} tokens, running ${r.numRunning}, waiting ${r.numWaiting}, KV ${(100 * r.kvUsage).toFixed(1)}%)`);
    for (const q of r.schedule!.requests) expect(html(r)).toContain(`>${q.reqId}<`);
  });

  it('a run of step records: a timeline plot', () => {
    const b = toDisplayBundle(records);
    expect(b.data['text/plain']).toMatch(/^3 StepRecords \(steps 0–2, \d+ tokens/);
    const fig = b.data[PLOTLY_MIME] as { data: { name: string; y: number[] }[] };
    const prefill = fig.data.find((t) => t.name === 'prefill tokens')!.y;
    const decode = fig.data.find((t) => t.name === 'decode tokens')!.y;
    expect(prefill.map((p, i) => p + decode[i]!)).toEqual(records.map((r) => r.schedule?.totalNumScheduledTokens ?? 0));
  });

  it('requests, blocks and block tables', () => {
    const v = engine.request('r0');
    expect(text(v)).toBe(`Request(r0, ${v.status}, prompt 52, output ${v.numOutputTokens}/12, computed ${v.numComputedTokens})`);
    expect(html(v)).toContain('prompt tokens');
    const b = engine.block(engine.blockTable('r0')[0]!);
    expect(text(b)).toMatch(/^Block\(\d+, held by r0/);
    expect(html(engine.requests)).toContain('<table');
    expect(text(engine.requests)).toMatch(/^table: 6 rows/);
  });

  it('Arrow tables show as HTML tables with typed headers', () => {
    const t = stepTraceTable(records);
    expect(html(t)).toContain('title="uint32"');
    expect(html(t)).toContain('step_trace');
    expect(text(requestTable(engine.requests.map((r) => ({ ...r, finishReason: r.finishReason })))).split('\n')[0]).toBe('requests: 6 rows × 14 columns');
  });

  it('a vllm bench serve result: metrics and a TTFT histogram', () => {
    const result = { completed: 3, request_throughput: 1.5, output_throughput: 100, mean_ttft_ms: 20, input_lens: [1, 2, 3], output_lens: [4, 5, 6], ttfts: [0.01, 0.02, 0.03], itls: [[], [], []] };
    const b = toDisplayBundle(result);
    expect(b.data['text/plain']).toBe('BenchResult(3 completed, 1.5 req/s, 100 out tok/s, mean TTFT 20 ms)');
    expect((b.data[PLOTLY_MIME] as { data: { x: number[] }[] }).data[0]!.x).toEqual([10, 20, 30]);
  });
});

describe('typed globals', () => {
  it('names every global richDisplayGlobals returns, typed from this module', async () => {
    const { RICH_DISPLAY_GLOBAL_NAMES, richDisplayGlobalTypes } = await import('../../../kernel/display/index');
    const g = richDisplayGlobals({ currentIO: () => io });
    expect([...RICH_DISPLAY_GLOBAL_NAMES].sort()).toEqual(Object.keys(g).sort());
    const types = richDisplayGlobalTypes('/abs/kernel/display/index.ts');
    expect(types.plot).toBe('ReturnType<typeof import("/abs/kernel/display/index").richDisplayGlobals>["plot"]');
  });
});
