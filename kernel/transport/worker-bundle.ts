/**
 * The socket thread's entry. Booting tsx inside the worker (its own loader thread, esbuild and
 * transpile cache) took half of the kernel's start-to-ready time, so the worker's sources
 * (this folder and kernel/protocol) are bundled once into plain JavaScript with esbuild and
 * cached under node_modules/.cache/enginelab; the bundle is rebuilt when a source is newer.
 * If bundling is impossible (no esbuild, read-only tree) the tsx-based zmq-worker.mjs is used.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logToStderr } from './transport';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
// One bundle per checkout: worktrees may share node_modules, and each bundles its own sources.
const bundlePath = join(root, 'node_modules', '.cache', 'enginelab', `zmq-worker-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.mjs`);

const ENTRY = `
import { parentPort, workerData } from 'node:worker_threads';
import { runSocketThread } from '../socket-thread/run-socket-thread';
await runSocketThread(parentPort, workerData, ${JSON.stringify(root)});
`;

function newestSource(): number {
  let newest = 0;
  for (const dir of [here, resolve(here, '../protocol'), resolve(here, '../socket-thread'), resolve(here, '../debugger'), resolve(here, '../ts-interpreter')]) {
    for (const name of readdirSync(dir)) if (name.endsWith('.ts')) newest = Math.max(newest, statSync(join(dir, name)).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  try {
    return statSync(bundlePath).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

function build(): void {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  mkdirSync(dirname(bundlePath), { recursive: true });
  const tmp = `${bundlePath}.${process.pid}.tmp`;
  esbuild.buildSync({
    stdin: { contents: ENTRY, resolveDir: here, sourcefile: 'socket-thread-entry.mjs', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['zeromq'],
    outfile: tmp,
    logLevel: 'silent',
  });
  renameSync(tmp, bundlePath); // atomic: concurrent kernels never load a half-written bundle
}

/** URL of the worker script to start: the cached bundle, or the tsx boot as a fallback. */
export function socketThreadEntry(): URL {
  try {
    if (!isFresh()) build();
    return pathToFileURL(bundlePath);
  } catch (e) {
    logToStderr(`socket thread bundle unavailable (${(e as Error).message}); booting it through tsx`);
    return new URL('./zmq-worker.mjs', import.meta.url);
  }
}
