/**
 * The sweep worker's entry: the worker body and the engine it imports, bundled once and cached
 * (kernel/files/cached-worker-bundle.ts); the tsx-booting sweep-worker.mjs where that fails.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { workerBundleEntry } from '../files/cached-worker-bundle';

/** This folder, whether loaded as ESM (`import.meta.url`) or as CommonJS from a cell (`__dirname`). */
function hereDir(): string {
  const url = (import.meta as { url?: string }).url;
  return typeof url === 'string' && url !== '' ? dirname(fileURLToPath(url)) : __dirname;
}

/** URL of the worker script: the fresh cached bundle (built if needed), else the tsx boot. */
export function sweepWorkerEntry(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): URL {
  const here = hereDir();
  const root = resolve(here, '../..');
  return workerBundleEntry({
    name: 'sweep-worker', root, sourceDirs: [join(root, 'engine'), here],
    input: { entryPoints: [join(here, 'sweep-worker-body.ts')] },
    fallback: pathToFileURL(join(here, 'sweep-worker.mjs')), log,
  });
}
