/**
 * Worker threads do not inherit the main thread's tsx loader, and booting tsx in each one costs
 * about a second of CPU. So a worker's sources are bundled once into plain JavaScript with
 * esbuild and cached under node_modules/.cache/enginelab, one bundle per checkout (worktrees may
 * share node_modules), rebuilt when any `.ts` file under its source folders is newer. Where
 * bundling is impossible (no esbuild, read-only tree) the caller's tsx-booting entry is used.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';

export interface WorkerBundle {
  /** Names the cached file (`<name>-<hash of root>.mjs`). */
  readonly name: string;
  /** The checkout whose sources are bundled. */
  readonly root: string;
  /** Folders whose newest `.ts` file (searched recursively) decides whether the bundle is stale. */
  readonly sourceDirs: readonly string[];
  /** What to bundle: `entryPoints` or `stdin`, and any `external`. */
  readonly input: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'external'>;
  /** The entry to start when no bundle can be built. */
  readonly fallback: URL;
  /** Told why the fallback is used. */
  readonly log: (line: string) => void;
}

function newestSource(dirs: readonly string[]): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(dir, e.name)).mtimeMs);
    }
  };
  for (const d of dirs) walk(d);
  return newest;
}

const chosen = new Map<string, URL>();

/** URL of the worker script to start: the fresh cached bundle (built if needed), else `fallback`. */
export function workerBundleEntry(b: WorkerBundle): URL {
  const path = join(b.root, 'node_modules', '.cache', 'enginelab', `${b.name}-${createHash('sha256').update(b.root).digest('hex').slice(0, 12)}.mjs`);
  const known = chosen.get(path);
  if (known !== undefined) return known;
  let url: URL;
  try {
    let fresh = false;
    try {
      fresh = statSync(path).mtimeMs >= newestSource(b.sourceDirs);
    } catch {
      fresh = false;
    }
    if (!fresh) {
      const esbuild = createRequire(join(b.root, 'package.json'))('esbuild') as typeof import('esbuild');
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      esbuild.buildSync({ ...b.input, bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: tmp, logLevel: 'silent' });
      renameSync(tmp, path); // atomic: concurrent processes never load a half-written bundle
    }
    url = pathToFileURL(path);
  } catch (e) {
    b.log(`${b.name} bundle unavailable (${(e as Error).message}); booting it through tsx`);
    url = b.fallback;
  }
  chosen.set(path, url);
  return url;
}
