/**
 * Rich displays of the engine's public objects: an `Engine` (summary, queues, KV grid coloured
 * by owner), a `StepRecord`, a run's `StepRecord[]` (step timeline plot), a `RequestView`, a
 * `BlockView`, KV usage, and `vllm bench serve` results. Engines are matched with instanceof on
 * the engine/index.ts export; plain records by duck typing (they are JSON values).
 */
import { Engine, type StepRecord, type RequestView, type BlockView } from '../../engine/index';
import type { DisplayBundle } from './mime';
import type { PlotlyFigure } from './plotly';
import type { PlotlySession } from './plotly-session';
import { escapeHtml, formatCell, tableBundle } from './table';
import { kvCells, kvGridFigure } from './kv-grid';

export { kvCells, kvGridFigure, type KvCell } from './kv-grid';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An engine: instanceof, or the facade's shape when the engine came from another copy of the
 * module (the interpreter loads it through require, the kernel through import).
 */
export function isEngine(v: unknown): v is Engine {
  if (v instanceof Engine) return true;
  return isObj(v) && typeof v.step === 'function' && typeof v.blockTable === 'function' && typeof v.addRequest === 'function' && 'kvUsage' in v && 'internals' in v;
}

export function isStepRecord(v: unknown): v is StepRecord {
  return isObj(v) && typeof v.step === 'number' && typeof v.timeUs === 'number' && 'schedule' in v && 'processed' in v && Array.isArray(v.arrivedReqIds);
}

export function isStepRecordArray(v: unknown): v is StepRecord[] {
  return Array.isArray(v) && v.length > 0 && isStepRecord(v[0]) && isStepRecord(v[v.length - 1]);
}

export function isRequestView(v: unknown): v is RequestView {
  return isObj(v) && typeof v.requestId === 'string' && typeof v.status === 'string' && typeof v.numPromptTokens === 'number' && typeof v.numComputedTokens === 'number';
}

export function isBlockView(v: unknown): v is BlockView {
  return isObj(v) && typeof v.blockId === 'number' && typeof v.refCount === 'number' && typeof v.isFree === 'boolean' && Array.isArray(v.heldBy);
}

/** `vllm bench serve` result JSON (as written with --save-result). */
export function isBenchResultJson(v: unknown): v is Record<string, unknown> {
  return isObj(v) && Array.isArray(v.ttfts) && Array.isArray(v.input_lens) && typeof v.completed === 'number';
}

function kv(rows: [string, unknown][]): string {
  return '<table style="font-size:12px;border-collapse:collapse">' + rows.map(([k, v]) =>
    `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(k)}</th><td style="text-align:right">${escapeHtml(formatCell(v))}</td></tr>`).join('') + '</table>';
}

function card(title: string, body: string): string {
  return `<div class="enginelab-view" style="font-family:sans-serif"><b>${escapeHtml(title)}</b>${body}</div>`;
}

const ms = (us: number) => `${(us / 1e3).toFixed(3)} ms`;

// ---- step timeline -------------------------------------------------------------------------

/** Tokens per step (prefill vs decode), running/waiting queues and KV usage against simulated time. */
export function stepTimelineFigure(records: readonly StepRecord[], options: { title?: string } = {}): PlotlyFigure {
  const x = records.map((r) => r.timeUs / 1e3);
  const prefill = records.map((r) => (r.schedule?.requests ?? []).reduce((a, q) => a + (q.isPrefillChunk || q.kind !== 'running' ? q.numScheduledTokens : 0), 0));
  const total = records.map((r) => r.schedule?.totalNumScheduledTokens ?? 0);
  const decode = total.map((t, i) => t - prefill[i]!);
  return {
    data: [
      { type: 'bar', name: 'prefill tokens', x, y: prefill, marker: { color: '#ff7f0e' } },
      { type: 'bar', name: 'decode tokens', x, y: decode, marker: { color: '#1f77b4' } },
      { type: 'scatter', mode: 'lines', name: 'running', x, y: records.map((r) => r.numRunning), yaxis: 'y2', line: { color: '#2ca02c' } },
      { type: 'scatter', mode: 'lines', name: 'waiting', x, y: records.map((r) => r.numWaiting), yaxis: 'y2', line: { color: '#d62728' } },
      { type: 'scatter', mode: 'lines', name: 'KV usage', x, y: records.map((r) => r.kvUsage), yaxis: 'y3', line: { color: '#9467bd', dash: 'dot' } },
    ],
    layout: {
      title: { text: options.title ?? `${records.length} steps, ${(x.at(-1) ?? 0).toFixed(1)} ms simulated` },
      barmode: 'stack', height: 420, hovermode: 'x unified',
      xaxis: { title: { text: 'simulated time (ms)' }, domain: [0, 0.9] },
      yaxis: { title: { text: 'tokens / step' } },
      yaxis2: { title: { text: 'requests' }, overlaying: 'y', side: 'right' },
      yaxis3: { overlaying: 'y', side: 'right', position: 0.97, range: [0, 1], showgrid: false, tickformat: '.0%' },
      legend: { orientation: 'h', y: -0.2 },
    },
  };
}

