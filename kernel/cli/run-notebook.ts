/**
 * `enginelab run`: executes notebooks through a real kernel process over zeromq with our own
 * client (no Python, no Jupyter), one fresh kernel per notebook in the notebook's directory,
 * and writes the executed nbformat-4 notebook (and, optionally, standalone HTML) to the output
 * directory. Without `allowErrors`, a failing cell stops its notebook, as nbclient does.
 * Every cell runs under a time limit (DEFAULT_CELL_TIMEOUT_S unless `--timeout` says otherwise,
 * `--timeout 0` for none): a runaway cell is interrupted and the run fails naming it, instead of
 * hanging. An output path that is one of the source notebooks is refused before anything runs.
 */
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../files/atomic-write';
import { KERNEL_PROCESS_ENV } from '../core/memory-hygiene';
import { numberArg, UsageError } from './args';
import { KernelClient } from '../client/kernel-client';
import { OutputCollector, parseNotebook, serializeNotebook, sourceText, type Output } from './notebook';
import { notebookToHtml } from './notebook-html';
import { persistNotebookPlots, type PersistReport } from '../display/plotly-persist';

export interface RunOptions {
  readonly outDir: string;
  readonly html: boolean;
  readonly allowErrors: boolean;
  /** Kernel command; defaults to this package's kernel with the current Node. */
  readonly kernelArgv?: readonly string[];
  readonly cellTimeoutMs?: number;
  readonly onCell?: (notebook: string, index: number, total: number) => void;
  /** Terminal to mirror the notebook's progress bars on (default: stderr when it is a TTY). */
  readonly terminal?: NodeJS.WritableStream;
}

export interface NotebookRun {
  readonly notebook: string;
  readonly numCells: number;
  readonly numExecuted: number;
  readonly numErrors: number;
  readonly seconds: number;
  readonly outPath: string;
  readonly htmlPath?: string;
  /** Why the run stopped early (a cell error without allowErrors, or a kernel failure). */
  readonly failure?: string;
  /** Plot outputs made self-sufficient for the saved notebook (static images, library shards). */
  readonly plots?: PersistReport;
}

/** Per-cell limit when `--timeout` is not given: far above any cell of notebooks/ (seconds). */
export const DEFAULT_CELL_TIMEOUT_S = 600;
/** setTimeout's largest delay (2^31 − 1 ms), in whole seconds. */
export const MAX_CELL_TIMEOUT_S = 2_147_483;

/** `--timeout` → milliseconds, or undefined for no limit (`0`); absent → the default. */
export function cellTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return DEFAULT_CELL_TIMEOUT_S * 1000;
  const s = numberArg(value, '--timeout', 'run', { min: 0, max: MAX_CELL_TIMEOUT_S, what: `0 (no limit) or a number of seconds up to ${MAX_CELL_TIMEOUT_S}` });
  return s === 0 ? undefined : Math.max(1, Math.round(s * 1000));
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino; // symlinks, hard links, bind mounts
  } catch {
    return false;
  }
}

/** Refuses an output directory where a written notebook (or its HTML) would replace a source notebook. */
export function checkOutputPaths(notebooks: readonly string[], outDir: string): void {
  for (const nb of notebooks) {
    const out = join(outDir, basename(nb));
    const clash = notebooks.find((src) => sameFile(out, src) || sameFile(out.replace(/\.ipynb$/, '.html'), src));
    if (clash !== undefined) throw new UsageError(`run: --out ${outDir} would overwrite the source notebook ${clash}; choose another output directory`);
  }
}

export function defaultKernelArgv(): string[] {
  return [process.execPath, resolve(dirname(new URL(import.meta.url).pathname), '../../bin/enginelab.mjs'), 'kernel', '-f', '{connection_file}'];
}

/** NOTEBOOK.ipynb, or every .ipynb directly inside DIR (sorted), skipping checkpoints. */
export function listNotebooks(target: string): string[] {
  let st;
  try {
    st = statSync(target);
  } catch {
    throw new Error(`run: ${target} does not exist`);
  }
  if (st.isFile()) {
    if (!target.endsWith('.ipynb')) throw new Error(`run: ${target} is not a .ipynb file`);
    return [target];
  }
  const found = readdirSync(target).filter((n) => n.endsWith('.ipynb') && !n.startsWith('.')).sort().map((n) => join(target, n));
  if (found.length === 0) throw new Error(`run: no .ipynb files in ${target}`);
  return found;
}

function writeFile(path: string, text: string): void {
  writeFileAtomic(path, text, { overwrite: true });
}

