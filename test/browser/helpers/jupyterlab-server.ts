/**
 * JupyterLab 4 for browser tests: a pip venv (created on first use from the machine's local
 * index, `pip install --retries 0 jupyterlab`), our kernelspec installed under a private prefix
 * named by JUPYTER_PATH, private config/data/runtime dirs (no saved workspace or breakpoints leak
 * between runs), and `jupyter lab` headless on 127.0.0.1 with a token on a free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, root } from './browser-env';

export const JLAB_VENV = process.env.ENGINELAB_JLAB_VENV ?? join(root, '.tmp', 'jlab-venv');
export const JLAB_TOKEN = 'enginelab-browser-test';

/** The venv's `jupyter`, creating the venv if it is missing; undefined when that fails. */
export function ensureJupyterLab(): string | undefined {
  const jupyter = join(JLAB_VENV, 'bin', 'jupyter');
  const ready = () => existsSync(jupyter) && spawnSync(jupyter, ['lab', '--version'], { encoding: 'utf8' }).status === 0;
  if (ready()) return jupyter;
  if (spawnSync('python3', ['-m', 'venv', JLAB_VENV], { encoding: 'utf8', timeout: 120_000 }).status !== 0) return undefined;
  const pip = spawnSync(join(JLAB_VENV, 'bin', 'pip'), ['install', '--quiet', '--retries', '0', 'jupyterlab'], { encoding: 'utf8', timeout: 400_000 });
  if (pip.status !== 0) return undefined;
  return ready() ? jupyter : undefined;
}

export interface LabServer {
  readonly url: string;
  readonly log: string[];
  readonly proc: ChildProcess;
  /** `/lab/tree/<path>` with the token and a fresh workspace. */
  pageUrl(path: string): string;
  stop(): Promise<void>;
}

export async function startJupyterLab(jupyter: string, base: string, notebookDir: string): Promise<LabServer> {
  const prefix = join(base, 'prefix');
  const install = spawnSync(process.execPath, [join(root, 'bin/enginelab.mjs'), 'install', '--prefix', prefix], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`enginelab install --prefix failed: ${install.stderr}`);
  for (const d of ['config', 'data', 'runtime']) mkdirSync(join(base, d), { recursive: true });
  const env = {
    ...process.env,
    JUPYTER_PATH: join(prefix, 'share', 'jupyter'),
    JUPYTER_CONFIG_DIR: join(base, 'config'), JUPYTER_DATA_DIR: join(base, 'data'), JUPYTER_RUNTIME_DIR: join(base, 'runtime'),
    JUPYTER_PLATFORM_DIRS: '1', PYTHONDONTWRITEBYTECODE: '1',
  };
  const port = await freePort();
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? ['--allow-root'] : [];
  const proc = spawn(jupyter, ['lab', ...asRoot, '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0',
    `--ServerApp.token=${JLAB_TOKEN}`, `--ServerApp.root_dir=${notebookDir}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  proc.stdout!.on('data', (b) => log.push(String(b)));
  proc.stderr!.on('data', (b) => log.push(String(b)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter lab exited: ${log.join('')}`);
    try {
      if ((await fetch(`${url}/api/status?token=${JLAB_TOKEN}`)).ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`jupyter lab did not start: ${log.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url, log, proc,
    pageUrl: (path) => `${url}/lab/tree/${path}?reset&token=${JLAB_TOKEN}`,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
