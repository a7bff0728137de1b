/**
 * External components for integration tests (Debian's python3 with jupyter_client, nbclient,
 * nbconvert, ipykernel). A test that needs one skips only when CI is not 'true'; under CI a
 * missing component fails the test instead.
 */
import { spawnSync } from 'node:child_process';

export const isCI = process.env.CI === 'true';

const cache = new Map<string, string | undefined>();

/** A python3 that can import every module in `modules` (Debian's first), or undefined. */
export function findPython(modules: readonly string[]): string | undefined {
  const key = modules.join(',');
  if (cache.has(key)) return cache.get(key);
  let found: string | undefined;
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', modules.map((m) => `import ${m}`).join('; ') || 'pass'], { encoding: 'utf8', env: pythonEnv() });
    if (r.status === 0) {
      found = py;
      break;
    }
  }
  cache.set(key, found);
  return found;
}

/** Quiet, deterministic environment for python helpers. */
export function pythonEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1', PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

/** True when the test should skip (component missing and not in CI). */
export function skipUnlessAvailable(available: boolean): boolean {
  return !available && !isCI;
}