// ---- bundles ----------------------------------------------------------------------------------

export function stepRecordBundle(r: StepRecord): DisplayBundle {
  const reqs = r.schedule?.requests ?? [];
  const text = `StepRecord(step ${r.step}, t=${ms(r.timeUs)}, ${reqs.length} reqs, ${r.schedule?.totalNumScheduledTokens ?? 0} tokens, running ${r.numRunning}, waiting ${r.numWaiting}, KV ${(100 * r.kvUsage).toFixed(1)}%)`;
  const summary = kv([
    ['time', ms(r.timeUs)], ['batch launched', r.schedule?.batchId ?? '—'], ['batch processed', r.processed?.batchId ?? '—'],
    ['scheduled tokens', r.schedule?.totalNumScheduledTokens ?? 0], ['step time', r.schedule ? ms(r.schedule.stepTimeUs) : '—'],
    ['arrived / preempted / finished', `${r.arrivedReqIds.length} / ${r.preemptedReqIds.length} / ${r.finishedReqIds.length}`],
    ['running / waiting', `${r.numRunning} / ${r.numWaiting}`], ['KV usage', `${(100 * r.kvUsage).toFixed(1)}% (${r.numFreeBlocks} free)`],
    ['new / freed blocks', `${r.newBlockIds.length} / ${r.freedBlockIds.length}`],
  ]);
  const rows = reqs.map((q) => ({ request: q.reqId, kind: q.kind, scheduled: q.numScheduledTokens, computed: q.numComputedTokens, spec: q.numSpecTokens, prefillChunk: q.isPrefillChunk, newBlocks: q.newBlockIds.join(' ') }));
  const html = card(`Step ${r.step}`, summary + (rows.length ? (tableBundle(rows, { maxRows: 20 }).data['text/html'] as string) : ''));
  return { data: { 'text/html': html, 'text/plain': text }, metadata: {} };
}

export function stepRecordsBundle(records: readonly StepRecord[], session: PlotlySession): DisplayBundle {
  const last = records[records.length - 1]!;
  const tokens = records.reduce((a, r) => a + (r.schedule?.totalNumScheduledTokens ?? 0), 0);
  const text = `${records.length} StepRecords (steps ${records[0]!.step}–${last.step}, ${tokens} tokens, t=${ms(last.timeUs)})`;
  const plot = session.bundle(stepTimelineFigure(records));
  return { data: { ...plot.data, 'text/plain': text }, metadata: {} };
}

export function requestViewBundle(r: RequestView): DisplayBundle {
  const text = `Request(${r.requestId}, ${r.status}, prompt ${r.numPromptTokens}, output ${r.numOutputTokens}/${r.maxTokens}, computed ${r.numComputedTokens})`;
  const html = card(`Request ${r.requestId}`, kv([
    ['status', r.status + (r.finishReason ? ` (${r.finishReason})` : '')], ['prompt tokens', r.numPromptTokens],
    ['output tokens', `${r.numOutputTokens} / ${r.maxTokens}`], ['computed tokens', r.numComputedTokens],
    ['cached tokens', r.numCachedTokens ?? '—'], ['spec tokens', r.numSpecTokens], ['preemptions', r.numPreemptions],
    ['arrival', ms(r.arrivalTime)], ['first token', r.firstTokenTime === null ? '—' : ms(r.firstTokenTime)],
    ['finished', r.finishedTime === null ? '—' : ms(r.finishedTime)],
  ]));
  return { data: { 'text/html': html, 'text/plain': text }, metadata: {} };
}

