/**
 * Standalone HTML for an executed notebook, one offline file: markdown through markdown-it (GFM
 * tables, nested emphasis, ordered lists), code highlighted by highlight.js and wrapped, not
 * cut, `In [n]:` / `Out [n]:` prompts, ANSI colours in streams and tracebacks, wide tables that
 * scroll inside their box, and plotly.js inlined once in the page head when any output plots.
 */
import { sourceText, type Notebook } from '../notebook';
import { plotlyLibraryHtml } from '../../display/plotly';
import { escapeHtml, highlightCode, highlightCss } from './highlight';
import { renderMarkdown } from './markdown';
import { headParts, renderOutput, type Output, type PageState } from './outputs';

export { renderMarkdown } from './markdown';
export { renderBundle, registerHtmlRenderer, type HtmlRenderer } from './outputs';
export { escapeHtml } from './highlight';
export { stripAnsi, ansiToHtml } from './ansi';

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
.cell{display:flex;gap:.6em;margin:.9em 0}.prompt{flex:0 0 6.5em;text-align:right;font:12px/1.6 monospace;color:#307fc1;padding-top:.45em;white-space:nowrap}
.out .prompt{color:#d84315}.body{flex:1 1 auto;min-width:0}
.markdown-cell .body{padding:0 .4em}
pre{margin:.2em 0;padding:.45em .6em;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
pre.code{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:4px}pre.code code{background:none;padding:0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:90%;background:#f3f3f3;padding:.1em .25em;border-radius:3px}
.stream.stderr{background:#fff3f3}.error{background:#fdd}
.table-wrap,.html-output{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:2px 6px}thead th{background:#f3f3f3}
.markdown-cell table{font-size:14px}img{max-width:100%}
`;

function codeCell(c: Notebook['cells'][number], page: PageState): string {
  const count = c.execution_count ?? ' ';
  const input = `<div class="cell code-cell in"><div class="prompt">In [${count}]:</div><div class="body"><pre class="code"><code class="hljs language-typescript">${highlightCode(sourceText(c.source), 'typescript')}</code></pre></div></div>`;
  const outs = (c.outputs ?? []).map((o) => {
    const r = renderOutput(o as Output, page);
    return `<div class="cell output${r.prompt ? ' out' : ''}"><div class="prompt">${r.prompt}</div><div class="body">${r.body}</div></div>`;
  });
  return input + outs.join('\n');
}

export function notebookToHtml(nb: Notebook, title: string): string {
  const page: PageState = { numPlots: 0 };
  const cells = nb.cells.map((c) => {
    const src = sourceText(c.source);
    if (c.cell_type === 'markdown') return `<div class="cell markdown-cell"><div class="prompt"></div><div class="body">${renderMarkdown(src)}</div></div>`;
    if (c.cell_type === 'raw') return `<div class="cell raw-cell"><div class="prompt"></div><div class="body"><pre>${escapeHtml(src)}</pre></div></div>`;
    return codeCell(c, page);
  });
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${STYLE}
${highlightCss()}</style>
${page.numPlots > 0 ? plotlyLibraryHtml() : ''}
${headParts.join('\n')}
</head><body>
${cells.join('\n')}
</body></html>
`;
}
