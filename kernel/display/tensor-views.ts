/**
 * Rich displays of tensors and of the objects that carry them: a `Tensor` (dtype, shape, value
 * statistics, a heatmap or histogram), `readSafetensors` / `readNpy` files, `replayDump` results
 * (inputs, dispatch, knobs, LSE per token and head), candidate lists, the inspector's slot views
 * (entry byte table) and sampled tokens with their top logits. Matched by duck typing.
 */
import { dissectEntryV4, tensorToFloat64, type Tensor, type SafetensorsFile, type NpyFile, type ReplayResult, type CandidateLists, type SlotView, type SampledRecord } from '../../engine/index';
import type { DisplayBundle } from './mime';
import type { PlotlyFigure } from './plotly';
import type { PlotlySession } from './plotly-session';
import { escapeHtml, formatCell, tableBundle } from './table';
import { entryDissectionBundle } from './numeric-views';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const dims = (s: readonly number[]) => `[${s.join(', ')}]`;
/** Tag tests, so values from another realm (a vm context) match too. */
const isI32 = (v: unknown): v is Int32Array => Object.prototype.toString.call(v) === '[object Int32Array]';
const isMap = (v: unknown): v is Map<unknown, unknown> => Object.prototype.toString.call(v) === '[object Map]';

export function isTensor(v: unknown): v is Tensor {
  return isObj(v) && typeof v.dtype === 'string' && Array.isArray(v.shape) && ArrayBuffer.isView(v.data) && Object.keys(v).length === 3;
}

export function isSafetensorsFile(v: unknown): v is SafetensorsFile {
  return isObj(v) && isMap(v.tensors) && isObj(v.metadata) && [...v.tensors.values()].every(isTensor);
}

export function isNpyFile(v: unknown): v is NpyFile {
  return isObj(v) && isTensor(v.tensor) && typeof v.descr === 'string' && typeof v.fortranOrder === 'boolean';
}

export function isReplayResult(v: unknown): v is ReplayResult {
  return isObj(v) && typeof v.dispatch === 'string' && isObj(v.knobs) && isMap(v.inputs) && isMap(v.subsetLse) && isTensor(v.output) && typeof v.numTokens === 'number';
}

export function isCandidateLists(v: unknown): v is CandidateLists {
  return isObj(v) && isI32(v.slots) && isI32(v.lens) && typeof v.width === 'number' && Object.keys(v).length === 3;
}

export function isSlotView(v: unknown): v is SlotView {
  return isObj(v) && typeof v.layer === 'number' && typeof v.cache === 'string' && typeof v.slot === 'number' && typeof v.indexInPage === 'number' && Array.isArray(v.bytes) && Array.isArray(v.values);
}

const isSampled = (v: unknown): v is SampledRecord => isObj(v) && typeof v.reqId === 'string' && typeof v.pos === 'number' && typeof v.tokenId === 'number' && typeof v.accepted === 'boolean' && Array.isArray(v.topLogits);
export const isSampledRecords = (v: unknown): v is SampledRecord[] => Array.isArray(v) && v.length > 0 && v.every(isSampled);

function card(title: string, body: string): string {
  return `<div class="enginelab-view" style="font-family:sans-serif"><b>${escapeHtml(title)}</b>${body}</div>`;
}
const tableHtml = (rows: Record<string, unknown>[], maxRows = 40, title?: string): string =>
  rows.length ? (tableBundle(rows, { maxRows, ...(title ? { title } : {}) }).data['text/html'] as string) : '';
const kv = (rows: [string, unknown][]) => tableHtml(rows.map(([k, v]) => ({ field: k, value: typeof v === 'string' ? v : formatCell(v) })), 100);

export interface TensorStats { readonly numElements: number; readonly min: number | null; readonly max: number | null; readonly mean: number | null; readonly numNan: number; readonly numInf: number }

/** Statistics over the finite values; NaNs and infinities are counted apart. */
export function tensorStats(t: Tensor): TensorStats {
  const x = tensorToFloat64(t);
  let min = Infinity, max = -Infinity, sum = 0, n = 0, numNan = 0, numInf = 0;
  for (const v of x) {
    if (Number.isNaN(v)) numNan++;
    else if (!Number.isFinite(v)) numInf++;
    else { n++; sum += v; if (v < min) min = v; if (v > max) max = v; }
  }
  return { numElements: x.length, min: n ? min : null, max: n ? max : null, mean: n ? sum / n : null, numNan, numInf };
}

