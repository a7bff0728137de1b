/**
 * Standalone HTML for an executed notebook. Outputs render through a chain of MIME renderers;
 * `registerHtmlRenderer` lets other parts (e.g. offline plotly) add richer ones in front of the
 * defaults (text/html, SVG, PNG/JPEG, markdown and JSON as text, then text/plain).
 */
import { sourceText, type Notebook, type Output } from './notebook';

/** Returns HTML for a MIME bundle, or undefined to let the next renderer try. */
export type HtmlRenderer = (data: Record<string, unknown>, metadata: Record<string, unknown>) => string | undefined;

const renderers: HtmlRenderer[] = [];
/** Extra markup for <head> (scripts a renderer needs, added once per page). */
const headParts: string[] = [];

export function registerHtmlRenderer(renderer: HtmlRenderer, head?: string): void {
  if (typeof renderer !== 'function') throw new TypeError('registerHtmlRenderer: renderer must be a function');
  renderers.unshift(renderer);
  if (head !== undefined) headParts.push(head);
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

const text = (v: unknown): string => (Array.isArray(v) ? v.join('') : String(v));

const defaults: HtmlRenderer[] = [
  (d) => (d['text/html'] !== undefined ? text(d['text/html']) : undefined),
  (d) => (d['image/svg+xml'] !== undefined ? text(d['image/svg+xml']) : undefined),
  (d) => (d['image/png'] !== undefined ? `<img src="data:image/png;base64,${text(d['image/png']).trim()}">` : undefined),
  (d) => (d['image/jpeg'] !== undefined ? `<img src="data:image/jpeg;base64,${text(d['image/jpeg']).trim()}">` : undefined),
  (d) => (d['text/markdown'] !== undefined ? `<pre class="md">${escapeHtml(text(d['text/markdown']))}</pre>` : undefined),
  (d) => (d['application/json'] !== undefined ? `<pre>${escapeHtml(JSON.stringify(d['application/json'], null, 2))}</pre>` : undefined),
  (d) => (d['text/plain'] !== undefined ? `<pre>${escapeHtml(stripAnsi(text(d['text/plain'])))}</pre>` : undefined),
];

export function renderBundle(data: Record<string, unknown>, metadata: Record<string, unknown> = {}): string {
  for (const r of [...renderers, ...defaults]) {
    const html = r(data, metadata);
    if (html !== undefined) return html;
  }
  return `<pre class="unsupported">[${escapeHtml(Object.keys(data).join(', '))}]</pre>`;
}

function renderOutput(o: Output): string {
  switch (o.output_type) {
    case 'stream':
      return `<pre class="stream ${escapeHtml(String(o.name))}">${escapeHtml(stripAnsi(text(o.text)))}</pre>`;
    case 'error':
      return `<pre class="error">${escapeHtml(stripAnsi((o.traceback as string[]).join('\n') || `${String(o.ename)}: ${String(o.evalue)}`))}</pre>`;
    default:
      return `<div class="rich">${renderBundle((o.data ?? {}) as Record<string, unknown>, (o.metadata ?? {}) as Record<string, unknown>)}</div>`;
  }
}

/** A small markdown subset for prose cells: headings, lists, code spans/blocks, bold, italics, links. */
export function renderMarkdown(md: string): string {
  const inline = (s: string) =>
    escapeHtml(s)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/\*([^*]+)\*/g, '<em>$1</em>')
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
  const out: string[] = [];
  const blocks = md.split(/\n```/);
  blocks.forEach((block, i) => {
    if (i % 2 === 1) {
      out.push(`<pre><code>${escapeHtml(block.replace(/^[^\n]*\n/, ''))}</code></pre>`);
      return;
    }
    for (const para of block.split(/\n\s*\n/)) {
      const lines = para.split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0) continue;
      const h = /^(#{1,6})\s+(.*)$/.exec(lines[0]!);
      if (h && lines.length === 1) out.push(`<h${h[1]!.length}>${inline(h[2]!)}</h${h[1]!.length}>`);
      else if (lines.every((l) => /^\s*[-*]\s+/.test(l))) out.push(`<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*]\s+/, ''))}</li>`).join('')}</ul>`);
      else out.push(`<p>${lines.map(inline).join(' ')}</p>`);
    }
  });
  return out.join('\n');
}

export function notebookToHtml(nb: Notebook, title: string): string {
  const cells = nb.cells.map((c) => {
    const src = sourceText(c.source);
    if (c.cell_type === 'markdown') return `<div class="cell markdown">${renderMarkdown(src)}</div>`;
    if (c.cell_type === 'raw') return `<div class="cell raw"><pre>${escapeHtml(src)}</pre></div>`;
    const count = c.execution_count ?? ' ';
    return `<div class="cell code"><div class="input"><span class="prompt">In [${count}]:</span><pre>${escapeHtml(src)}</pre></div><div class="outputs">${(c.outputs ?? []).map(renderOutput).join('\n')}</div></div>`;
  });
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
.cell{margin:1em 0}.input{display:flex;gap:.5em}.prompt{color:#307fc1;font-family:monospace;white-space:nowrap}
pre{background:#f7f7f7;padding:.5em;overflow-x:auto;margin:.2em 0}.outputs pre{background:none}
.stream.stderr{background:#fdd}.error{background:#fdd;color:#900}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}
</style>
${headParts.join('\n')}
</head><body>
${cells.join('\n')}
</body></html>
`;
}
