// Worker entry of the reader fuzzer (mutation-harness.ts): loads the TypeScript sources through
// tsx (a worker does not inherit vitest's loader) and runs the mutants it is given.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runMutants } = await import('./mutation-run.ts');
runMutants(workerData, (m) => parentPort.postMessage(m));
