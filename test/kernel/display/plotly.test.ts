import { describe, expect, it } from 'vitest';
import { PlotlySession, executionOf } from '../../../kernel/display/plotly-session';
import { plotlyBundle, plotlyLibrarySource, PLOTLY_MIME, isPlotlyFigure, toJsonValue, scriptJson } from '../../../kernel/display/plotly';

const fig = { data: [{ type: 'scatter', x: [1, 2, 3], y: [4, 5, 6] }], layout: { title: { text: 'demo' } } };
const LIB_MARK = 'if (!window.Plotly) {';

function exec(msgId: string, code: string, cellId?: string, session?: string) {
  return { parent: { header: { msg_id: msgId, ...(session ? { session } : {}) }, content: { code }, metadata: cellId ? { cellId } : {} } };
}

describe('plotly bundle', () => {
  it('carries the plotly JSON object, an html fallback and text/plain in one bundle', () => {
    const b = plotlyBundle(fig, { embedLibrary: false, divId: 'd1' });
    expect(Object.keys(b.data).sort()).toEqual([PLOTLY_MIME, 'text/html', 'text/plain'].sort());
    expect(b.data[PLOTLY_MIME]).toEqual({ data: fig.data, layout: fig.layout });
    expect(typeof b.data[PLOTLY_MIME]).toBe('object');
    expect(b.data['text/plain']).toBe('Figure(1 trace: scatter; "demo")');
    const html = b.data['text/html'] as string;
    expect(html).toContain('<div id="d1"');
    expect(html).toContain('window.Plotly');
    expect(html).toContain("r.defined('plotly')"); // require.js path
    expect(html).not.toMatch(/https?:\/\//); // no CDN
    expect(html).not.toContain(LIB_MARK);
  });

  it('inlines plotly.js from npm when asked, registered for require.js too', () => {
    const html = plotlyBundle(fig, { embedLibrary: true, divId: 'd1' }).data['text/html'] as string;
    expect(html.length).toBeGreaterThan(3_000_000);
    expect(html).toContain(plotlyLibrarySource().slice(0, 200));
    expect(html).toContain("d('plotly', [], function () { return window.Plotly; })");
    expect(html).not.toContain('cdn.plot.ly/plotly');
    expect(html.indexOf(LIB_MARK)).toBeLessThan(html.indexOf('<div id="d1"'));
  });

  it('makes figures JSON-safe and script-safe', () => {
    const f = { data: [{ y: new Float64Array([1, NaN, Infinity]), name: '</script><b>' }] };
    const j = toJsonValue(f) as { data: { y: unknown }[] };
    expect(j.data[0]!.y).toEqual([1, null, null]);
    expect(scriptJson(j)).not.toContain('</script>');
    const html = plotlyBundle(f, { embedLibrary: false, divId: 'x' }).data['text/html'] as string;
    expect(html.match(/<\/script>/g)!.length).toBe(1);
  });

  it('rejects non-figures naming the argument', () => {
    expect(isPlotlyFigure({ data: 'no' })).toBe(false);
    expect(isPlotlyFigure([1])).toBe(false);
    expect(() => plotlyBundle({ data: [1] } as never, { embedLibrary: false, divId: 'x' })).toThrow(/figure\.data\[0\] must be a trace object/);
    expect(() => plotlyBundle({ data: [], layout: [] } as never, { embedLibrary: false, divId: 'x' })).toThrow(/figure\.layout must be an object/);
  });
});

describe('plotly session: the library once per notebook', () => {
  const hasLib = (b: { data: Record<string, unknown> }) => (b.data['text/html'] as string).includes(LIB_MARK);

  it('embeds in the first plot only, across cells and within a cell', () => {
    let cur = executionOf(exec('m1', 'plot(a)'));
    const s = new PlotlySession(() => cur);
    expect(hasLib(s.bundle(fig))).toBe(true);
    expect(hasLib(s.bundle(fig))).toBe(false); // same execution
    cur = executionOf(exec('m2', 'plot(b)'));
    expect(hasLib(s.bundle(fig))).toBe(false);
  });

  it('re-embeds when the carrier cell runs again (its old output is being replaced)', () => {
    let cur = executionOf(exec('m1', 'plot(a)', 'cell-A'));
    const s = new PlotlySession(() => cur);
    expect(hasLib(s.bundle(fig))).toBe(true);
    cur = executionOf(exec('m2', 'plot(b)', 'cell-B'));
    expect(hasLib(s.bundle(fig))).toBe(false);
    cur = executionOf(exec('m3', 'plot(a) // edited', 'cell-A')); // same cell id, new code
    expect(hasLib(s.bundle(fig))).toBe(true);
    cur = executionOf(exec('m4', 'plot(b)', 'cell-B'));
    expect(hasLib(s.bundle(fig))).toBe(false);
  });

  it('without cell ids, recognises the carrier cell by its code', () => {
    let cur = executionOf(exec('m1', 'plot(a)'));
    const s = new PlotlySession(() => cur);
    expect(hasLib(s.bundle(fig))).toBe(true);
    cur = executionOf(exec('m2', 'plot(a)'));
    expect(hasLib(s.bundle(fig))).toBe(true);
    cur = executionOf(exec('m3', 'plot(c)'));
    expect(hasLib(s.bundle(fig))).toBe(false);
  });

  it('a page on a new client session (a reloaded tab, a second frontend) gets the library with its first plot', () => {
    let cur = executionOf(exec('m1', 'plot(a)', 'cell-A', 'page-1'));
    const s = new PlotlySession(() => cur);
    expect(hasLib(s.bundle(fig))).toBe(true);
    cur = executionOf(exec('m2', 'plot(b)', 'cell-B', 'page-1'));
    expect(hasLib(s.bundle(fig))).toBe(false);
    // The tab is reloaded: JupyterLab connects again with a new session id and runs all.
    cur = executionOf(exec('m3', 'plot(b)', 'cell-B', 'page-2'));
    expect(hasLib(s.bundle(fig))).toBe(true);
    expect(hasLib(s.bundle(fig))).toBe(false); // same execution
    cur = executionOf(exec('m4', 'plot(c)', 'cell-C', 'page-2'));
    expect(hasLib(s.bundle(fig))).toBe(false);
    cur = executionOf(exec('m5', 'plot(d)', 'cell-D', 'page-1')); // the first page still has it
    expect(hasLib(s.bundle(fig))).toBe(false);
  });

  it('honours explicit embedLibrary and reset()', () => {
    const s = new PlotlySession();
    expect(hasLib(s.bundle(fig, { embedLibrary: false }))).toBe(false);
    expect(hasLib(s.bundle(fig))).toBe(true);
    expect(hasLib(s.bundle(fig, { embedLibrary: true }))).toBe(true);
    s.reset();
    expect(hasLib(s.bundle(fig))).toBe(true);
  });

  it('gives every plot its own deterministic div id', () => {
    const a = new PlotlySession();
    const b = new PlotlySession();
    const ids = (s: PlotlySession) => [s.bundle(fig, { embedLibrary: false }), s.bundle(fig, { embedLibrary: false })].map((x) => /id="([^"]+)"/.exec(x.data['text/html'] as string)![1]);
    const ia = ids(a);
    expect(ia[0]).not.toBe(ia[1]);
    expect(ids(b)).toEqual(ia);
  });
});

