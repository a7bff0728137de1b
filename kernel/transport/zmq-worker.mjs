// Entry of the socket thread: loads the TypeScript sources through tsx (the worker does not
// inherit the main thread's loader), then serves the sockets of kernel/transport/zmq-transport.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runSocketThread } = await import('../socket-thread/run-socket-thread.ts');
await runSocketThread(parentPort, workerData, new URL('../..', import.meta.url).pathname.replace(/\/$/, ''));
