/**
 * Plotly figures → one MIME bundle: `application/vnd.plotly.v1+json` (an object, for JupyterLab
 * with the plotly extension, VS Code, nteract), a `text/html` fallback that draws with plotly.js
 * under require.js (classic Notebook 6, nbconvert) and without it, and `text/plain`.
 *
 * plotly.js (npm `plotly.js-dist-min`, never a CDN) is inlined once per kernel session: the
 * first plot carries it, later ones reuse `window.Plotly`. A plot drawn before the library
 * arrives waits for the `enginelab-plotly-ready` event. Every plot carries a static fallback (its
 * text summary; `enginelab run` replaces it by an image and spreads the library over all plot
 * outputs so that no single one's removal loses it, plotly-persist.ts). When the cell that
 * carried the library runs again, its old output is about to be replaced, so the new output
 * carries the library again. Figures pass through figure-hygiene.ts (string titles → `{ text }`).
 */
import { readFileSync } from 'node:fs';
import { localRequire } from './local-require';
import type { DisplayBundle } from './mime';
import { normaliseFigure } from './figure-hygiene';
import type { PlotlyFigure } from './plotly-figure';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
export const PLOTLY_READY_EVENT = 'enginelab-plotly-ready';

export type { PlotlyFigure } from './plotly-figure';

/** Duck test: `{ data: [...traces] }`, traces being objects, optional layout/config objects. */
export function isPlotlyFigure(v: unknown): v is PlotlyFigure {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const f = v as Record<string, unknown>;
  if (!Array.isArray(f.data) || !f.data.every((t) => typeof t === 'object' && t !== null && !Array.isArray(t))) return false;
  for (const k of ['layout', 'config'] as const) {
    if (f[k] !== undefined && (typeof f[k] !== 'object' || f[k] === null || Array.isArray(f[k]))) return false;
  }
  return true;
}

/** Validates a figure, naming what is wrong. */
export function checkFigure(v: unknown, argument = 'figure'): PlotlyFigure {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`${argument} must be a plotly figure object { data, layout?, config? }`);
  const f = v as Record<string, unknown>;
  if (!Array.isArray(f.data)) throw new TypeError(`${argument}.data must be an array of traces`);
  f.data.forEach((t, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new TypeError(`${argument}.data[${i}] must be a trace object`);
  });
  for (const k of ['layout', 'config'] as const) {
    if (f[k] !== undefined && (typeof f[k] !== 'object' || f[k] === null || Array.isArray(f[k]))) throw new TypeError(`${argument}.${k} must be an object`);
  }
  return f as unknown as PlotlyFigure;
}

/** JSON-safe copy: typed arrays → arrays, non-finite numbers → null, bigint → number, dates → ISO. */
export function toJsonValue(v: unknown, depth = 0): unknown {
  if (depth > 64) throw new TypeError('figure is nested more than 64 levels deep (cyclic?)');
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (v instanceof Date) return v.toISOString();
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => toJsonValue(x, depth + 1));
  if (Array.isArray(v)) return v.map((x) => { const j = toJsonValue(x, depth + 1); return j === undefined ? null : j; });
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const j = toJsonValue(x, depth + 1);
    if (j !== undefined) out[k] = j;
  }
  return out;
}

/** JSON for inlining inside a `<script>`: no `</script>`, no `<!--`, no JS line separators. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

let libraryText: string | undefined;

/** plotly.js from node_modules (read once, ~4.8 MB). */
export function plotlyLibrarySource(): string {
  if (libraryText === undefined) {
    const require = localRequire();
    libraryText = readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
    if (/<\/script|<!--/i.test(libraryText)) throw new Error('plotly.min.js contains </script or <!--; it cannot be inlined as is');
  }
  return libraryText;
}

/** Attribute marking the scripts and boxes this module writes, so saved notebooks can be rewritten (plotly-persist.ts). */
export const PLOTLY_PART = 'data-enginelab-plotly';

/**
 * The script that registers `window.Plotly` as the AMD module `plotly` when require.js is
 * present (so `require(['plotly'])` works too), then fires `enginelab-plotly-ready` for plots
 * that were waiting.
 */
export function plotlyRegisterScript(): string {
  return `<script type="text/javascript" ${PLOTLY_PART}="register">(function () {${plotlyRegisterJs()}})();</script>`;
}

/** The statements of plotlyRegisterScript (also run by the shard loader once it has the library). */
export function plotlyRegisterJs(): string {
  return 'var d = window.define, r = window.requirejs;'
    + "if (window.Plotly && typeof d === 'function' && d.amd && typeof r === 'function' && !(r.defined && r.defined('plotly')) && !(r.specified && r.specified('plotly'))) { d('plotly', [], function () { return window.Plotly; }); }"
    + `try { document.dispatchEvent(new Event('${PLOTLY_READY_EVENT}')); } catch (e) { /* very old browsers */ }`;
}

