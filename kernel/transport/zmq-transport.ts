/**
 * The zeromq side of the kernel (the only kernel file importing zeromq). It runs in a worker
 * thread so the heartbeat and the control channel keep answering while a cell blocks the main
 * thread. Every incoming frame goes through the gate (incoming-gate.ts: limits, signature,
 * replays); control requests are answered right here (control-server.ts), an interrupt raising
 * SIGINT (vm's breakOnSigint turns it into an exception inside a running cell) and the shared
 * interrupt flag (the loop guards' way to stop a loop that runs after an `await`); shell and
 * stdin messages are posted to the main thread. No single message can end a receive loop: each
 * is handled inside its own try, and a failing socket iterator is restarted. Messages from the
 * main thread return their send credit (send-credit.ts) once handed to zeromq. IOPub is an
 * XPUB socket (protocol 5.4, JEP 65): each subscription is answered with an `iopub_welcome`
 * (content `{subscription}`, on that topic), so a client knows when it stops missing messages.
 */
import * as zmq from 'zeromq';
import { MESSAGE_LIMITS } from '../protocol/limits';
import { MessageFactory } from '../protocol/message-factory';
import type { Channel, JupyterMessage, RequestChannel } from '../protocol/messages';
import { createSigner } from '../protocol/signing';
import { encodeMessage } from '../protocol/wire';
import { endpoint, type ConnectionInfo } from './connection';
import { serveControl, type ControlContext } from './control-server';
import { IncomingGate } from './incoming-gate';
import { returnCredit, type CreditCounter } from './send-credit';

/** Main thread → socket thread. */
export type ToSocketThread = { readonly type: 'send'; readonly channel: Channel; readonly message: JupyterMessage<unknown> } | { readonly type: 'close' };
/** Socket thread → main thread. */
export type FromSocketThread =
  | { readonly type: 'ready' }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'message'; readonly channel: RequestChannel; readonly message: JupyterMessage; readonly seq: number; readonly invalid?: string; readonly answered?: boolean; readonly claim?: Int32Array }
  | { readonly type: 'closed' };

export interface ThreadPort {
  postMessage(value: FromSocketThread): void;
  on(event: 'message', listener: (value: ToSocketThread) => void): void;
}

/** What the socket thread needs besides the connection, shell counter and interrupt flag (plain data). */
export interface SocketThreadOptions {
  readonly credit?: CreditCounter;
  /** The core's session id, for the replies and iopub status the socket thread sends itself. */
  readonly session?: string;
  /** kernel_info_reply content for kernel_info on control. */
  readonly kernelInfo?: Record<string, unknown>;
  /** After a shutdown_request, how long the main thread gets before the process is ended. */
  readonly shutdownGraceMs?: number;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 2000;
/** How long the main thread has to take an interrupt itself before the socket thread raises SIGINT (control-server.ts). */
export const SIGINT_DELAY_MS = 100;
const FREE = 0;
const SOCKET = 2;

type Writable = zmq.Router | zmq.XPublisher;

/** zeromq sockets reject a send while another is in flight, so each socket gets a FIFO. */
class SendQueue {
  private readonly queue: Array<{ frames: Buffer[]; done?: () => void }> = [];
  private draining = false;
  constructor(
    private readonly socket: Writable,
    private readonly log: (line: string) => void,
  ) {}

  push(frames: Buffer[], done?: () => void): void {
    this.queue.push(done === undefined ? { frames } : { frames, done });
    if (!this.draining) void this.drain();
  }

