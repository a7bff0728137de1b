/**
 * The zeromq side of the kernel (the only kernel file importing zeromq). It runs in a worker
 * thread so the heartbeat and the control channel keep answering while a cell blocks the main
 * thread: incoming frames are verified and decoded here, an `interrupt_request` raises SIGINT in
 * the process at once (vm's breakOnSigint turns it into an exception inside a running cell) and
 * raises the shared interrupt flag (the loop guards' way to stop a loop that runs after an
 * `await`, where no signal listener can run), and decoded messages are posted to the main
 * thread. Bad frames are logged to stderr and dropped.
 */
import * as zmq from 'zeromq';
import type { Channel, JupyterMessage, RequestChannel } from '../protocol/messages';
import { createSigner } from '../protocol/signing';
import { decodeFrames, encodeMessage } from '../protocol/wire';
import { endpoint, type ConnectionInfo } from './connection';

/** Main thread → socket thread. */
export type ToSocketThread = { readonly type: 'send'; readonly channel: Channel; readonly message: JupyterMessage<unknown> } | { readonly type: 'close' };
/** Socket thread → main thread. */
export type FromSocketThread =
  | { readonly type: 'ready' }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'message'; readonly channel: RequestChannel; readonly message: JupyterMessage; readonly seq: number }
  | { readonly type: 'closed' };

export interface ThreadPort {
  postMessage(value: FromSocketThread): void;
  on(event: 'message', listener: (value: ToSocketThread) => void): void;
}

type Writable = zmq.Router | zmq.Publisher;

/** zeromq sockets reject a send while another is in flight, so each socket gets a FIFO. */
class SendQueue {
  private readonly queue: Buffer[][] = [];
  private draining = false;
  constructor(
    private readonly socket: Writable,
    private readonly log: (line: string) => void,
  ) {}

  push(frames: Buffer[]): void {
    this.queue.push(frames);
    if (!this.draining) void this.drain();
  }

  get idle(): boolean {
    return !this.draining && this.queue.length === 0;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    for (let f = this.queue.shift(); f !== undefined; f = this.queue.shift()) {
      try {
        await this.socket.send(f);
      } catch (e) {
        if (this.socket.closed) break;
        this.log(`send failed: ${(e as Error).message}`);
      }
    }
    this.draining = false;
  }
}

export async function serveSockets(
  conn: ConnectionInfo,
  port: ThreadPort,
  shellCounter: Int32Array,
  log: (line: string) => void,
  interruptFlag?: Int32Array,
): Promise<void> {
  const signer = createSigner(conn.key, conn.signature_scheme);
  const linger = 1000;
  const routers: Record<RequestChannel, zmq.Router> = {
    shell: new zmq.Router({ linger }),
    control: new zmq.Router({ linger }),
    stdin: new zmq.Router({ linger }),
  };
  const iopub = new zmq.Publisher({ linger, sendHighWaterMark: 100_000 });
  const hb = new zmq.Reply({ linger: 0 });
  const all = [routers.shell, routers.control, routers.stdin, iopub, hb];
  try {
    await Promise.all([
      routers.shell.bind(endpoint(conn, conn.shell_port)),
      routers.control.bind(endpoint(conn, conn.control_port)),
      routers.stdin.bind(endpoint(conn, conn.stdin_port)),
      iopub.bind(endpoint(conn, conn.iopub_port)),
      hb.bind(endpoint(conn, conn.hb_port)),
    ]);
  } catch (e) {
    for (const s of all) s.close();
    port.postMessage({ type: 'error', message: `cannot bind kernel sockets: ${(e as Error).message}` });
    return;
  }
  const queues: Record<Channel, SendQueue> = {
    shell: new SendQueue(routers.shell, log),
    control: new SendQueue(routers.control, log),
    stdin: new SendQueue(routers.stdin, log),
    iopub: new SendQueue(iopub, log),
  };

  const receive = async (channel: RequestChannel): Promise<void> => {
    const socket = routers[channel];
    try {
      for await (const frames of socket) {
        const decoded = decodeFrames(frames, signer);
        if (!decoded.ok) {
          log(`dropped ${channel} message: ${decoded.reason}`);
          continue;
        }
        if (channel === 'control' && decoded.message.header.msg_type === 'interrupt_request') {
          // Must happen here: the main thread may be stuck in a synchronous loop.
          if (interruptFlag) Atomics.store(interruptFlag, 0, 1);
          process.kill(process.pid, 'SIGINT');
        }
        const seq = channel === 'shell' ? Atomics.add(shellCounter, 0, 1) + 1 : 0;
        port.postMessage({ type: 'message', channel, message: decoded.message, seq });
      }
    } catch (e) {
      if (!socket.closed) log(`${channel} receive loop ended: ${(e as Error).message}`);
    }
  };
  const heartbeat = async (): Promise<void> => {
    try {
      for await (const frames of hb) await hb.send(frames);
    } catch {
      // closed
    }
  };

  port.on('message', (m) => {
    if (m.type === 'send') {
      let frames: Buffer[];
      try {
        frames = encodeMessage(m.message, signer);
      } catch (e) {
        log(`could not encode ${m.message.header.msg_type}: ${(e as Error).message}`);
        return;
      }
      queues[m.channel].push(frames);
    } else if (m.type === 'close') {
      void (async () => {
        // Let queued replies and the last iopub status leave before closing.
        for (let i = 0; i < 100 && !Object.values(queues).every((q) => q.idle); i++) await new Promise((r) => setTimeout(r, 10));
        for (const s of all) s.close();
        port.postMessage({ type: 'closed' });
      })();
    }
  });

  void receive('shell');
  void receive('control');
  void receive('stdin');
  void heartbeat();
  port.postMessage({ type: 'ready' });
}
