/**
 * Rich displays of the numeric side of the engine: `compare()` reports (per-tensor error summary
 * and an absolute-error heatmap), sparse-MLA dump records (shapes, strides and knobs),
 * `sparseMlaAttention` results (LSE per token and head, per subset), V4 entry dissections (byte
 * table) and the model inspector's token views (candidates, indexer top-k with scores, subset
 * LSEs). All are plain records, so they are matched by duck typing.
 */
import type { CompareReport, TensorComparison, ElementError, SparseMlaDumpRecord, SparseMlaResult, EntryFieldV4, TokenView, TensorSummary } from '../../engine/index';
import type { DisplayBundle } from './mime';
import type { PlotlyFigure } from './plotly';
import type { PlotlySession } from './plotly-session';
import { escapeHtml, formatCell, tableBundle } from './table';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Tag test, so arrays from another realm (a vm context) match too. */
const isF64 = (v: unknown): v is Float64Array => Object.prototype.toString.call(v) === '[object Float64Array]';

export function isTensorComparison(v: unknown): v is TensorComparison {
  return isObj(v) && typeof v.name === 'string' && Array.isArray(v.shape) && typeof v.numDiffering === 'number' && typeof v.numBeyondTolerance === 'number' && typeof v.allClose === 'boolean' && isObj(v.plot);
}

export function isCompareReport(v: unknown): v is CompareReport {
  return isObj(v) && Array.isArray(v.tensors) && Array.isArray(v.missingInA) && Array.isArray(v.missingInB) && typeof v.allClose === 'boolean' && v.tensors.every(isTensorComparison);
}

const isTensorSummary = (v: unknown): v is TensorSummary => isObj(v) && Array.isArray(v.shape) && Array.isArray(v.stride) && typeof v.dtype === 'string';

export function isSparseMlaDumpRecord(v: unknown): v is SparseMlaDumpRecord {
  return isObj(v) && typeof v.phase === 'string' && typeof v.prefix === 'string' && typeof v.compress_ratio === 'number' && (v.q === null || isTensorSummary(v.q)) && isObj(v.fields) && isObj(v.swa_metadata) && typeof v.line === 'number';
}

export function isSparseMlaResult(v: unknown): v is SparseMlaResult {
  if (!isObj(v) || !isF64(v.out) || !Array.isArray(v.subsets) || v.subsets.length === 0) return false;
  return v.subsets.every((s) => isObj(s) && isF64(s.out) && isF64(s.lse) && Array.isArray(s.states) && s.states.length > 0 && isObj(s.states[0]) && typeof s.states[0].numHeads === 'number');
}

export function isEntryDissection(v: unknown): v is EntryFieldV4[] {
  const row = (r: unknown) => isObj(r) && typeof r.offset === 'number' && typeof r.numBytes === 'number' && typeof r.meaning === 'string' && typeof r.bytesHex === 'string' && 'decoded' in r;
  return Array.isArray(v) && v.length > 0 && row(v[0]) && row(v[v.length - 1]);
}

export function isTokenView(v: unknown): v is TokenView {
  return isObj(v) && typeof v.batchId === 'number' && typeof v.reqId === 'string' && typeof v.pos === 'number' && typeof v.layer === 'number' && typeof v.head === 'number' && Array.isArray(v.candidates) && Array.isArray(v.subsets) && Array.isArray(v.entryBytes);
}

function kv(rows: [string, unknown][]): string {
  return '<table style="font-size:12px;border-collapse:collapse">' + rows.map(([k, v]) =>
    `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(k)}</th><td style="text-align:right">${escapeHtml(formatCell(v))}</td></tr>`).join('') + '</table>';
}

function card(title: string, body: string): string {
  return `<div class="enginelab-view" style="font-family:sans-serif"><b>${escapeHtml(title)}</b>${body}</div>`;
}

