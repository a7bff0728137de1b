/**
 * Syntax highlighting with highlight.js (its core plus the languages notebooks here use):
 * code cells as TypeScript, fenced blocks by their info string. Unknown languages are escaped
 * plain text, never guessed.
 */
import hljs from 'highlight.js/lib/core';
import typescript from 'highlight.js/lib/languages/typescript';
import javascript from 'highlight.js/lib/languages/javascript';
import python from 'highlight.js/lib/languages/python';
import bash from 'highlight.js/lib/languages/bash';
import shell from 'highlight.js/lib/languages/shell';
import json from 'highlight.js/lib/languages/json';
import xml from 'highlight.js/lib/languages/xml';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const LANGUAGES = { typescript, javascript, python, bash, shell, json, xml } as const;
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);
hljs.registerAliases(['ts', 'tsx'], { languageName: 'typescript' });
hljs.registerAliases(['js', 'mjs'], { languageName: 'javascript' });
hljs.registerAliases(['sh', 'console'], { languageName: 'bash' });
hljs.registerAliases(['py'], { languageName: 'python' });
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Highlighted inner HTML (`<span class="hljs-…">`), or escaped text for unknown languages. */
export function highlightCode(code: string, language: string | undefined): string {
  if (language !== undefined && hljs.getLanguage(language)) return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  return escapeHtml(code);
}

let css: string | undefined;

/** highlight.js's GitHub theme, inlined into the page. */
export function highlightCss(): string {
  if (css === undefined) {
    const url = (import.meta as { url?: string }).url;
    const require = createRequire(typeof url === 'string' && url !== '' ? url : __filename);
    css = readFileSync(require.resolve('highlight.js/styles/github.css'), 'utf8');
  }
  return css;
}
