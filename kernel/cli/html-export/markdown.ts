/**
 * Markdown cells → HTML with markdown-it (CommonMark plus the GFM tables and strikethrough it
 * enables by default, and linkified URLs), raw HTML allowed as Jupyter front ends allow it.
 * Fenced code is highlighted by highlight.js; tables get a scrolling wrapper so wide ones never
 * widen the page.
 */
import MarkdownIt from 'markdown-it';
import { highlightCode } from './highlight';

let md: MarkdownIt | undefined;

function renderer(): MarkdownIt {
  if (md) return md;
  const m = new MarkdownIt({ html: true, linkify: true, highlight: (code, lang) => highlightCode(code, lang || undefined) });
  const rules = m.renderer.rules;
  rules.table_open = () => '<div class="table-wrap"><table>\n';
  rules.table_close = () => '</table></div>\n';
  // highlight() returns the inner HTML; wrap it as highlight.js's own pages do.
  rules.fence = (tokens, idx) => {
    const t = tokens[idx]!;
    const lang = t.info.trim().split(/\s+/)[0] ?? '';
    return `<pre class="code"><code class="hljs${lang ? ` language-${m.utils.escapeHtml(lang)}` : ''}">${highlightCode(t.content, lang || undefined)}</code></pre>\n`;
  };
  md = m;
  return m;
}

export function renderMarkdown(source: string): string {
  return renderer().render(source);
}