const tableHtml = (rows: Record<string, unknown>[], maxRows = 40, title?: string): string =>
  rows.length ? (tableBundle(rows, { maxRows, ...(title ? { title } : {}) }).data['text/html'] as string) : '';
const dims = (s: readonly number[]) => `[${s.join(', ')}]`;
const tsText = (t: TensorSummary | null, withDtype = true) => (t ? `${dims(t.shape)}${withDtype ? ` ${t.dtype}` : ''}` : 'None');
const at = (e: ElementError | undefined) => (e ? `${formatCell(e.value)} at ${dims(e.index)}` : '—');

// ---- compare ----------------------------------------------------------------------------------

/**
 * Absolute error as a heatmap: rows are the leading dimensions flattened, columns the last one,
 * max-pooled down to at most `maxRows` × `maxCols` cells so large tensors stay drawable.
 */
export function compareHeatmapFigure(c: TensorComparison, options: { maxRows?: number; maxCols?: number } = {}): PlotlyFigure {
  const err = c.plot.absError;
  const numCols = c.shape.length ? c.shape[c.shape.length - 1]! : 1;
  const numRows = numCols ? Math.max(1, err.length / numCols) : 1;
  const rowStep = Math.ceil(numRows / (options.maxRows ?? 128));
  const colStep = Math.ceil(numCols / (options.maxCols ?? 256));
  const z: (number | null)[][] = [];
  for (let r0 = 0; r0 < numRows; r0 += rowStep) {
    const zr: (number | null)[] = [];
    for (let c0 = 0; c0 < numCols; c0 += colStep) {
      let m = 0;
      for (let r = r0; r < Math.min(numRows, r0 + rowStep); r++) for (let k = c0; k < Math.min(numCols, c0 + colStep); k++) m = Math.max(m, err[r * numCols + k]!);
      zr.push(Number.isFinite(m) ? m : null);
    }
    z.push(zr);
  }
  const pooled = rowStep > 1 || colStep > 1 ? ` (max over ${rowStep}×${colStep} cells)` : '';
  return {
    data: [{ type: 'heatmap', z, colorscale: 'Viridis', colorbar: { title: { text: '|a − b|' } }, hovertemplate: 'row %{y}, col %{x}: %{z}<extra></extra>' }],
    layout: {
      title: { text: `${c.name}: |a − b| over ${dims(c.shape)}${pooled}` }, height: Math.min(600, 160 + 4 * z.length),
      yaxis: { autorange: 'reversed', title: { text: `${c.shape.slice(0, -1).join('×') || '1'} (flattened)${rowStep > 1 ? ` ÷ ${rowStep}` : ''}` } },
      xaxis: { title: { text: `last dim${colStep > 1 ? ` ÷ ${colStep}` : ''}` } }, margin: { l: 60, r: 10, t: 40, b: 40 },
    },
  };
}

function comparisonRow(c: TensorComparison): Record<string, unknown> {
  return {
    tensor: c.name, shape: c.shapeMismatch ? `${dims(c.shapeMismatch.a)} vs ${dims(c.shapeMismatch.b)}` : dims(c.shape),
    allClose: c.allClose, differing: c.numDiffering, beyondTol: c.numBeyondTolerance,
    firstDiff: c.firstDiff ? dims(c.firstDiff.index) : '—', maxAbs: at(c.maxAbsError), maxRel: at(c.maxRelError), maxUlp: at(c.maxUlpError),
  };
}

