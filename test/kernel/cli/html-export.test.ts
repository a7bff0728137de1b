// The HTML export without a browser: one copy of plotly.js in the head, plots drawn from their
// figure JSON (never from the library copies or shards saved outputs carry), static images kept
// as fallbacks, prompts, ANSI colours; and the lines `enginelab run` prints.
import { describe, expect, it } from 'vitest';
import { notebookToHtml } from '../../../kernel/cli/notebook-html';
import { formatHtmlPaths, formatRunLine } from '../../../kernel/cli/run-notebook';
import { PlotlySession } from '../../../kernel/display/plotly-session';
import { persistPlots } from '../../../kernel/display/plotly-persist';
import type { Notebook } from '../../../kernel/cli/notebook';

const fig = (t: string) => ({ data: [{ type: 'bar', x: ['a'], y: [1] }], layout: { title: { text: t } } });

async function savedNotebook(): Promise<Notebook> {
  const s = new PlotlySession();
  const plot = (t: string) => ({ output_type: 'display_data', ...s.bundle(fig(t)) });
  const nb: Notebook = {
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { cell_type: 'markdown', source: '| a | b |\n|---|---|\n| 1 | 2 |', metadata: {} },
      { cell_type: 'code', source: 'const x = 1', metadata: {}, execution_count: 1, outputs: [plot('first'), { output_type: 'stream', name: 'stderr', text: '\u001b[1;31mwarn\u001b[0m' }] },
      { cell_type: 'code', source: 'x', metadata: {}, execution_count: 2, outputs: [plot('second'), { output_type: 'execute_result', execution_count: 2, data: { 'text/plain': '1' }, metadata: {} }] },
      { cell_type: 'code', source: 'throw 1', metadata: {}, execution_count: 3, outputs: [{ output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['\u001b[31mError\u001b[0m: boom'] }] },
    ],
  };
  const renderer = { render: async () => ({ svg: '<svg xmlns="http://www.w3.org/2000/svg"/>', png: 'iVBORw0KGgo=', width: 900, height: 420 }), close: async () => {} };
  await persistPlots(nb as never, { renderer });
  return nb;
}

describe('HTML export', () => {
  it('inlines plotly.js once in the head and draws each plot from its figure, keeping the static image', async () => {
    const html = notebookToHtml(await savedNotebook(), 'saved');
    expect(html.split('if (!window.Plotly) {').length - 1).toBe(1);
    expect(html.indexOf('if (!window.Plotly) {')).toBeLessThan(html.indexOf('</head>'));
    expect(html).not.toContain('data-enginelab-plotly="shard"');
    expect(html.match(/<div id="nb-plot-\d" class="enginelab-plot"/g)).toEqual(['<div id="nb-plot-1" class="enginelab-plot"', '<div id="nb-plot-2" class="enginelab-plot"']);
    expect(html.match(/<img src="data:image\/svg\+xml;base64,/g)).toHaveLength(2);
    expect(html).toContain('"title":{"text":"second"}');
  });

  it('prompts In/Out, highlights code, keeps ANSI colours, wraps tables to scroll', async () => {
    const html = notebookToHtml(await savedNotebook(), 'saved');
    expect(html).toContain('<div class="prompt">In [1]:</div>');
    expect(html).toContain('<div class="prompt">Out [2]:</div>');
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span style="font-weight:bold;color:rgb(187,0,0)">warn</span>');
    expect(html).toContain('<pre class="error"><span style="color:rgb(187,0,0)">Error</span>: boom</pre>');
    expect(html).toContain('<div class="table-wrap"><table>');
    expect(html).toMatch(/pre\{[^}]*white-space:pre-wrap/);
    expect(html).toContain('.hljs-keyword'); // the theme is inlined, no stylesheet link
    expect(html).not.toMatch(/<link[^>]+href=/);
  });

  it('a notebook without plots carries no plotly.js', () => {
    const html = notebookToHtml({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'markdown', source: '1. a\n2. b', metadata: {} }] }, 't');
    expect(html).not.toContain('window.Plotly');
    expect(html).toContain('<ol>\n<li>a</li>\n<li>b</li>\n</ol>');
  });
});

describe('enginelab run lines', () => {
  const base = { notebook: 'notebooks/02-x.ipynb', numCells: 9, numExecuted: 9, numErrors: 0, seconds: 41.68, outPath: 'out/02-x.ipynb', htmlPath: 'out/02-x.html' };
  it('prints one line per notebook with its plots, and the HTML paths at the end', () => {
    expect(formatRunLine({ ...base, plots: { numPlots: 3, numStaticImages: 3, numLibraryOutputsRemoved: 0 } })).toBe('ok  02-x.ipynb: 9/9 cells, 0 errors, 3 plots, 41.7 s → out/02-x.ipynb');
    expect(formatRunLine({ ...base, plots: { numPlots: 1, numStaticImages: 0, numLibraryOutputsRemoved: 0, staticError: 'no Chromium' } })).toBe('ok  02-x.ipynb: 9/9 cells, 0 errors, 1 plot (static images: no Chromium), 41.7 s → out/02-x.ipynb');
    expect(formatRunLine({ ...base, numExecuted: 2, numErrors: 1, failure: 'cell 2: E: v' })).toBe('FAILED  02-x.ipynb: 2/9 cells, 1 error, 41.7 s → out/02-x.ipynb\n  cell 2: E: v');
    expect(formatHtmlPaths([base, { ...base, htmlPath: 'out/03.html' }])).toBe('HTML:\n  out/02-x.html\n  out/03.html');
    expect(formatHtmlPaths([{ ...base, htmlPath: undefined }])).toBe('');
  });
});
