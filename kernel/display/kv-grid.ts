/**
 * The KV cache as a grid, one square per physical block in rows of `columns`, coloured by the
 * request that holds it. A colour key (legend) names every colour: null block, free, free but
 * still prefix-cached, shared, and each owner; shared prefix blocks (several owners) are gold
 * and carry their reference count as a mark, so sharing reads without hovering.
 */
import type { Engine } from '../../engine/index';
import type { PlotlyFigure } from './plotly';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf',
  '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1'];
const FREE = '#eeeeee';
const FREE_CACHED = '#c6dbef';
const NULL_BLOCK = '#000000';
const SHARED = '#ffd700';
/** Owners named in the colour key; more would crowd it (their colours repeat anyway). */
const MAX_KEYED_OWNERS = 12;

export interface KvCell {
  readonly blockId: number;
  /** Holders' request ids; empty for a free block. */
  readonly owners: readonly string[];
  readonly refCount: number;
  readonly cached: boolean;
  readonly isNull?: boolean;
}

/** The KV cache as one cell per block, from the façade's block views and block tables. */
export function kvCells(engine: Engine): KvCell[] {
  const owners = new Map<number, string[]>();
  for (const r of engine.requests) {
    if (r.status.startsWith('FINISHED_')) continue;
    for (const b of engine.blockTable(r.requestId)) {
      const list = owners.get(b);
      if (list) { if (!list.includes(r.requestId)) list.push(r.requestId); } else owners.set(b, [r.requestId]);
    }
  }
  const cells: KvCell[] = [];
  const numBlocks = engine.kvUsage.numGpuBlocks;
  for (let b = 0; b < numBlocks; b++) {
    const view = engine.block(b);
    cells.push({ blockId: b, owners: owners.get(b) ?? [], refCount: view.refCount, cached: view.blockHash !== null, isNull: view.isNull });
  }
  return cells;
}

/** A legend entry with no data: the colour key of the heatmap. */
function keyEntry(name: string, colour: string): Record<string, unknown> {
  return { type: 'scatter', mode: 'markers', name, x: [null], y: [null], marker: { color: colour, symbol: 'square', size: 12, line: { color: '#999', width: 1 } }, hoverinfo: 'skip', showlegend: true };
}

export function kvGridFigure(cells: readonly KvCell[], options: { columns?: number; title?: string } = {}): PlotlyFigure {
  const columns = options.columns ?? Math.max(8, Math.min(64, Math.ceil(Math.sqrt(cells.length * 2))));
  if (!Number.isInteger(columns) || columns < 1) throw new TypeError(`options.columns must be a positive integer, got ${String(options.columns)}`);
  const ownerIds = [...new Set(cells.flatMap((c) => c.owners))];
  const ownerColour = new Map(ownerIds.map((o, i) => [o, 4 + (i % PALETTE.length)]));
  const colours = [NULL_BLOCK, FREE, FREE_CACHED, SHARED, ...PALETTE];
  const numRows = Math.ceil(cells.length / columns);
  const z: (number | null)[][] = [];
  const text: string[][] = [];
  const marks = { x: [] as number[], y: [] as number[], text: [] as string[] };
  for (let r = 0; r < numRows; r++) {
    const zr: (number | null)[] = [];
    const tr: string[] = [];
    for (let c = 0; c < columns; c++) {
      const cell = cells[r * columns + c];
      if (!cell) { zr.push(null); tr.push(''); continue; }
      const shared = cell.owners.length > 1;
      const k = cell.isNull ? 0 : shared ? 3 : cell.owners.length ? ownerColour.get(cell.owners[0]!)! : cell.cached ? 2 : 1;
      zr.push(k + 0.5);
      tr.push(`block ${cell.blockId}<br>${cell.isNull ? 'null block' : cell.owners.length ? `held by ${cell.owners.join(', ')}` : 'free'}<br>refCount ${cell.refCount}${cell.cached ? '<br>prefix-cached' : ''}`);
      if (shared) { marks.x.push(c); marks.y.push(r); marks.text.push(String(cell.refCount)); }
    }
    z.push(zr);
    text.push(tr);
  }
  const m = colours.length;
  const colorscale: [number, string][] = [];
  colours.forEach((col, i) => { colorscale.push([i / m, col], [(i + 1) / m, col]); });
  const present = (pred: (c: KvCell) => boolean) => cells.some(pred);
  const key = [
    ...(present((c) => !!c.isNull) ? [keyEntry('null block', NULL_BLOCK)] : []),
    keyEntry('free', FREE),
    ...(present((c) => !c.isNull && c.owners.length === 0 && c.cached) ? [keyEntry('free, prefix-cached', FREE_CACHED)] : []),
    ...(present((c) => c.owners.length > 1) ? [keyEntry('shared (number = refCount)', SHARED)] : []),
    ...ownerIds.slice(0, MAX_KEYED_OWNERS).map((o) => keyEntry(o, colours[ownerColour.get(o)!]!)),
    ...(ownerIds.length > MAX_KEYED_OWNERS ? [keyEntry(`… ${ownerIds.length - MAX_KEYED_OWNERS} more requests`, '#ffffff')] : []),
  ];
  return {
    data: [
      { type: 'heatmap', z, text, hoverinfo: 'text', colorscale, zmin: 0, zmax: m, showscale: false, xgap: 1, ygap: 1 },
      { type: 'scatter', mode: 'text', name: 'refCount of shared blocks', x: marks.x, y: marks.y, text: marks.text, textfont: { size: 9, color: '#000' }, hoverinfo: 'skip', showlegend: false },
      ...key,
    ],
    layout: {
      title: { text: options.title ?? `KV cache: ${cells.length} blocks, ${cells.filter((c) => c.owners.length).length} in use, ${ownerIds.length} requests` },
      height: Math.min(760, 170 + 14 * numRows), margin: { l: 40, r: 10, t: 40, b: 20 }, showlegend: true,
      legend: { orientation: 'h', y: -0.04, yanchor: 'top', font: { size: 11 } },
      yaxis: { autorange: 'reversed', title: { text: `row (× ${columns} blocks)` }, zeroline: false },
      xaxis: { showticklabels: false, zeroline: false, showgrid: false },
    },
  };
}