/** Rank-2 tensors up to 64k elements as a heatmap; anything else as a histogram of (at most 100k sampled) values. */
export function tensorFigure(t: Tensor, title = `${t.dtype} ${dims(t.shape)}`): PlotlyFigure {
  const x = tensorToFloat64(t);
  if (t.shape.length === 2 && x.length <= 65_536) {
    const [rows, cols] = t.shape as [number, number];
    const z = Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * cols, (r + 1) * cols), (v) => (Number.isFinite(v) ? v : null)));
    return { data: [{ type: 'heatmap', z, colorscale: 'RdBu', zmid: 0 }], layout: { title: { text: title }, height: Math.min(600, 160 + 6 * rows), yaxis: { autorange: 'reversed' } } };
  }
  const step = Math.max(1, Math.ceil(x.length / 100_000));
  const sample: number[] = [];
  for (let i = 0; i < x.length; i += step) if (Number.isFinite(x[i]!)) sample.push(x[i]!);
  return { data: [{ type: 'histogram', x: sample, nbinsx: 80 }], layout: { title: { text: `${title}: values${step > 1 ? ` (every ${step}th)` : ''}` }, height: 300 } };
}

const statText = (s: TensorStats) => `min ${formatCell(s.min)}, max ${formatCell(s.max)}, mean ${formatCell(s.mean)}${s.numNan ? `, ${s.numNan} NaN` : ''}${s.numInf ? `, ${s.numInf} inf` : ''}`;

export function tensorBundle(t: Tensor, session: PlotlySession, header = 'Tensor'): DisplayBundle {
  const s = tensorStats(t);
  const text = `${header}(${t.dtype} ${dims(t.shape)}, ${s.numElements} elements, ${statText(s)})`;
  const plot = s.numElements > 0 && s.min !== null ? session.bundle(tensorFigure(t)) : undefined;
  const html = card(`${header} ${t.dtype} ${dims(t.shape)}`, kv([['elements', s.numElements], ['min', s.min], ['max', s.max], ['mean', s.mean], ['NaN / inf', `${s.numNan} / ${s.numInf}`]]))
    + (plot ? (plot.data['text/html'] as string) : '');
  return { data: { ...(plot ? { 'application/vnd.plotly.v1+json': plot.data['application/vnd.plotly.v1+json'] } : {}), 'text/html': html, 'text/plain': text }, metadata: {} };
}

function tensorRows(m: ReadonlyMap<string, Tensor>, extra: (name: string) => Record<string, unknown> = () => ({})): Record<string, unknown>[] {
  return [...m].map(([name, t]) => { const s = tensorStats(t); return { name, dtype: t.dtype, shape: dims(t.shape), ...extra(name), min: s.min, max: s.max, mean: s.mean, nonFinite: s.numNan + s.numInf }; });
}

export function safetensorsBundle(f: SafetensorsFile): DisplayBundle {
  const rows = tensorRows(f.tensors);
  const meta = Object.entries(f.metadata);
  const text = `SafetensorsFile(${f.tensors.size} tensors: ${[...f.tensors].slice(0, 8).map(([n, t]) => `${n} ${t.dtype} ${dims(t.shape)}`).join(', ')}${f.tensors.size > 8 ? ', …' : ''}${meta.length ? `; metadata ${meta.map(([k, v]) => `${k}=${v}`).join(', ')}` : ''})`;
  const html = card(`safetensors: ${f.tensors.size} tensors`, tableHtml(rows, 60) + (meta.length ? tableHtml(meta.map(([k, v]) => ({ key: k, value: v })), 40, 'metadata') : ''));
  return { data: { 'text/html': html, 'text/plain': text }, metadata: {} };
}

export function npyBundle(f: NpyFile, session: PlotlySession): DisplayBundle {
  return tensorBundle(f.tensor, session, `NpyFile v${f.version} ${f.descr}${f.fortranOrder ? ' (Fortran order)' : ''}`);
}

/** LSE per token and head of each subset of a replay, grouped bars; −∞ is a gap. */
export function replayLseFigure(r: ReplayResult): PlotlyFigure {
  const n = Math.min(r.numTokens * r.numHeads, 512);
  const x = Array.from({ length: n }, (_, i) => `t${Math.floor(i / r.numHeads)} h${i % r.numHeads}`);
  return {
    data: [...r.subsetLse].map(([name, lse]) => ({ type: 'bar', name, x, y: Array.from(lse.subarray(0, n), (v) => (Number.isFinite(v) ? v : null)) })),
    layout: { title: { text: `${r.prefix}: LSE per token and head${n < r.numTokens * r.numHeads ? ` (first ${n})` : ''}` }, barmode: 'group', height: 320 },
  };
}

