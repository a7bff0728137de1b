// Turning iopub messages into nbformat outputs, notebook validation, HTML rendering and its hook.
import { describe, expect, it } from 'vitest';
import { OutputCollector, parseNotebook, serializeNotebook, toLines, type Output } from '../../../kernel/cli/notebook';
import { notebookToHtml, registerHtmlRenderer, renderBundle, renderMarkdown } from '../../../kernel/cli/notebook-html';
import { formatSummary } from '../../../kernel/cli/run-notebook';
import { parseArgs } from '../../../kernel/cli/args';
import { MessageFactory } from '../../../kernel/protocol/message-factory';
import type { JupyterMessage } from '../../../kernel/protocol/messages';

const f = new MessageFactory();
const msg = (type: string, content: Record<string, unknown>) => f.make(type, content) as JupyterMessage;

describe('OutputCollector', () => {
  it('merges consecutive stream text of the same name, keeps order with other outputs', () => {
    const outs: Output[] = [];
    const c = new OutputCollector(outs);
    c.add(msg('stream', { name: 'stdout', text: 'a' }));
    c.add(msg('stream', { name: 'stdout', text: 'b\n' }));
    c.add(msg('stream', { name: 'stderr', text: 'e' }));
    c.add(msg('execute_result', { execution_count: 3, data: { 'text/plain': '1' }, metadata: {} }));
    c.add(msg('status', { execution_state: 'idle' }));
    expect(outs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'ab\n' },
      { output_type: 'stream', name: 'stderr', text: 'e' },
      { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': '1' }, metadata: {} },
    ]);
  });

  it('update_display_data replaces every output with that display id, across cells', () => {
    const c = new OutputCollector();
    const cell1: Output[] = [];
    const cell2: Output[] = [];
    c.startCell(cell1);
    c.add(msg('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } }));
    c.startCell(cell2);
    c.add(msg('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } }));
    c.add(msg('update_display_data', { data: { 'text/plain': 'v2' }, metadata: { m: 1 }, transient: { display_id: 'd' } }));
    c.add(msg('update_display_data', { data: { 'text/plain': 'x' }, metadata: {}, transient: { display_id: 'other' } }));
    expect(cell1).toEqual([{ output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: { m: 1 } }]);
    expect(cell2).toEqual(cell1);
  });

  it('clear_output clears now, or with wait: true just before the next output', () => {
    const outs: Output[] = [];
    const c = new OutputCollector(outs);
    c.add(msg('stream', { name: 'stdout', text: 'old' }));
    c.add(msg('clear_output', { wait: true }));
    expect(outs).toHaveLength(1);
    c.add(msg('stream', { name: 'stdout', text: 'new' }));
    expect(outs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'new' }]);
    c.add(msg('clear_output', { wait: false }));
    expect(outs).toEqual([]);
  });

  it('records errors with their traceback', () => {
    const outs: Output[] = [];
    new OutputCollector(outs).add(msg('error', { ename: 'E', evalue: 'v', traceback: ['t1', 't2'] }));
    expect(outs).toEqual([{ output_type: 'error', ename: 'E', evalue: 'v', traceback: ['t1', 't2'] }]);
  });
});

describe('notebook files', () => {
  it('rejects non-notebooks with a message naming the problem', () => {
    expect(() => parseNotebook('{', 'x.ipynb')).toThrow('x.ipynb: not valid JSON');
    expect(() => parseNotebook('{"nbformat": 3, "cells": []}', 'x.ipynb')).toThrow(/nbformat must be 4/);
    expect(() => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "bogus", "source": ""}]}', 'x.ipynb')).toThrow(/cell 0 has unknown cell_type/);
    expect(() => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}', 'x.ipynb')).toThrow(/cell 0 source/);
  });

  it('writes nbformat 4.5 with cell ids and sources as line lists', () => {
    const nb = parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 2, metadata: {}, cells: [{ cell_type: 'code', source: 'a\nb', metadata: {}, outputs: [], execution_count: 1 }] }), 'x');
    const out = JSON.parse(serializeNotebook(nb));
    expect(out.nbformat_minor).toBe(5);
    expect(out.cells[0].source).toEqual(['a\n', 'b']);
    expect(out.cells[0].id).toMatch(/^[0-9a-f]{8}$/);
    expect(toLines('x\n\ny')).toEqual(['x\n', '\n', 'y']);
  });
});

