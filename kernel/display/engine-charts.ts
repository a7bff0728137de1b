/**
 * Charts of one engine run from its `StepRecord`s (simulated time in ms): a per-request Gantt of
 * queued, prefill, decode and preempted spans, and KV-cache occupancy over time with a marker at
 * every step that preempted (recompute preemption frees a request's blocks and requeues it).
 */
import type { StepRecord } from '../../engine/index';
import type { PlotlyFigure } from './plotly';

export type RequestPhase = 'queued' | 'prefill' | 'decode' | 'preempted';

export interface PhaseSpan {
  readonly reqId: string;
  readonly phase: RequestPhase;
  readonly startUs: number;
  readonly endUs: number;
}

/** What the Gantt needs of a request to know when it arrived (an engine `RequestView` has it). */
export interface ArrivalLike {
  readonly requestId: string;
  readonly arrivalTime: number;
}

export const PHASE_COLOURS: Readonly<Record<RequestPhase, string>> = { queued: '#c7c7c7', prefill: '#ff7f0e', decode: '#1f77b4', preempted: '#d62728' };

function checkRecords(records: readonly StepRecord[]): void {
  if (!Array.isArray(records) || records.length === 0) throw new TypeError('records must be a non-empty array of StepRecords (engine.step() / engine.run())');
  records.forEach((r, i) => {
    if (typeof r?.timeUs !== 'number' || !Array.isArray(r.arrivedReqIds)) throw new TypeError(`records[${i}] is not a StepRecord`);
  });
}

/**
 * Each request's phases as spans of simulated time. A step covers (previous step's clock, its
 * own clock]; a scheduled request is in prefill while its prompt (or, after preemption, its
 * recomputed tokens) is being computed, else in decode; an arrived or preempted request is
 * queued or preempted until it is scheduled again. Adjacent spans of one phase are merged.
 * Requests added while the clock already passed their arrival join the queue without an arrival
 * record: `requests` (e.g. `engine.requests`) gives their arrival times; without it, such a
 * request counts as queued from the start of the records.
 */
export function requestPhases(records: readonly StepRecord[], requests: readonly ArrivalLike[] = []): PhaseSpan[] {
  checkRecords(records);
  const arrival = new Map(requests.map((r) => [r.requestId, r.arrivalTime]));
  const spans = new Map<string, { phase: RequestPhase; startUs: number; endUs: number }[]>();
  const waiting = new Map<string, { phase: RequestPhase; since: number }>();
  const add = (reqId: string, phase: RequestPhase, startUs: number, endUs: number) => {
    const list = spans.get(reqId) ?? [];
    const last = list[list.length - 1];
    if (last && last.phase === phase && last.endUs === startUs) last.endUs = endUs;
    else list.push({ phase, startUs, endUs });
    spans.set(reqId, list);
  };
  const start = records[0]!.timeUs - (records[0]!.schedule?.stepTimeUs ?? 0);
  let t0 = Math.max(0, start);
  for (const r of records) {
    const t1 = r.timeUs;
    for (const id of r.arrivedReqIds) if (!waiting.has(id)) waiting.set(id, { phase: 'queued', since: t0 });
    for (const q of r.schedule?.requests ?? []) {
      if (q.kind === 'new' && !waiting.has(q.reqId) && !spans.has(q.reqId)) waiting.set(q.reqId, { phase: 'queued', since: Math.min(t0, arrival.get(q.reqId) ?? start) });
      const w = waiting.get(q.reqId);
      if (w) { if (t0 > w.since) add(q.reqId, w.phase, w.since, t0); waiting.delete(q.reqId); }
      const prefill = q.isPrefillChunk || q.kind !== 'running' || q.numComputedTokens < q.numPromptTokens;
      add(q.reqId, prefill ? 'prefill' : 'decode', t0, t1);
    }
    // Preemption happens while the step builds its batch, so the request waits from the step's start.
    const scheduled = new Set((r.schedule?.requests ?? []).map((q) => q.reqId));
    for (const id of r.preemptedReqIds) waiting.set(id, { phase: 'preempted', since: scheduled.has(id) ? t1 : t0 });
    for (const id of r.finishedReqIds) waiting.delete(id);
    t0 = t1;
  }
  // Still waiting at the end of the records: their span runs to the last clock.
  for (const [id, w] of waiting) if (t0 > w.since) add(id, w.phase, w.since, t0);
  return [...spans].flatMap(([reqId, list]) => list.map((s) => ({ reqId, ...s })));
}

