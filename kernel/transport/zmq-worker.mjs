// Entry of the socket thread: loads the TypeScript sources through tsx (the worker does not
// inherit the main thread's loader), then serves the sockets of kernel/transport/zmq-transport.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveSockets } = await import('./zmq-transport.ts');
const { logToStderr } = await import('./transport.ts');
await serveSockets(workerData.connection, parentPort, workerData.shellCounter, logToStderr, workerData.interruptFlag, workerData);