export function compareReportBundle(r: CompareReport, session: PlotlySession): DisplayBundle {
  const failing = r.tensors.filter((t) => !t.allClose);
  const lines = r.tensors.map((t) => `  ${t.name} ${t.shapeMismatch ? `shape ${dims(t.shapeMismatch.a)} vs ${dims(t.shapeMismatch.b)}` : `${dims(t.shape)}: ${t.allClose ? 'close' : `${t.numBeyondTolerance}/${t.numElements} beyond tolerance`}, first diff ${t.firstDiff ? dims(t.firstDiff.index) : '—'}, max abs ${at(t.maxAbsError)}, max ulp ${t.maxUlpError ? formatCell(t.maxUlpError.value) : '—'}`}`);
  const missing = [...r.missingInA.map((n) => `${n} (missing in a)`), ...r.missingInB.map((n) => `${n} (missing in b)`)];
  const text = [`CompareReport(${r.allClose ? 'all close' : `${failing.length} of ${r.tensors.length} tensors differ`}${missing.length ? `, missing: ${missing.join(', ')}` : ''})`, ...lines].join('\n');
  const worst = (failing.length ? failing : r.tensors).filter((t) => !t.shapeMismatch && t.numElements > 0)
    .sort((a, b) => (b.maxAbsError?.value ?? 0) - (a.maxAbsError?.value ?? 0))[0];
  const plot = worst && worst.numDiffering > 0 ? session.bundle(compareHeatmapFigure(worst)) : undefined;
  const html = card(`compare: ${r.allClose ? 'all close' : `${failing.length} of ${r.tensors.length} tensors differ`}`,
    tableHtml(r.tensors.map(comparisonRow)) + (missing.length ? `<p>missing: ${escapeHtml(missing.join(', '))}</p>` : ''))
    + (plot ? (plot.data['text/html'] as string) : '');
  return { data: { ...(plot ? { 'application/vnd.plotly.v1+json': plot.data['application/vnd.plotly.v1+json'] } : {}), 'text/html': html, 'text/plain': text }, metadata: {} };
}

export function tensorComparisonBundle(c: TensorComparison, session: PlotlySession): DisplayBundle {
  return compareReportBundle({ tensors: [c], missingInA: [], missingInB: [], allClose: c.allClose }, session);
}

// ---- dump records -----------------------------------------------------------------------------

/** Every tensor summary of a record as (section, field) rows, in the record's key order. */
function dumpTensorRows(r: SparseMlaDumpRecord): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const add = (section: string, o: object | null) => {
    if (!o) return;
    for (const [name, t] of Object.entries(o)) {
      if (isTensorSummary(t)) rows.push({ section, field: name, dtype: t.dtype, shape: dims(t.shape), stride: dims(t.stride), contiguous: t.is_contiguous, device: t.device });
      else if (t === null) rows.push({ section, field: name, dtype: 'None' });
    }
  };
  add('record', { q: r.q, output: r.output });
  add('fields', r.fields);
  add('swa_metadata', r.swa_metadata);
  add('flashmla_metadata', r.flashmla_metadata);
  return rows;
}

