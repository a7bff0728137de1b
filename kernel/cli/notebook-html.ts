/**
 * The HTML export (kernel/cli/html-export/): this module keeps the import path that
 * `enginelab run` and the tests use.
 */
export { notebookToHtml, renderBundle, registerHtmlRenderer, renderMarkdown, escapeHtml, stripAnsi, ansiToHtml, type HtmlRenderer } from './html-export/index';
