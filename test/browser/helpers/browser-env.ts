/**
 * Browser test plumbing: run a notebook through the rich kernel, serve it with Debian's classic
 * Notebook (isolated Jupyter dirs, token off, 127.0.0.1 only), and drive headless Chromium
 * through playwright-core while recording every request the page makes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { runNotebook, type NotebookRun } from '../../../kernel/cli/run-notebook';

export const root = resolve(new URL('.', import.meta.url).pathname, '../../..');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export function richKernelArgv(): string[] {
  return [process.execPath, join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'test/browser/helpers/rich-kernel-main.ts'), '{connection_file}'];
}

export function hasCommand(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Executes `notebook` with the rich kernel into `outDir` (ipynb + html). */
export async function executeNotebook(notebook: string, outDir: string): Promise<NotebookRun> {
  mkdirSync(outDir, { recursive: true });
  return runNotebook(notebook, { outDir, html: true, allowErrors: false, kernelArgv: richKernelArgv(), cellTimeoutMs: 180_000 });
}

export interface JupyterDirs { readonly env: NodeJS.ProcessEnv; readonly base: string }

/** Private Jupyter config/data/runtime dirs with the enginelab kernelspec (rich kernel). */
export function jupyterDirs(base: string): JupyterDirs {
  const data = join(base, 'data');
  const spec = join(data, 'kernels', 'enginelab');
  mkdirSync(spec, { recursive: true });
  writeFileSync(join(spec, 'kernel.json'), JSON.stringify({ argv: richKernelArgv(), display_name: 'TypeScript (enginelab)', language: 'typescript' }));
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: join(base, 'config'), JUPYTER_DATA_DIR: data, JUPYTER_RUNTIME_DIR: join(base, 'runtime'),
    JUPYTER_PLATFORM_DIRS: '1', PYDEVD_DISABLE_FILE_VALIDATION: '1', PYTHONDONTWRITEBYTECODE: '1',
  };
  for (const d of ['config', 'runtime']) mkdirSync(join(base, d), { recursive: true });
  return { env, base };
}

/** Marks a notebook trusted (classic Notebook runs scripts of trusted outputs only). */
export function trustNotebook(path: string, dirs: JupyterDirs): void {
  // Debian ships no `jupyter trust`; nbformat's notary (the one the server consults) signs it.
  const code = 'import sys, nbformat\nfrom nbformat.sign import NotebookNotary\nnb = nbformat.read(sys.argv[1], 4)\nn = NotebookNotary()\nn.sign(nb)\nassert n.check_signature(nb)';
  const r = spawnSync('/usr/bin/python3', ['-c', code, path], { env: dirs.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`signing the notebook failed: ${r.stderr}`);
}

export interface NotebookServer { readonly url: string; readonly proc: ChildProcess; stop(): Promise<void>; readonly log: string[] }

export async function startNotebookServer(dir: string, dirs: JupyterDirs): Promise<NotebookServer> {
  const port = await freePort();
  const log: string[] = [];
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? ['--allow-root'] : [];
  const proc = spawn('/usr/bin/jupyter', ['notebook', ...asRoot, '--no-browser', `--port=${port}`, '--ip=127.0.0.1', '--port-retries=0',
    "--NotebookApp.token=", "--NotebookApp.password=", `--notebook-dir=${dir}`, '--NotebookApp.disable_check_xsrf=True'], { env: dirs.env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (b) => log.push(String(b)));
  proc.stderr!.on('data', (b) => log.push(String(b)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter notebook exited: ${log.join('')}`);
    try {
      const r = await fetch(`${url}/api/status`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`jupyter notebook did not start: ${log.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url, proc, log,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

/** True when a request stays on this machine. */
export function isLocal(url: string): boolean {
  if (/^(data|blob|about|file):/.test(url)) return true;
  try {
    const h = new URL(url).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]';
  } catch {
    return false;
  }
}

export function ensureDir(p: string): string {
  if (!existsSync(p)) mkdirSync(p, { recursive: true });
  return p;
}