export function blockViewBundle(b: BlockView): DisplayBundle {
  const state = b.isNull ? 'null block' : b.isFree ? `free (queue position ${b.freeQueuePosition})` : `held by ${b.heldBy.join(', ')}`;
  const text = `Block(${b.blockId}, ${state}, refCount ${b.refCount}${b.blockHash !== null ? `, hash ${b.blockHash}` : ''})`;
  return { data: { 'text/html': card(`KV block ${b.blockId}`, kv([['state', state], ['refCount', b.refCount], ['hash', b.blockHash ?? '—']])), 'text/plain': text }, metadata: {} };
}

export function engineBundle(e: Engine, session: PlotlySession): DisplayBundle {
  const u = e.kvUsage;
  const s = e.stats;
  const c = e.config;
  const text = `Engine(t=${ms(e.clockUs)}, ${s.numSteps} steps, running ${e.running.length}, waiting ${e.waiting.length}, KV ${u.numUsedBlocks}/${u.numUsableBlocks} blocks)`;
  const summary = kv([
    ['clock', ms(e.clockUs)], ['steps', s.numSteps], ['running / waiting / pending', `${e.running.length} / ${e.waiting.length} / ${e.pending.length}`],
    ['finished', s.numFinished], ['generated tokens', s.numGeneratedTokens], ['preemptions', s.numPreemptions],
    ['KV blocks used', `${u.numUsedBlocks} / ${u.numUsableBlocks} (${(100 * u.usage).toFixed(1)}%), ${u.numCachedBlocks} cached`],
    ['prefix cache hits', `${s.prefixCacheHits} / ${s.prefixCacheQueries} tokens`],
    ['max_num_seqs / max_num_batched_tokens', `${c.maxNumSeqs} / ${c.maxNumBatchedTokens}`],
    ['scheduling', `${c.asyncScheduling ? 'async' : 'sync'}${c.speculative ? `, ${c.speculative.method} k=${c.speculative.numSpeculativeTokens}` : ''}`],
  ]);
  const cells = kvCells(e);
  const grid = cells.length <= 65_536 ? session.bundle(kvGridFigure(cells)) : undefined;
  const html = card('Engine', summary) + (grid ? (grid.data['text/html'] as string) : `<p>KV grid omitted: ${cells.length} blocks</p>`);
  return { data: { ...(grid ? { 'application/vnd.plotly.v1+json': grid.data['application/vnd.plotly.v1+json'] } : {}), 'text/html': html, 'text/plain': text }, metadata: {} };
}

export function benchResultBundle(r: Record<string, unknown>, session: PlotlySession): DisplayBundle {
  const scalars = Object.entries(r).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
  const ttfts = (r.ttfts as number[]).map((x) => x * 1e3);
  const fig: PlotlyFigure = {
    data: [{ type: 'histogram', x: ttfts, name: 'TTFT (ms)', marker: { color: '#1f77b4' } }],
    layout: { title: { text: `TTFT over ${ttfts.length} requests` }, xaxis: { title: { text: 'TTFT (ms)' } }, height: 320 },
  };
  const plot = session.bundle(fig);
  const text = `BenchResult(${r.completed} completed, ${formatCell(r.request_throughput)} req/s, ${formatCell(r.output_throughput)} out tok/s, mean TTFT ${formatCell(r.mean_ttft_ms)} ms)`;
  return { data: { ...plot.data, 'text/html': card('vllm bench serve result', kv(scalars)) + (plot.data['text/html'] as string), 'text/plain': text }, metadata: {} };
}

export function engineFormatters(session: PlotlySession) {
  return [
    { name: 'engine', test: isEngine, format: (v: unknown) => engineBundle(v as Engine, session) },
    { name: 'step-records', test: isStepRecordArray, format: (v: unknown) => stepRecordsBundle(v as StepRecord[], session) },
    { name: 'step-record', test: isStepRecord, format: (v: unknown) => stepRecordBundle(v as StepRecord) },
    { name: 'request-view', test: isRequestView, format: (v: unknown) => requestViewBundle(v as RequestView) },
    { name: 'block-view', test: isBlockView, format: (v: unknown) => blockViewBundle(v as BlockView) },
    { name: 'bench-result', test: isBenchResultJson, format: (v: unknown) => benchResultBundle(v as Record<string, unknown>, session) },
    { name: 'request-views', test: (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isRequestView), format: (v: unknown) => tableBundle((v as RequestView[]).map((r) => ({ requestId: r.requestId, status: r.status, prompt: r.numPromptTokens, output: r.numOutputTokens, computed: r.numComputedTokens, preemptions: r.numPreemptions }))) },
  ];
}