/** Per-request Gantt: one row per request (in order of first appearance), one bar per phase span. */
export function requestGanttFigure(records: readonly StepRecord[], options: { readonly maxRequests?: number; readonly title?: string; readonly requests?: readonly ArrivalLike[] } = {}): PlotlyFigure {
  const max = options.maxRequests ?? 60;
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`options.maxRequests must be a positive integer, got ${String(options.maxRequests)}`);
  const all = requestPhases(records, options.requests);
  const order = [...new Set(all.map((s) => s.reqId))];
  const shown = new Set(order.slice(0, max));
  const spans = all.filter((s) => shown.has(s.reqId));
  const phases: RequestPhase[] = ['queued', 'prefill', 'decode', 'preempted'];
  const data = phases.map((phase) => {
    const ps = spans.filter((s) => s.phase === phase);
    return {
      type: 'bar', orientation: 'h', name: phase, y: ps.map((s) => s.reqId), base: ps.map((s) => s.startUs / 1e3), x: ps.map((s) => (s.endUs - s.startUs) / 1e3),
      marker: { color: PHASE_COLOURS[phase] }, hovertemplate: `%{y} ${phase}<br>%{base:.2f} ms + %{x:.2f} ms<extra></extra>`,
    };
  }).filter((t) => t.y.length > 0);
  const more = order.length > max ? ` (first ${max} of ${order.length})` : '';
  return {
    data,
    layout: {
      title: { text: options.title ?? `Requests over time: queued, prefill, decode, preempted${more}` },
      barmode: 'overlay', bargap: 0.25, height: Math.min(900, 140 + 16 * shown.size), legend: { orientation: 'h', y: -0.12 },
      xaxis: { title: { text: 'simulated time (ms)' } },
      yaxis: { type: 'category', categoryorder: 'array', categoryarray: [...shown], autorange: 'reversed', automargin: true },
      margin: { l: 80, r: 20, t: 50, b: 60 },
    },
  };
}

/** KV usage (%) over simulated time with the running/waiting queues, and a marker at each preemption step. */
export function kvOccupancyFigure(records: readonly StepRecord[], options: { readonly title?: string } = {}): PlotlyFigure {
  checkRecords(records);
  const x = records.map((r) => r.timeUs / 1e3);
  const pre = records.filter((r) => r.preemptedReqIds.length > 0);
  const numPreempted = pre.reduce((a, r) => a + r.preemptedReqIds.length, 0);
  return {
    data: [
      { type: 'scatter', mode: 'lines', name: 'KV blocks in use (%)', x, y: records.map((r) => 100 * r.kvUsage), line: { color: '#9467bd', width: 2 }, fill: 'tozeroy', fillcolor: 'rgba(148,103,189,0.15)' },
      { type: 'scatter', mode: 'lines', name: 'running', x, y: records.map((r) => r.numRunning), yaxis: 'y2', line: { color: '#2ca02c', width: 1 } },
      { type: 'scatter', mode: 'lines', name: 'waiting', x, y: records.map((r) => r.numWaiting), yaxis: 'y2', line: { color: '#7f7f7f', width: 1, dash: 'dot' } },
      { type: 'scatter', mode: 'markers', name: `preemption (${numPreempted})`, x: pre.map((r) => r.timeUs / 1e3), y: pre.map((r) => 100 * r.kvUsage),
        text: pre.map((r) => `step ${r.step}: preempted ${r.preemptedReqIds.join(', ')}`), hoverinfo: 'text', marker: { symbol: 'x', size: 11, color: '#d62728', line: { width: 2 } } },
    ],
    layout: {
      title: { text: options.title ?? `KV cache occupancy over ${records.length} steps, ${numPreempted} preemption${numPreempted === 1 ? '' : 's'}` },
      height: 380, hovermode: 'closest', legend: { orientation: 'h', y: -0.22 },
      xaxis: { title: { text: 'simulated time (ms)' } },
      yaxis: { title: { text: 'KV blocks in use (%)' }, range: [0, 105] },
      yaxis2: { title: { text: 'requests' }, overlaying: 'y', side: 'right', rangemode: 'tozero', showgrid: false },
    },
  };
}
