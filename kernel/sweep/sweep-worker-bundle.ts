/**
 * The sweep worker's entry. Booting tsx in every worker thread costs about a second of CPU
 * (its loader, then transpiling the engine file by file), so the worker body and the engine it
 * imports are bundled once into plain JavaScript with esbuild and cached under
 * node_modules/.cache/enginelab (one bundle per checkout), rebuilt when any engine or
 * kernel/sweep source is newer. Where bundling is impossible (no esbuild, read-only tree) the
 * tsx-booting sweep-worker.mjs is used.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This folder, whether loaded as ESM (`import.meta.url`) or as CommonJS from a cell (`__dirname`). */
function hereDir(): string {
  const url = (import.meta as { url?: string }).url;
  return typeof url === 'string' && url !== '' ? dirname(fileURLToPath(url)) : __dirname;
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

let chosen: URL | undefined;

/** URL of the worker script: the fresh cached bundle (built if needed), else the tsx boot. */
export function sweepWorkerEntry(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): URL {
  if (chosen !== undefined) return chosen;
  const here = hereDir();
  const root = resolve(here, '../..');
  const bundle = join(root, 'node_modules', '.cache', 'enginelab', `sweep-worker-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.mjs`);
  try {
    let fresh = false;
    try {
      fresh = statSync(bundle).mtimeMs >= newestSource([join(root, 'engine'), here]);
    } catch {
      fresh = false;
    }
    if (!fresh) {
      const esbuild = createRequire(join(here, 'sweep-worker-bundle.ts'))('esbuild') as typeof import('esbuild');
      mkdirSync(dirname(bundle), { recursive: true });
      const tmp = `${bundle}.${process.pid}.tmp`;
      esbuild.buildSync({ entryPoints: [join(here, 'sweep-worker-body.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: tmp, logLevel: 'silent' });
      renameSync(tmp, bundle); // atomic: concurrent sweeps never load a half-written bundle
    }
    chosen = pathToFileURL(bundle);
  } catch (e) {
    log(`sweep worker bundle unavailable (${(e as Error).message}); booting workers through tsx`);
    chosen = pathToFileURL(join(here, 'sweep-worker.mjs'));
  }
  return chosen;
}