export async function runNotebook(path: string, options: RunOptions): Promise<NotebookRun> {
  const t0 = performance.now();
  checkOutputPaths([path], options.outDir);
  const nb = parseNotebook(readFileSync(path, 'utf8'), path);
  const codeCells = nb.cells.filter((c) => c.cell_type === 'code');
  const client = await KernelClient.launch({ argv: options.kernelArgv ?? defaultKernelArgv(), cwd: dirname(resolve(path)), env: { ...process.env, ...KERNEL_PROCESS_ENV } });
  let numErrors = 0;
  let numExecuted = 0;
  let failure: string | undefined;
  let cellIndex = -1;
  const terminal = options.terminal ?? (process.stderr.isTTY ? process.stderr : undefined);
  const mirror = terminal ? new (await import('../display/terminal-progress')).TerminalProgressMirror(terminal) : undefined;
  try {
    const info = client.kernelInfo?.content ?? {};
    nb.metadata.kernelspec = { name: 'enginelab', display_name: 'TypeScript (enginelab)', language: 'typescript' };
    nb.metadata.language_info = info.language_info ?? { name: 'typescript' };
    const collector = new OutputCollector();
    for (const [i, cell] of codeCells.entries()) {
      cellIndex = i;
      options.onCell?.(path, i, codeCells.length);
      const outputs: Output[] = [];
      cell.outputs = outputs;
      collector.startCell(outputs);
      const code = sourceText(cell.source);
      if (code.trim() === '') {
        cell.execution_count = null;
        continue;
      }
      const r = await client.execute(code, {
        onOutput: (m) => {
          collector.add(m);
          mirror?.onMessage(m);
        },
        ...(options.cellTimeoutMs ? { timeoutMs: options.cellTimeoutMs } : {}),
      });
      numExecuted++;
      cell.execution_count = typeof r.reply.content.execution_count === 'number' ? r.reply.content.execution_count : null;
      if (r.reply.content.status !== 'ok') {
        numErrors++;
        if (!options.allowErrors) {
          failure = `cell ${i + 1}: ${String(r.reply.content.ename ?? 'Error')}: ${String(r.reply.content.evalue ?? r.reply.content.status)}`;
          break;
        }
      }
    }
  } catch (e) {
    const message = (e as Error).message;
    failure = /timed out/.test(message) && cellIndex >= 0
      ? `cell ${cellIndex + 1}: timed out after ${(options.cellTimeoutMs ?? 0) / 1000} s and was interrupted (--timeout SECONDS changes the limit, --timeout 0 removes it)`
      : message;
    numErrors++;
  } finally {
    mirror?.stop();
    await client.shutdown();
  }
  const plots = await persistNotebookPlots(nb);
  mkdirSync(options.outDir, { recursive: true });
  const outPath = join(options.outDir, basename(path));
  writeFile(outPath, serializeNotebook(nb));
  let htmlPath: string | undefined;
  if (options.html) {
    htmlPath = outPath.replace(/\.ipynb$/, '.html');
    writeFile(htmlPath, notebookToHtml(nb, basename(path)));
  }
  return { notebook: path, numCells: codeCells.length, numExecuted, numErrors, seconds: (performance.now() - t0) / 1000, outPath, ...(htmlPath ? { htmlPath } : {}), ...(failure ? { failure } : {}), plots };
}

/** The line `enginelab run` prints as each notebook finishes. */
export function formatRunLine(r: NotebookRun): string {
  const p = r.plots;
  const plots = p && p.numPlots > 0 ? `, ${p.numPlots} plot${p.numPlots === 1 ? '' : 's'}${p.numStaticImages < p.numPlots ? ` (static images: ${p.staticError ?? `${p.numStaticImages}/${p.numPlots}`})` : ''}` : '';
  return `${r.failure ? 'FAILED' : 'ok'}  ${basename(r.notebook)}: ${r.numExecuted}/${r.numCells} cells, ${r.numErrors} error${r.numErrors === 1 ? '' : 's'}${plots}, ${r.seconds.toFixed(1)} s → ${r.outPath}${r.failure ? `\n  ${r.failure}` : ''}`;
}

/** The closing lines: where the HTML went. */
export function formatHtmlPaths(runs: readonly NotebookRun[]): string {
  const paths = runs.flatMap((r) => (r.htmlPath ? [r.htmlPath] : []));
  return paths.length ? ['HTML:', ...paths.map((p) => `  ${p}`)].join('\n') : '';
}

/** One line per notebook, fitting one screen. */
export function formatSummary(runs: readonly NotebookRun[]): string {
  const rows = runs.map((r) => [basename(r.notebook), String(r.numCells), String(r.numErrors), r.seconds.toFixed(2), r.failure ? 'FAILED' : 'ok']);
  const header = ['notebook', 'cells', 'errors', 'seconds', 'status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const total = runs.reduce((s, r) => s + r.seconds, 0);
  const failures = runs.filter((r) => r.failure).map((r) => `  ${basename(r.notebook)}: ${r.failure}`);
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), `${runs.length} notebook(s), ${runs.reduce((s, r) => s + r.numErrors, 0)} error(s), ${total.toFixed(2)} s`, ...failures].join('\n');
}
