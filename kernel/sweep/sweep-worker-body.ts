/**
 * Body of a sweep worker thread: each message is one `SweepConfig`, each reply its `SweepRow`
 * (runSweepConfig never throws for a config's own failure). The engine is pure, so a thread holds
 * its own copy and nothing is shared with the pool but these messages.
 */
import { parentPort } from 'node:worker_threads';
import { runSweepConfig, type SweepConfig } from '../../engine/index';

if (parentPort === null) throw new Error('sweep-worker-body.ts runs only as a worker thread');
const port = parentPort;
port.on('message', (config: SweepConfig) => {
  port.postMessage(runSweepConfig(config));
});
port.postMessage({ ready: true });