function dumpKnobs(r: SparseMlaDumpRecord): [string, unknown][] {
  const scalars = (o: object | null, prefix: string) => (o ? Object.entries(o).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean').map(([k, v]) => [prefix + k, v] as [string, unknown]) : []);
  return [['line', r.line], ['phase', r.phase], ['prefix', r.prefix], ['compress_ratio', r.compress_ratio], ['attn_metadata_present', r.attn_metadata_present],
    ...scalars(r.fields, ''), ...scalars(r.swa_metadata, 'swa_metadata.'), ...scalars(r.flashmla_metadata, 'flashmla_metadata.'),
    ...(r.unknownKeys.length ? [['unknown keys', r.unknownKeys.join(', ')] as [string, unknown]] : [])];
}

export function dumpRecordBundle(r: SparseMlaDumpRecord): DisplayBundle {
  const text = `SparseMlaDumpRecord(line ${r.line}, ${r.phase}, ${r.prefix}, compress_ratio ${r.compress_ratio}, q ${tsText(r.q)}, output ${tsText(r.output, false)}, scale ${r.fields.scale}, swa_only ${r.fields.swa_only})`;
  const html = card(`sparse MLA dump record (line ${r.line}, ${r.phase})`, kv(dumpKnobs(r)) + tableHtml(dumpTensorRows(r), 60, 'tensors'));
  return { data: { 'text/html': html, 'text/plain': text }, metadata: {} };
}

export function dumpRecordsBundle(rs: readonly SparseMlaDumpRecord[]): DisplayBundle {
  const rows = rs.map((r) => ({ line: r.line, phase: r.phase, prefix: r.prefix, compressRatio: r.compress_ratio, q: tsText(r.q), output: tsText(r.output, false), scale: r.fields.scale, swaOnly: r.fields.swa_only }));
  const b = tableBundle(rows, { title: `${rs.length} sparse MLA dump records` });
  return { data: { ...b.data, 'text/plain': `${rs.length} SparseMlaDumpRecords\n${b.data['text/plain'] as string}` }, metadata: {} };
}

// ---- attention results -------------------------------------------------------------------------

function resultDims(r: SparseMlaResult): { numTokens: number; numHeads: number; headDim: number } {
  const s = r.subsets[0]!.states[0]!;
  return { numTokens: r.subsets[0]!.states.length, numHeads: s.numHeads, headDim: s.headDim };
}

/** LSE (no sink) of every (token, head), one bar trace per subset; −∞ (no valid candidate) is a gap. */
export function attentionLseFigure(r: SparseMlaResult, options: { subsetNames?: readonly string[]; maxBars?: number } = {}): PlotlyFigure {
  const { numTokens: T, numHeads: H } = resultDims(r);
  const n = Math.min(T * H, options.maxBars ?? 512);
  const x = Array.from({ length: n }, (_, i) => (T === 1 ? `h${i % H}` : `t${Math.floor(i / H)} h${i % H}`));
  return {
    data: r.subsets.map((s, j) => ({ type: 'bar', name: options.subsetNames?.[j] ?? `subset ${j}`, x, y: Array.from(s.lse.subarray(0, n), (v) => (Number.isFinite(v) ? v : null)) })),
    layout: { title: { text: `LSE (no sink) per ${T === 1 ? 'head' : 'token and head'}${n < T * H ? ` (first ${n} of ${T * H})` : ''}` }, barmode: 'group', height: 320, yaxis: { title: { text: 'lse' } } },
  };
}

export function attentionResultBundle(r: SparseMlaResult, session: PlotlySession): DisplayBundle {
  const { numTokens: T, numHeads: H, headDim: D } = resultDims(r);
  let maxOut = 0;
  for (const v of r.out) maxOut = Math.max(maxOut, Math.abs(v));
  const subsetRows = r.subsets.map((s, j) => {
    const finite = Array.from(s.lse).filter(Number.isFinite);
    return { subset: j, emptyRows: s.lse.length - finite.length, minLse: finite.length ? Math.min(...finite) : null, maxLse: finite.length ? Math.max(...finite) : null };
  });
  const text = `SparseMlaResult(${T} tokens × ${H} heads × ${D} dims, ${r.subsets.length} subsets, max |out| ${formatCell(maxOut)}; lse ${subsetRows.map((s) => `[${formatCell(s.minLse)}, ${formatCell(s.maxLse)}]${s.emptyRows ? ` (${s.emptyRows} −∞)` : ''}`).join(' ')})`;
  const plot = session.bundle(attentionLseFigure(r));
  const html = card('sparse MLA attention', kv([['tokens × heads × head dim', `${T} × ${H} × ${D}`], ['subsets', r.subsets.length], ['max |merged out|', maxOut]]) + tableHtml(subsetRows))
    + (plot.data['text/html'] as string);
  return { data: { 'application/vnd.plotly.v1+json': plot.data['application/vnd.plotly.v1+json'], 'text/html': html, 'text/plain': text }, metadata: {} };
}

// ---- entry dissection --------------------------------------------------------------------------

export function entryDissectionBundle(rows: readonly EntryFieldV4[]): DisplayBundle {
  const numBytes = rows.reduce((a, f) => a + f.numBytes, 0);
  const kinds = new Map<string, number>();
  for (const f of rows) { const k = f.meaning.split(' dim ')[0]!.split(' of ')[0]!; kinds.set(k, (kinds.get(k) ?? 0) + 1); }
  const groups = [...kinds].map(([k, n]) => `${n} × ${k}`).join(', ');
  const text = `EntryDissection(${numBytes} bytes in ${rows.length} fields: ${groups})`;
  const table = rows.map((f) => ({ offset: f.offset, bytes: f.numBytes, hex: f.bytesHex, decoded: f.decoded, meaning: f.meaning }));
  const html = card(`V4 cache entry: ${numBytes} bytes`, `<p style="font-size:12px">${escapeHtml(groups)}</p>` + tableHtml(table, 600));
  return { data: { 'text/html': html, 'text/plain': text }, metadata: {} };
}

// ---- inspector token views ---------------------------------------------------------------------

export function tokenViewBundle(v: TokenView): DisplayBundle {
  const text = `TokenView(batch ${v.batchId}, ${v.reqId} pos ${v.pos} token ${v.tokenId}, layer ${v.layer} ratio ${v.ratio} head ${v.head}, slot ${v.slot}; `
    + `${v.subsets.map((s) => `${s.name} lse ${formatCell(s.lse)}`).join(', ')}, sink ${formatCell(v.sink)}`
    + `${v.indexer ? `; indexer top-${v.indexer.topk.length} of ${v.indexer.numVisible}` : ''})`;
  const summary = kv([
    ['request / pos / token', `${v.reqId} / ${v.pos} / ${v.tokenId}`], ['batch', v.batchId], ['layer (ratio) / head', `${v.layer} (${v.ratio}) / ${v.head}`],
    ['token-cache slot', v.slot], ['compressed write', v.compressedWrite ? `entry ${v.compressedWrite.index} at slot ${v.compressedWrite.slot}` : '—'], ['sink', v.sink],
  ]);
  const lseByName = new Map(v.subsets.map((s) => [s.name, s.lse]));
  const subsets = v.candidates.map((c) => ({ subset: c.name, candidates: c.len, valid: c.slots.length, lse: lseByName.get(c.name) ?? null, slots: c.slots.slice(0, 24).join(' ') + (c.slots.length > 24 ? ' …' : '') }));
  const topk = v.indexer ? v.indexer.topk.map((t, i) => ({ rank: i, local: t.local, slot: t.slot, score: t.score })) : [];
  const html = card(`Token ${v.reqId}@${v.pos}, layer ${v.layer}, head ${v.head}`, summary + tableHtml(subsets, 40, 'candidates per subset')
    + (v.indexer ? tableHtml(topk, 64, `indexer top-k (${v.indexer.numVisible} visible)`) : ''));
  return { data: { 'text/html': html, 'text/plain': text }, metadata: {} };
}

export function numericFormatters(session: PlotlySession) {
  return [
    { name: 'compare-report', test: isCompareReport, format: (v: unknown) => compareReportBundle(v as CompareReport, session) },
    { name: 'tensor-comparison', test: isTensorComparison, format: (v: unknown) => tensorComparisonBundle(v as TensorComparison, session) },
    { name: 'sparse-mla-dump-record', test: isSparseMlaDumpRecord, format: (v: unknown) => dumpRecordBundle(v as SparseMlaDumpRecord) },
    { name: 'sparse-mla-dump-records', test: (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isSparseMlaDumpRecord), format: (v: unknown) => dumpRecordsBundle(v as SparseMlaDumpRecord[]) },
    { name: 'sparse-mla-result', test: isSparseMlaResult, format: (v: unknown) => attentionResultBundle(v as SparseMlaResult, session) },
    { name: 'entry-dissection', test: isEntryDissection, format: (v: unknown) => entryDissectionBundle(v as EntryFieldV4[]) },
    { name: 'token-view', test: isTokenView, format: (v: unknown) => tokenViewBundle(v as TokenView) },
  ];
}