export function replayResultBundle(r: ReplayResult, session: PlotlySession): DisplayBundle {
  const out = tensorStats(r.output);
  const text = `ReplayResult(${r.phase}, ${r.prefix}, compress_ratio ${r.compressRatio}, ${r.numTokens} tokens × ${r.numHeads} heads (padded ${r.paddedHeads}), dispatch ${r.dispatch}, `
    + `${r.inputs.size} inputs (${r.synthesized.length} synthesized), output ${statText(out)})`;
  const synth = new Set(r.synthesized);
  const plot = session.bundle(replayLseFigure(r));
  const html = card(`replay of ${r.prefix} (${r.phase})`, kv([['compress_ratio', r.compressRatio], ['tokens × heads (padded)', `${r.numTokens} × ${r.numHeads} (${r.paddedHeads})`], ['dispatch', r.dispatch],
    ...Object.entries(r.knobs).map(([k, v]) => [`knob ${k}`, v] as [string, unknown]), ['output', statText(out)]])
    + tableHtml(tensorRows(r.inputs, (n) => ({ synthesized: synth.has(n) })), 60, 'inputs')) + (plot.data['text/html'] as string);
  return { data: { 'application/vnd.plotly.v1+json': plot.data['application/vnd.plotly.v1+json'], 'text/html': html, 'text/plain': text }, metadata: {} };
}

export function candidateListsBundle(c: CandidateLists): DisplayBundle {
  const rows = Array.from(c.lens, (len, t) => {
    const valid = Array.from(c.slots.subarray(t * c.width, t * c.width + Math.min(len, c.width))).filter((s) => s >= 0);
    return { token: t, len, valid: valid.length, slots: valid.slice(0, 32).join(' ') + (valid.length > 32 ? ' …' : '') };
  });
  const v = rows.map((r) => r.valid);
  const text = `CandidateLists(${c.lens.length} tokens × width ${c.width}, valid per token ${v.length ? `${Math.min(...v)}–${Math.max(...v)}` : '—'})`;
  return { data: { 'text/html': card('candidate lists', tableHtml(rows)), 'text/plain': text }, metadata: {} };
}

export function slotViewBundle(s: SlotView): DisplayBundle {
  const head = `Slot(layer ${s.layer} ${s.cache} cache, slot ${s.slot} = page ${s.page} entry ${s.indexInPage}, ${s.bytes.length} bytes, ${s.values.length} values)`;
  const zero = s.bytes.every((b) => b === 0);
  const inner = s.bytes.length === 584 ? entryDissectionBundle(dissectEntryV4(Uint8Array.from(s.bytes))) : undefined;
  const hexRows = Array.from({ length: Math.ceil(s.bytes.length / 16) }, (_, r) => ({ offset: r * 16, bytes: s.bytes.slice(r * 16, r * 16 + 16).map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ') }));
  const html = card(head, (zero ? '<p>all bytes zero (never written)</p>' : '') + (inner ? (inner.data['text/html'] as string) : tableHtml(hexRows, 40)));
  return { data: { 'text/html': html, 'text/plain': `${head}${zero ? ' [zero]' : ''}` }, metadata: {} };
}

export function sampledRecordsBundle(rs: readonly SampledRecord[]): DisplayBundle {
  const rows = rs.map((s) => ({ reqId: s.reqId, pos: s.pos, tokenId: s.tokenId, draft: s.draftTokenId, accepted: s.accepted, topLogits: s.topLogits.slice(0, 5).map((t) => `${t.tokenId}:${formatCell(t.logit)}`).join(' ') }));
  const b = tableBundle(rows, { title: 'sampled tokens' });
  return { data: { ...b.data, 'text/plain': `${rs.length} sampled: ${rs.map((s) => `${s.reqId}@${s.pos}→${s.tokenId}${s.draftTokenId !== null ? (s.accepted ? ' (draft accepted)' : ` (draft ${s.draftTokenId} rejected)`) : ''}`).join(', ')}` }, metadata: {} };
}

export function tensorFormatters(session: PlotlySession) {
  return [
    { name: 'tensor', test: isTensor, format: (v: unknown) => tensorBundle(v as Tensor, session) },
    { name: 'safetensors-file', test: isSafetensorsFile, format: (v: unknown) => safetensorsBundle(v as SafetensorsFile) },
    { name: 'npy-file', test: isNpyFile, format: (v: unknown) => npyBundle(v as NpyFile, session) },
    { name: 'replay-result', test: isReplayResult, format: (v: unknown) => replayResultBundle(v as ReplayResult, session) },
    { name: 'candidate-lists', test: isCandidateLists, format: (v: unknown) => candidateListsBundle(v as CandidateLists) },
    { name: 'slot-view', test: isSlotView, format: (v: unknown) => slotViewBundle(v as SlotView) },
    { name: 'sampled-records', test: isSampledRecords, format: (v: unknown) => sampledRecordsBundle(v as SampledRecord[]) },
  ];
}
