/**
 * JupyterLab 4 for browser tests: a pip venv (created on first use from the machine's local
 * index, `pip install --retries 0 jupyterlab`), our kernelspec installed under a private prefix
 * named by JUPYTER_PATH, private config/data/runtime dirs (no saved workspace or breakpoints leak
 * between runs), and `jupyter lab` headless on 127.0.0.1 with a token on a free port.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, startJupyterServer, type JupyterServer } from './browser-env';

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

export interface LabServer extends JupyterServer {
  /** `/lab/tree/<path>` with the token and a fresh workspace. */
  pageUrl(path: string): string;
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
  const server = await startJupyterServer('jupyter lab', jupyter, ['lab', `--ServerApp.token=${JLAB_TOKEN}`, `--ServerApp.root_dir=${notebookDir}`],
    { env, query: `?token=${JLAB_TOKEN}`, startMs: 120_000, stopGraceMs: 10_000 });
  return { ...server, pageUrl: (path) => `${server.url}/lab/tree/${path}?reset&token=${JLAB_TOKEN}` };
}