describe('HTML', () => {
  it('renders by MIME priority, keeps ANSI colours as styles, and lets a registered renderer go first', () => {
    expect(renderBundle({ 'text/plain': '<x>', 'text/html': '<b>h</b>' })).toBe('<div class="html-output"><b>h</b></div>');
    expect(renderBundle({ 'text/plain': '<x> \u001b[31mred\u001b[0m' })).toBe('<pre>&lt;x&gt; <span style="color:rgb(187,0,0)">red</span></pre>');
    expect(renderBundle({ 'image/png': 'AAAA' })).toBe('<img src="data:image/png;base64,AAAA">');
    registerHtmlRenderer((d) => (d['application/x-test'] !== undefined ? `<i>${String(d['application/x-test'])}</i>` : undefined), '<script>/*test*/</script>');
    expect(renderBundle({ 'application/x-test': 'T', 'text/plain': 'p' })).toBe('<i>T</i>');
    const html = notebookToHtml({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: 'a < b', metadata: {}, execution_count: 2, outputs: [{ output_type: 'stream', name: 'stdout', text: 'out' }, { output_type: 'execute_result', execution_count: 2, data: { 'text/plain': '3' }, metadata: {} }] }] }, 't');
    expect(html).toContain('<code class="hljs language-typescript">a &lt; b</code>');
    expect(html).toContain('In [2]:');
    expect(html).toContain('Out [2]:');
    expect(html).toContain('<script>/*test*/</script>');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('renders CommonMark + GFM: tables, nested emphasis, ordered lists, highlighted fences', () => {
    const out = renderMarkdown('# Title\n\n| a | b |\n|---|--:|\n| 1 | **x *y* z** |\n\n1. one\n2. two\n\n```ts\nconst x = 1;\n```');
    expect(out).toContain('<h1>Title</h1>');
    expect(out).toContain('<div class="table-wrap"><table>');
    expect(out).toContain('<th style="text-align:right">b</th>');
    expect(out).toContain('<strong>x <em>y</em> z</strong>');
    expect(out).toContain('<ol>\n<li>one</li>\n<li>two</li>\n</ol>');
    expect(out).toContain('<span class="hljs-keyword">const</span>');
  });
});

describe('summary and arguments', () => {
  it('prints one aligned line per notebook and the totals', () => {
    const s = formatSummary([
      { notebook: 'notebooks/a.ipynb', numCells: 3, numExecuted: 3, numErrors: 0, seconds: 1.234, outPath: 'out/a.ipynb' },
      { notebook: 'notebooks/bb.ipynb', numCells: 10, numExecuted: 2, numErrors: 1, seconds: 2, outPath: 'out/bb.ipynb', failure: 'cell 2: E: v' },
    ]);
    expect(s.split('\n')).toEqual([
      'notebook  cells  errors  seconds  status',
      '--------  -----  ------  -------  ------',
      'a.ipynb       3       0     1.23      ok',
      'bb.ipynb     10       1     2.00  FAILED',
      '2 notebook(s), 1 error(s), 3.23 s',
      '  bb.ipynb: cell 2: E: v',
    ]);
  });

  it('parses flags and values, and names unknown or incomplete options', () => {
    const a = parseArgs(['nb', '--out', 'o', '--html', '--timeout=5'], { flags: ['--html'], values: ['--out', '--timeout'] }, 'run');
    expect([a.positional, [...a.flags], a.values.get('--out'), a.values.get('--timeout')]).toEqual([['nb'], ['--html'], 'o', '5']);
    expect(() => parseArgs(['--bogus'], {}, 'run')).toThrow('run: unknown option --bogus');
    expect(() => parseArgs(['--out'], { values: ['--out'] }, 'run')).toThrow('run: --out needs a value');
  });
});
