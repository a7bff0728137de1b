/**
 * Figure hygiene for plot(): plotly.js 3 dropped string titles (`title: 'x'` draws nothing; it
 * wants `title: { text: 'x' }`), so string titles of the figure, its axes (2-D, 3-D scene, polar,
 * ternary), legends, colour bars and pie traces become `{ text }`. Layout keys plotly.js does not
 * know (from its own schema, plotly-layout-keys.generated.ts) are reported once per key and
 * session, because plotly.js ignores them without a word. The caller's figure is never changed.
 */
import { PLOTLY_LAYOUT_KEYS, PLOTLY_SUBPLOT_KEYS, PLOTLY_VERSION } from './plotly-layout-keys.generated';
import type { PlotlyFigure } from './plotly-figure';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const KNOWN = new Set(PLOTLY_LAYOUT_KEYS);
const SUBPLOT = new RegExp(`^(${PLOTLY_SUBPLOT_KEYS.join('|')})([2-9]|[1-9][0-9]+)$`);

/** Axes inside a subplot object that carry their own title. */
const NESTED_AXES: Readonly<Record<string, readonly string[]>> = {
  scene: ['xaxis', 'yaxis', 'zaxis'],
  polar: ['radialaxis', 'angularaxis'],
  ternary: ['aaxis', 'baxis', 'caxis'],
  smith: ['realaxis', 'imaginaryaxis'],
};

/** `{ title: 'x' }` → `{ title: { text: 'x' } }` (numbers too: plotly shows them as text). */
function withTextTitle(o: unknown): unknown {
  if (!isObj(o)) return o;
  const t = o.title;
  if (typeof t === 'string' || typeof t === 'number') return { ...o, title: { text: String(t) } };
  return o;
}

function withNested(o: unknown, keys: readonly string[]): unknown {
  if (!isObj(o)) return o;
  let out: Obj = o;
  for (const k of keys) {
    const next = withTextTitle(o[k]);
    if (next !== o[k]) out = { ...out, [k]: next };
  }
  return out;
}

function colorbarTitles(o: unknown): unknown {
  if (!isObj(o)) return o;
  let out: Obj = o;
  const cb = withTextTitle(o.colorbar);
  if (cb !== o.colorbar) out = { ...out, colorbar: cb };
  if (isObj(o.marker)) {
    const m = colorbarTitles(o.marker);
    if (m !== o.marker) out = { ...out, marker: m };
  }
  return out;
}

function subplotBase(key: string): string | undefined {
  const m = /^([a-z]+?)(\d*)$/.exec(key);
  if (!m || !PLOTLY_SUBPLOT_KEYS.includes(m[1]!)) return undefined;
  return m[2] === '' || SUBPLOT.test(key) ? m[1] : undefined;
}

const warned = new Set<string>();

/** Whether plotly.js knows `key` as a layout attribute (`xaxis2` yes, `xaxis1` and `titel` no). */
export function isKnownLayoutKey(key: string): boolean {
  return KNOWN.has(key) || SUBPLOT.test(key);
}

/**
 * The figure with string titles as `{ text }`; calls `warn` once per unknown layout key per
 * session (default: console.warn, which a cell shows on its stderr).
 */
export function normaliseFigure(fig: PlotlyFigure, warn: (message: string) => void = (m) => console.warn(m)): PlotlyFigure {
  let layout: Obj | undefined = fig.layout;
  if (isObj(layout)) {
    const l: Obj = { ...layout };
    if (typeof l.title === 'string' || typeof l.title === 'number') l.title = { text: String(l.title) };
    for (const [k, v] of Object.entries(layout)) {
      const base = subplotBase(k);
      if (base === 'xaxis' || base === 'yaxis' || base === 'legend') l[k] = withTextTitle(v);
      else if (base === 'coloraxis') l[k] = colorbarTitles(v);
      else if (base !== undefined && NESTED_AXES[base]) l[k] = withNested(v, NESTED_AXES[base]!);
      if (!isKnownLayoutKey(k) && !warned.has(k)) {
        warned.add(k);
        warn(`plot(): layout.${k} is not a layout attribute of plotly.js ${PLOTLY_VERSION}; plotly ignores it`);
      }
    }
    layout = l;
  }
  const data = fig.data.map((t) => {
    let trace = colorbarTitles(t) as Obj;
    // Pie-like traces have a title of their own.
    if (typeof trace.title === 'string') trace = { ...trace, title: { text: trace.title } };
    return trace;
  });
  return { ...fig, data, ...(layout !== undefined ? { layout } : {}) };
}

/** Forgets which keys were reported (a kernel restart starts a new session). */
export function resetLayoutWarnings(): void {
  warned.clear();
}