describe('KV grid figure', async () => {
  const { kvGridFigure } = await import('../../../kernel/display/engine-views');
  it('colours blocks by owner, shared and free states, row by row', () => {
    const cells = [
      { blockId: 0, owners: [], refCount: 0, cached: false, isNull: true },
      { blockId: 1, owners: ['a', 'b'], refCount: 2, cached: true },
      { blockId: 2, owners: ['a'], refCount: 1, cached: false },
      { blockId: 3, owners: ['b'], refCount: 1, cached: false },
      { blockId: 4, owners: [], refCount: 0, cached: true },
      { blockId: 5, owners: [], refCount: 0, cached: false },
    ];
    const fig = kvGridFigure(cells, { columns: 4 });
    const trace = fig.data[0] as { z: (number | null)[][]; colorscale: [number, string][]; text: string[][] };
    const colourOf = (z: number | null) => (z === null ? null : trace.colorscale[2 * Math.floor(z)]![1]);
    expect(trace.z.map((r) => r.map(colourOf))).toEqual([
      ['#000000', '#ffd700', '#1f77b4', '#ff7f0e'],
      ['#c6dbef', '#eeeeee', null, null],
    ]);
    expect(trace.text[0]![1]).toContain('held by a, b');
    expect(() => kvGridFigure(cells, { columns: 0 })).toThrow(/options.columns/);
  });
});