  get idle(): boolean {
    return !this.draining && this.queue.length === 0;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
      try {
        if (!this.socket.closed) await this.socket.send(item.frames);
      } catch (e) {
        if (!this.socket.closed) this.log(`send failed: ${(e as Error).message}`);
      } finally {
        item.done?.();
      }
    }
    this.draining = false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function serveSockets(
  conn: ConnectionInfo,
  port: ThreadPort,
  shellCounter: Int32Array,
  log: (line: string) => void,
  interruptFlag?: Int32Array,
  options: SocketThreadOptions = {},
): Promise<void> {
  const signer = createSigner(conn.key, conn.signature_scheme);
  const gate = new IncomingGate(signer, conn.key !== '', log);
  const linger = 1000;
  const maxMessageSize = MESSAGE_LIMITS.maxFrameBytes;
  const routers: Record<RequestChannel, zmq.Router> = {
    shell: new zmq.Router({ linger, maxMessageSize }),
    control: new zmq.Router({ linger, maxMessageSize }),
    stdin: new zmq.Router({ linger, maxMessageSize }),
  };
  // allSubs: every client's subscription is reported (and welcomed), not only a topic's first.
  const iopub = new zmq.XPublisher({ linger, sendHighWaterMark: 100_000, verbosity: 'allSubs' });
  const hb = new zmq.Reply({ linger: 0, maxMessageSize: 1024 });
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
  const send = (channel: Channel, message: JupyterMessage<unknown>, done?: () => void): void => {
    let frames: Buffer[];
    try {
      frames = encodeMessage(message, signer);
    } catch (e) {
      log(`could not encode ${message.header.msg_type}: ${(e as Error).message}`);
      done?.();
      return;
    }
    queues[channel].push(frames, done);
  };
  const closeAll = async (): Promise<void> => {
    // Let queued replies and the last iopub status leave before closing.
    for (let i = 0; i < 100 && !Object.values(queues).every((q) => q.idle); i++) await sleep(10);
    for (const s of all) if (!s.closed) s.close();
  };

  const post = (channel: RequestChannel, message: JupyterMessage, extra: { invalid?: string; answered?: boolean; claim?: Int32Array }): void => {
    const seq = channel === 'shell' ? Atomics.add(shellCounter, 0, 1) + 1 : 0;
    try {
      port.postMessage({ type: 'message', channel, message, seq, ...extra });
    } catch (e) {
      // Within the limits a clone cannot overflow, but nothing may end the loop: refuse by header.
      const bare: JupyterMessage = { identities: message.identities, header: message.header, parent_header: {}, metadata: {}, content: {}, buffers: [] };
      try {
        port.postMessage({ type: 'message', channel, message: bare, seq, invalid: `could not hand the message to the kernel (${(e as Error).message})` });
      } catch (e2) {
        log(`dropped ${channel} ${message.header.msg_type}: ${(e2 as Error).message}`);
      }
    }
  };

  let forcedExit: ReturnType<typeof setTimeout> | undefined;
  const control: ControlContext = {
    factory: new MessageFactory(options.session === undefined ? {} : { session: options.session }),
    kernelInfo: options.kernelInfo ?? { status: 'ok', protocol_version: '5.3', implementation: 'enginelab', implementation_version: '0.1.0', language_info: { name: 'typescript' }, banner: '', help_links: [], debugger: false },
    send: (channel, message) => send(channel, message),
    raiseInterrupt: (signal) => {
      if (interruptFlag) Atomics.store(interruptFlag, 0, 1);
      if (!signal) return undefined;
      // The main thread claims this word when it takes the posted request (mainThreadTakes in
      // socket-thread-transport.ts); unclaimed after the delay, it is stuck: signal it.
      const claim = new Int32Array(new SharedArrayBuffer(4));
      setTimeout(() => {
        if (Atomics.compareExchange(claim, 0, FREE, SOCKET) === FREE) process.kill(process.pid, 'SIGINT');
      }, SIGINT_DELAY_MS);
      return claim;
    },
    notifyMain: (message, claim) => post('control', message, claim === undefined ? { answered: true } : { answered: true, claim }),
    forward: (message) => post('control', message, {}),
    armForcedExit: () => {
      const grace = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      forcedExit ??= setTimeout(() => {
        log(`the main thread did not shut down within ${grace} ms of shutdown_request (a cell that never yields?): ending the process`);
        void closeAll().finally(() => {
          process.kill(process.pid, 'SIGTERM');
          setTimeout(() => process.kill(process.pid, 'SIGKILL'), 500).unref();
        });
      }, grace);
    },
    log,
  };

  const onFrames = (channel: RequestChannel, frames: Buffer[]): void => {
    const admitted = gate.admit(channel, frames);
    if (admitted === undefined) return;
    if (channel === 'control') serveControl(admitted.message, admitted.invalid, control);
    else post(channel, admitted.message, admitted.invalid === undefined ? {} : { invalid: admitted.invalid });
  };
  const receive = async (channel: RequestChannel): Promise<void> => {
    const socket = routers[channel];
    while (!socket.closed) {
      try {
        for await (const frames of socket) {
          try {
            onFrames(channel, frames);
          } catch (e) {
            log(`${channel} message failed: ${(e as Error).message}`);
          }
        }
        return;
      } catch (e) {
        if (socket.closed) return;
        log(`${channel} receive failed (${(e as Error).message}); receiving again`);
        await sleep(10);
      }
    }
  };
  const welcome = async (): Promise<void> => {
    while (!iopub.closed) {
      try {
        for await (const [event] of iopub) {
          if (event === undefined || event[0] !== 1) continue; // 1 = subscribe, 0 = unsubscribe
          const topic = event.subarray(1);
          const identities = topic.length > 0 ? [Buffer.from(topic)] : [];
          send('iopub', control.factory.make('iopub_welcome', { subscription: topic.toString('utf8') }, undefined, { identities }));
        }
        return;
      } catch {
        if (!iopub.closed) await sleep(10);
      }
    }
  };
  const heartbeat = async (): Promise<void> => {
    while (!hb.closed) {
      try {
        for await (const frames of hb) await hb.send(frames);
        return;
      } catch {
        if (!hb.closed) await sleep(10);
      }
    }
  };

  port.on('message', (m) => {
    if (m.type === 'send') {
      const credit = options.credit;
      send(m.channel, m.message, credit === undefined ? undefined : () => returnCredit(credit));
    } else if (m.type === 'close') {
      void closeAll().then(() => port.postMessage({ type: 'closed' }));
    }
  });

  void receive('shell');
  void receive('control');
  void receive('stdin');
  void heartbeat();
  void welcome();
  port.postMessage({ type: 'ready' });
}
