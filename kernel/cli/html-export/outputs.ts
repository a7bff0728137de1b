/**
 * Cell outputs → HTML through a chain of MIME renderers. Plots are drawn from their
 * `application/vnd.plotly.v1+json` figure with the page's one copy of plotly.js (never with the
 * library copies or shards a saved output carries), keeping the output's static image as the
 * fallback; then text/html, SVG, PNG/JPEG, markdown, JSON and text/plain. `registerHtmlRenderer`
 * puts richer renderers in front.
 */
import { PLOTLY_MIME, plotHtml, type PlotlyFigure } from '../../display/plotly';
import { ansiToHtml } from './ansi';
import { escapeHtml } from './highlight';
import { renderMarkdown } from './markdown';

/** Returns HTML for a MIME bundle, or undefined to let the next renderer try. */
export type HtmlRenderer = (data: Record<string, unknown>, metadata: Record<string, unknown>, page: PageState) => string | undefined;

/** Per-page bookkeeping renderers share (plot ids, whether plotly.js is needed). */
export interface PageState {
  numPlots: number;
}

const renderers: HtmlRenderer[] = [];
/** Extra markup for <head> (scripts a renderer needs, added once per page). */
export const headParts: string[] = [];

export function registerHtmlRenderer(renderer: HtmlRenderer, head?: string): void {
  if (typeof renderer !== 'function') throw new TypeError('registerHtmlRenderer: renderer must be a function');
  renderers.unshift(renderer);
  if (head !== undefined) headParts.push(head);
}

export const text = (v: unknown): string => (Array.isArray(v) ? v.join('') : String(v));

/** The static image a saved plot output carries: its fallback `<img>` (SVG), else its PNG. */
function staticImageOf(data: Record<string, unknown>): string | undefined {
  const html = data['text/html'] !== undefined ? text(data['text/html']) : '';
  const m = /<div class="enginelab-plot-static"[^>]*><img src="(data:image\/[^"]+)"/.exec(html);
  if (m) return m[1];
  if (data['image/png'] !== undefined) return `data:image/png;base64,${text(data['image/png']).trim()}`;
  return undefined;
}

const plotly: HtmlRenderer = (d, _m, page) => {
  const fig = d[PLOTLY_MIME] as PlotlyFigure | undefined;
  if (typeof fig !== 'object' || fig === null || !Array.isArray(fig.data)) return undefined;
  page.numPlots++;
  return plotHtml(fig, `nb-plot-${page.numPlots}`, staticImageOf(d));
};

const defaults: HtmlRenderer[] = [
  plotly,
  (d) => (d['text/html'] !== undefined ? `<div class="html-output">${text(d['text/html'])}</div>` : undefined),
  (d) => (d['image/svg+xml'] !== undefined ? text(d['image/svg+xml']) : undefined),
  (d) => (d['image/png'] !== undefined ? `<img src="data:image/png;base64,${text(d['image/png']).trim()}">` : undefined),
  (d) => (d['image/jpeg'] !== undefined ? `<img src="data:image/jpeg;base64,${text(d['image/jpeg']).trim()}">` : undefined),
  (d) => (d['text/markdown'] !== undefined ? `<div class="markdown">${renderMarkdown(text(d['text/markdown']))}</div>` : undefined),
  (d) => (d['application/json'] !== undefined ? `<pre>${escapeHtml(JSON.stringify(d['application/json'], null, 2))}</pre>` : undefined),
  (d) => (d['text/plain'] !== undefined ? `<pre>${ansiToHtml(text(d['text/plain']))}</pre>` : undefined),
];

export function renderBundle(data: Record<string, unknown>, metadata: Record<string, unknown> = {}, page: PageState = { numPlots: 0 }): string {
  for (const r of [...renderers, ...defaults]) {
    const html = r(data, metadata, page);
    if (html !== undefined) return html;
  }
  return `<pre class="unsupported">[${escapeHtml(Object.keys(data).join(', '))}]</pre>`;
}

export type Output = Record<string, unknown> & { output_type: string };

/** One output: its prompt (`Out [n]:` for execute results) and its body. */
export function renderOutput(o: Output, page: PageState): { prompt: string; body: string } {
  switch (o.output_type) {
    case 'stream':
      return { prompt: '', body: `<pre class="stream ${escapeHtml(String(o.name))}">${ansiToHtml(text(o.text))}</pre>` };
    case 'error': {
      const tb = Array.isArray(o.traceback) && o.traceback.length ? (o.traceback as string[]).join('\n') : `${String(o.ename)}: ${String(o.evalue)}`;
      return { prompt: '', body: `<pre class="error">${ansiToHtml(tb)}</pre>` };
    }
    case 'execute_result': {
      const n = typeof o.execution_count === 'number' ? o.execution_count : ' ';
      return { prompt: `Out [${n}]:`, body: renderBundle((o.data ?? {}) as Record<string, unknown>, (o.metadata ?? {}) as Record<string, unknown>, page) };
    }
    default:
      return { prompt: '', body: renderBundle((o.data ?? {}) as Record<string, unknown>, (o.metadata ?? {}) as Record<string, unknown>, page) };
  }
}
