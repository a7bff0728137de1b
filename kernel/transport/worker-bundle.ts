/**
 * The socket thread's entry. Booting tsx inside the worker (its own loader thread, esbuild and
 * transpile cache) took half of the kernel's start-to-ready time, so the worker's sources (this
 * folder, kernel/protocol, the socket thread, the debugger, the is_complete of ts-interpreter)
 * are bundled once and cached (kernel/files/cached-worker-bundle.ts); the tsx-based
 * zmq-worker.mjs is the fallback.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerBundleEntry } from '../files/cached-worker-bundle';
import { logToStderr } from './transport';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

const ENTRY = `
import { parentPort, workerData } from 'node:worker_threads';
import { runSocketThread } from '../socket-thread/run-socket-thread';
await runSocketThread(parentPort, workerData, ${JSON.stringify(root)});
`;

/** URL of the worker script to start: the cached bundle, or the tsx boot as a fallback. */
export function socketThreadEntry(): URL {
  return workerBundleEntry({
    name: 'zmq-worker', root,
    sourceDirs: [here, ...['protocol', 'socket-thread', 'debugger', 'ts-interpreter'].map((d) => resolve(here, '..', d))],
    input: { stdin: { contents: ENTRY, resolveDir: here, sourcefile: 'socket-thread-entry.mjs', loader: 'js' }, external: ['zeromq'] },
    fallback: new URL('./zmq-worker.mjs', import.meta.url), log: logToStderr,
  });
}
