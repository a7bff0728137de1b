/**
 * Body of the socket thread (started by kernel/transport/worker-bundle.ts): the zeromq sockets
 * of kernel/transport/zmq-transport.ts, with the socket-thread services in front of the main
 * thread — the debug adapter (debug_request), bounded answers to prompt requests and
 * usage_request.
 */
import type { ConnectionInfo } from '../transport/connection';
import { logToStderr } from '../transport/transport';
import { serveSockets, type SocketThreadOptions } from '../transport/zmq-transport';
import { debugService } from './debug-service';
import { promptAnswers } from './prompt-answers';
import { linkServices, type ParentPort } from './thread-link';

export interface SocketThreadData extends SocketThreadOptions {
  readonly connection: ConnectionInfo;
  readonly shellCounter: Int32Array;
  readonly interruptFlag?: Int32Array;
}

export async function runSocketThread(parent: ParentPort, data: SocketThreadData, projectRoot: string): Promise<void> {
  const port = linkServices(parent, data.session, (outbox) => [debugService(outbox, projectRoot), promptAnswers(outbox)]);
  await serveSockets(data.connection, port, data.shellCounter, logToStderr, data.interruptFlag, data);
}
