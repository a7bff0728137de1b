/**
 * nbformat 4 notebooks: reading (with errors naming what is wrong), turning iopub messages into
 * cell outputs the way Jupyter frontends do (stream text merged, clear_output with `wait`,
 * update_display_data replacing every output carrying that display_id), and writing.
 */
import { randomUUID } from 'node:crypto';
import type { JupyterMessage } from '../protocol/messages';

export type Output = Record<string, unknown> & { output_type: string };

export interface Cell {
  id?: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata: Record<string, unknown>;
  execution_count?: number | null;
  outputs?: Output[];
  attachments?: unknown;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export function sourceText(source: string | string[]): string {
  return Array.isArray(source) ? source.join('') : source;
}

/** Jupyter stores multi-line strings as lists of lines, each keeping its newline. */
export function toLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function parseNotebook(text: string, path: string): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not valid JSON`);
  }
  if (typeof nb !== 'object' || nb === null || Array.isArray(nb)) throw new Error(`${path}: a notebook must be a JSON object`);
  const n = nb as Partial<Notebook>;
  if (n.nbformat !== 4) throw new Error(`${path}: nbformat must be 4, got ${JSON.stringify(n.nbformat)}`);
  if (!Array.isArray(n.cells)) throw new Error(`${path}: cells must be an array`);
  n.cells.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) throw new Error(`${path}: cell ${i} must be an object`);
    if (!['code', 'markdown', 'raw'].includes(c.cell_type)) throw new Error(`${path}: cell ${i} has unknown cell_type ${JSON.stringify(c.cell_type)}`);
    if (typeof c.source !== 'string' && !(Array.isArray(c.source) && c.source.every((s) => typeof s === 'string'))) throw new Error(`${path}: cell ${i} source must be a string or a list of strings`);
    c.metadata ??= {};
  });
  return { nbformat: 4, nbformat_minor: Math.max(5, Number(n.nbformat_minor ?? 5)), metadata: n.metadata ?? {}, cells: n.cells };
}

export function serializeNotebook(nb: Notebook): string {
  for (const c of nb.cells) {
    c.id ??= randomUUID().slice(0, 8);
    if (typeof c.source === 'string') c.source = toLines(c.source);
  }
  return JSON.stringify(nb, null, 1) + '\n';
}

/** Collects one cell's outputs from its iopub messages; shares display-id bookkeeping across cells. */
export class OutputCollector {
  private readonly byDisplayId = new Map<string, Output[]>();
  private clearPending = false;

  constructor(private outputs: Output[] = []) {}

  startCell(outputs: Output[]): void {
    this.outputs = outputs;
    this.clearPending = false;
  }

  add(msg: JupyterMessage): void {
    const c = msg.content;
    const type = msg.header.msg_type;
    if (type === 'clear_output') {
      if (c.wait === true) this.clearPending = true;
      else this.outputs.length = 0;
      return;
    }
    if (type === 'update_display_data') {
      const id = (c.transient as { display_id?: string } | undefined)?.display_id;
      for (const o of (id && this.byDisplayId.get(id)) || []) {
        o.data = c.data;
        o.metadata = c.metadata ?? {};
      }
      return;
    }
    let out: Output | undefined;
    if (type === 'stream') {
      const name = String(c.name);
      const text = String(c.text ?? '');
      if (this.clearPending) this.flushClear();
      const last = this.outputs[this.outputs.length - 1];
      if (last && last.output_type === 'stream' && last.name === name) {
        last.text = String(last.text) + text;
        return;
      }
      out = { output_type: 'stream', name, text };
    } else if (type === 'display_data') {
      out = { output_type: 'display_data', data: c.data ?? {}, metadata: c.metadata ?? {} };
      const id = (c.transient as { display_id?: string } | undefined)?.display_id;
      if (typeof id === 'string') {
        const list = this.byDisplayId.get(id) ?? [];
        list.push(out);
        this.byDisplayId.set(id, list);
      }
    } else if (type === 'execute_result') {
      out = { output_type: 'execute_result', execution_count: c.execution_count ?? null, data: c.data ?? {}, metadata: c.metadata ?? {} };
    } else if (type === 'error') {
      out = { output_type: 'error', ename: String(c.ename ?? 'Error'), evalue: String(c.evalue ?? ''), traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [] };
    }
    if (out === undefined) return;
    if (this.clearPending) this.flushClear();
    this.outputs.push(out);
  }

  private flushClear(): void {
    this.outputs.length = 0;
    this.clearPending = false;
  }
}
