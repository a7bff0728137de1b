// Saved notebooks whose plots survive their neighbours: plotly.js spread over the plot outputs
// with one parity shard, static images added, and the loader's JavaScript rebuilding the exact
// library from any N − 1 outputs (run here with Node's own atob/Blob/DecompressionStream).
import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { PlotlySession } from '../../../kernel/display/plotly-session';
import { PLOTLY_MIME, plotlyLibraryHtml, plotlyLibrarySource } from '../../../kernel/display/plotly';
import { gzippedLibrary, joinWithParity, shardScripts, splitWithParity } from '../../../kernel/display/plotly-shards';
import { persistPlots, isPlotOutput } from '../../../kernel/display/plotly-persist';
import type { StaticRenderer } from '../../../kernel/display/static-plots';

const LIB = 'if (!window.Plotly) {';
const fig = (title: string) => ({ data: [{ type: 'scatter', y: [1, 3, 2] }], layout: { title: { text: title } } });

function notebook(numPlots: number) {
  const s = new PlotlySession();
  const out = (t: string) => ({ output_type: 'display_data', ...s.bundle(fig(t)) }) as Record<string, unknown>;
  // A live plot's library travels in an output of its own, before the plot.
  const cells = [
    { outputs: [{ output_type: 'stream', name: 'stdout', text: 'hi' }] as Record<string, unknown>[] },
    { outputs: [{ output_type: 'display_data', data: { 'text/html': plotlyLibraryHtml(), 'text/plain': '' }, metadata: {} }] as Record<string, unknown>[] },
  ];
  for (let i = 0; i < numPlots; i++) cells.push({ outputs: [out(`plot ${i}`)] });
  return cells.map((c) => ({ cell_type: 'code', ...c }));
}

/** Runs the shard loaders of `htmls` as a page would, returning the library text they ran. */
async function runLoaders(htmls: string[]): Promise<string | undefined> {
  const ran: string[] = [];
  const events: string[] = [];
  const window: Record<string, unknown> = {};
  const document = {
    head: { appendChild: (el: { text: string }) => { ran.push(el.text); window.Plotly = {}; } },
    createElement: () => ({ text: '' }),
    dispatchEvent: (e: { type: string }) => { events.push(e.type); },
  };
  const ctx = { window, document, atob, Uint8Array, Blob, Response, DecompressionStream, Event: class { constructor(readonly type: string) {} }, Object };
  for (const h of htmls) for (const m of h.matchAll(/data-enginelab-plotly="shard">([\s\S]*?)<\/script>/g)) runInNewContext(m[1]!, ctx);
  for (let i = 0; i < 200 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  if (ran.length) expect(events).toEqual(['enginelab-plotly-ready']);
  return ran[0];
}

describe('plotly.js with a parity shard', () => {
  it('any n − 1 of n shards rebuild the bytes exactly; two missing cannot', () => {
    const bytes = Uint8Array.from({ length: 1001 }, (_, i) => (i * 7919) % 251);
    for (let n = 2; n <= 6; n++) {
      const shards = splitWithParity(bytes, n);
      expect(shards).toHaveLength(n);
      for (let lost = -1; lost < n; lost++) {
        const kept = shards.map((s, k) => (k === lost ? undefined : s));
        expect(Buffer.from(joinWithParity(kept, bytes.length)).equals(Buffer.from(bytes))).toBe(true);
      }
      if (n > 2) expect(() => joinWithParity(shards.map((s, k) => (k < 2 ? undefined : s)), bytes.length)).toThrow(/2 of \d shards are missing/);
    }
  });

  it('the loader scripts run plotly.js once from any n − 1 outputs, and not from fewer', async () => {
    const scripts = shardScripts(4);
    expect(await runLoaders(scripts)).toBe(plotlyLibrarySource());
    for (let lost = 0; lost < 4; lost++) expect(await runLoaders(scripts.filter((_, k) => k !== lost))).toBe(plotlyLibrarySource());
    expect(await runLoaders(scripts.slice(0, 2))).toBeUndefined();
  }, 60_000);
});

describe('persistPlots', () => {
  const fakeRenderer: StaticRenderer = {
    render: async (f) => ({ svg: `<svg xmlns="http://www.w3.org/2000/svg"><text>${(f.layout!.title as { text: string }).text}</text></svg>`, png: 'iVBORw0KGgo=', width: 900, height: 420 }),
    close: async () => {},
  };

  it('moves the library out of the first plot into shards on every plot, adds static images, drops library-only outputs', async () => {
    const cells = notebook(3);
    const before = cells.map((c) => c.outputs.map((o) => String((o as { data?: Record<string, unknown> }).data?.['text/html'] ?? '')));
    expect(before.flat().filter((h) => h.includes(LIB))).toHaveLength(2); // the live library and the first plot
    const report = await persistPlots({ cells }, { renderer: fakeRenderer });
    expect(report).toEqual({ numPlots: 3, numStaticImages: 3, numLibraryOutputsRemoved: 1 });
    const plots = cells.flatMap((c) => c.outputs).filter(isPlotOutput);
    expect(plots).toHaveLength(3);
    expect(cells[1]!.outputs).toEqual([]);
    for (const [i, o] of plots.entries()) {
      const data = o.data as Record<string, string>;
      expect(data['text/html']).not.toContain(LIB);
      expect(data['text/html'].match(/data-enginelab-plotly="shard"/g)).toHaveLength(1);
      expect(data['image/png']).toBe('iVBORw0KGgo=');
      const img = /<img src="data:image\/svg\+xml;base64,([^"]+)"/.exec(data['text/html'])![1]!;
      expect(Buffer.from(img, 'base64').toString()).toContain(`plot ${i}`);
      expect(data[PLOTLY_MIME]).toEqual(fig(`plot ${i}`));
    }
    // One copy of the gzipped library plus one parity shard, base64: far below one raw copy per plot.
    const total = plots.reduce((a, o) => a + (o.data as Record<string, string>)['text/html'].length, 0);
    expect(total).toBeLessThan((gzippedLibrary().length * 1.5 * 4) / 3 + 100_000);
    expect(total).toBeLessThan(plotlyLibrarySource().length);
    // Clearing the first plot's output still leaves the library rebuildable from the others.
    expect(await runLoaders(plots.slice(1).map((o) => (o.data as Record<string, string>)['text/html']))).toBe(plotlyLibrarySource());
    // Idempotent: persisting the saved notebook again changes nothing.
    const once = JSON.stringify(cells);
    await persistPlots({ cells }, { renderer: fakeRenderer });
    expect(JSON.stringify(cells)).toBe(once);
  }, 60_000);

  it('a single plot carries the whole library inline; without a renderer the text summary stays', async () => {
    const cells = notebook(1);
    const report = await persistPlots({ cells });
    expect(report).toEqual({ numPlots: 1, numStaticImages: 0, numLibraryOutputsRemoved: 1 });
    const html = (cells[2]!.outputs[0]!.data as Record<string, string>)['text/html'];
    expect(html.split(LIB)).toHaveLength(2);
    expect(html).toContain('<pre style="margin:0;color:#666">Figure(1 trace: scatter; &quot;plot 0&quot;)</pre>');
  });
});
