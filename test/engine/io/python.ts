/**
 * Runs a python3 snippet for cross-checks against NumPy. Missing python3/NumPy skips the
 * calling test outside CI and fails it under CI=true (CONTRIBUTING: external components).
 */
import { spawnSync } from 'node:child_process';

export function hasNumpy(): boolean {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0;
}

export const NUMPY_AVAILABLE = hasNumpy();
export const SKIP_NUMPY = !NUMPY_AVAILABLE && process.env.CI !== 'true';

export function runPython(code: string, args: string[] = []): string {
  const r = spawnSync('python3', ['-c', code, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
