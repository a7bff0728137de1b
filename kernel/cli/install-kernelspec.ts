/**
 * `enginelab install`: writes the kernelspec (kernel.json with the absolute Node path, logos)
 * into a Jupyter data directory's `kernels/NAME`, where `jupyter kernelspec list` finds it.
 * interrupt_mode is "message": the frontend sends interrupt_request on control, which our socket
 * thread answers even while a cell blocks (it raises SIGINT itself), and it also works where
 * signals do not (remote or Windows frontends). A plain SIGINT interrupts as well.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { logoPng, logoSvg } from './logo';
import { KERNEL_PROCESS_ENV } from '../core/memory-hygiene';

export type InstallTarget = { readonly kind: 'user' } | { readonly kind: 'sys-prefix' } | { readonly kind: 'prefix'; readonly dir: string };

export interface InstallOptions {
  readonly target: InstallTarget;
  readonly name: string;
  readonly env?: NodeJS.ProcessEnv;
}

const BIN = resolve(dirname(new URL(import.meta.url).pathname), '../../bin/enginelab.mjs');

export function kernelJson(name: string): Record<string, unknown> {
  return {
    argv: [process.execPath, BIN, 'kernel', '-f', '{connection_file}'],
    display_name: name === 'enginelab' ? 'TypeScript (enginelab)' : `TypeScript (enginelab: ${name})`,
    language: 'typescript',
    interrupt_mode: 'message',
    env: { ...KERNEL_PROCESS_ENV }, // glibc returns freed large arrays to the OS (memory-hygiene.ts)
    // JupyterLab shows its debugger only for kernelspecs that say so (kernel/debugger).
    metadata: { debugger: true },
  };
}

/** The Jupyter data directory for a target, following jupyter_core's rules on Linux/macOS. */
export function dataDir(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  if (target.kind === 'prefix') return join(resolve(target.dir), 'share', 'jupyter');
  if (target.kind === 'user') {
    if (env.JUPYTER_DATA_DIR) return resolve(env.JUPYTER_DATA_DIR);
    if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
    return join(env.XDG_DATA_HOME ? resolve(env.XDG_DATA_HOME) : join(homedir(), '.local', 'share'), 'jupyter');
  }
  const prefix = env.VIRTUAL_ENV ?? env.CONDA_PREFIX ?? pythonPrefix();
  return join(prefix, 'share', 'jupyter');
}

function pythonPrefix(): string {
  for (const py of ['python3', 'python']) {
    try {
      return execFileSync(py, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
    } catch {
      // try the next
    }
  }
  throw new Error('install --sys-prefix: no active virtualenv/conda env and no python3 to ask for sys.prefix');
}

export function installKernelspec(options: InstallOptions): string {
  if (!/^[a-zA-Z0-9._-]+$/.test(options.name)) throw new TypeError(`install: --name must use letters, digits, '.', '_' or '-', got ${JSON.stringify(options.name)}`);
  const dir = join(dataDir(options.target, options.env), 'kernels', options.name.toLowerCase());
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify(kernelJson(options.name), null, 1) + '\n');
  writeFileSync(join(dir, 'logo-32x32.png'), logoPng(32));
  writeFileSync(join(dir, 'logo-64x64.png'), logoPng(64));
  writeFileSync(join(dir, 'logo-svg.svg'), logoSvg());
  return dir;
}