/** `<script>` tags that define `window.Plotly` once per page (inline, from npm), then register it. */
export function plotlyLibraryHtml(): string {
  return `<script type="text/javascript" ${PLOTLY_PART}="library">if (!window.Plotly) {\n${plotlyLibrarySource()}\n}</script>` + plotlyRegisterScript();
}

/** The figure's title text, string or `{ text }`. */
export function figureTitle(fig: PlotlyFigure): string | undefined {
  const title = fig.layout?.title;
  if (typeof title === 'string') return title;
  if (typeof title === 'object' && title !== null && typeof (title as { text?: unknown }).text === 'string') return (title as { text: string }).text;
  return undefined;
}

export function figureSummary(fig: PlotlyFigure): string {
  const types = fig.data.map((t) => (typeof t.type === 'string' ? t.type : 'scatter'));
  const titleText = figureTitle(fig);
  return `Figure(${fig.data.length} trace${fig.data.length === 1 ? '' : 's'}${types.length ? `: ${[...new Set(types)].join(', ')}` : ''}${titleText ? `; ${JSON.stringify(titleText)}` : ''})`;
}

export function plotHeight(fig: PlotlyFigure): number {
  return typeof fig.layout?.height === 'number' && fig.layout.height > 0 ? fig.layout.height : 420;
}

const escapeText = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * What a page shows where a plot is until plotly.js draws it, and for good where it cannot
 * (no JavaScript, plotly.js missing): an image rendered at execution time (`enginelab run`
 * adds one, plotly-persist.ts), else the figure's text summary.
 */
export function staticFallbackHtml(fig: PlotlyFigure, imageSrc?: string): string {
  const summary = escapeText(figureSummary(fig));
  const inner = imageSrc !== undefined
    ? `<img src="${imageSrc}" alt="${summary}" style="max-width:100%;height:auto">`
    : `<pre style="margin:0;color:#666">${summary}</pre>`;
  return `<div class="enginelab-plot-static" ${PLOTLY_PART}="static">${inner}</div>`;
}

/**
 * The div and drawing script of one plot (no library), with its static fallback beside it. The
 * fallback is removed once plotly.js draws; if plotly.js never arrives it stays, with a note.
 */
export function plotHtml(fig: PlotlyFigure, divId: string, staticImageSrc?: string): string {
  const height = plotHeight(fig);
  const json = scriptJson({ data: fig.data, layout: fig.layout ?? {}, config: { responsive: true, ...(fig.config ?? {}) } });
  const id = scriptJson(divId);
  return `<div class="enginelab-plot-output"><div id="${divId}" class="enginelab-plot" style="width:100%;"></div>${staticFallbackHtml(fig, staticImageSrc)}</div>`
    + `<script type="text/javascript" ${PLOTLY_PART}="draw">(function () {`
    + `var id = ${id}, fig = ${json}, height = ${height};`
    + 'function fallback(el) { return el && el.parentNode ? el.parentNode.querySelector(".enginelab-plot-static") : null; }'
    + 'function draw(P) { var el = document.getElementById(id); if (!el || el.getAttribute("data-drawn")) return; el.setAttribute("data-drawn", "1");'
    + ' var st = fallback(el); if (st) st.parentNode.removeChild(st); el.style.height = height + "px"; P.newPlot(el, fig.data, fig.layout, fig.config); }'
    + 'if (window.Plotly) { draw(window.Plotly); return; }'
    + "var r = window.requirejs; if (typeof r === 'function' && r.defined && r.defined('plotly')) { r(['plotly'], draw); return; }"
    + `document.addEventListener('${PLOTLY_READY_EVENT}', function () { if (window.Plotly) draw(window.Plotly); });`
    + 'setTimeout(function () { if (window.Plotly) { draw(window.Plotly); return; } var st = fallback(document.getElementById(id)); '
    + 'if (st && !st.getAttribute("data-noted")) { st.setAttribute("data-noted", "1"); var n = document.createElement("div"); n.style.cssText = "font-size:11px;color:#888";'
    + ' n.textContent = "Static view: plotly.js is not loaded in this page (the outputs that carried it are gone). Run the cell again for an interactive plot."; st.appendChild(n); } }, 3000);'
    + '})();</script>';
}

export interface PlotBundleOptions {
  /** Inline plotly.js before the plot. */
  readonly embedLibrary: boolean;
  readonly divId: string;
}

/** The MIME bundle of one figure. */
export function plotlyBundle(figure: PlotlyFigure, options: PlotBundleOptions): DisplayBundle {
  const fig = toJsonValue(normaliseFigure(checkFigure(figure))) as PlotlyFigure;
  const html = (options.embedLibrary ? plotlyLibraryHtml() : '') + plotHtml(fig, options.divId);
  return {
    data: {
      [PLOTLY_MIME]: { data: fig.data, layout: fig.layout ?? {}, ...(fig.config ? { config: fig.config } : {}) },
      'text/html': html,
      'text/plain': figureSummary(fig),
    },
    metadata: {},
  };
}
