/**
 * The main-thread half of the zeromq transport: starts the socket thread (zmq-transport.ts,
 * bundled by worker-bundle.ts), relays decoded messages to the core and messages to send back to it. The
 * shell arrival counter lives in shared memory, so stop_on_error sees messages the socket thread
 * received while the main thread was blocked in a cell; so does the interrupt flag, which the
 * socket thread raises on interrupt_request for the interpreter's loop guards, and the send
 * credit (send-credit.ts), which blocks a cell that outputs faster than the sockets can carry.
 */
import { Worker } from 'node:worker_threads';
import type { Channel, JupyterMessage } from '../protocol/messages';
import type { ConnectionInfo } from './connection';
import { newCreditCounter, takeCredit } from './send-credit';
import { mainThreadTakes } from '../socket-thread/prompt-answers';
import { socketThreadEntry } from './worker-bundle';
import { logToStderr, type IncomingMessage, type Transport } from './transport';
import type { FromSocketThread, SocketThreadOptions, ToSocketThread } from './zmq-transport';

export interface SocketThreadTransportOptions {
  /** The core's session id (KernelCoreOptions.session), for what the socket thread sends itself. */
  readonly session?: string;
  /** kernel_info_reply content, for kernel_info on control (answered by the socket thread). */
  readonly kernelInfo?: Record<string, unknown>;
  readonly shutdownGraceMs?: number;
}

export class SocketThreadTransport implements Transport {
  readonly signalsInterrupts = true;
  /** The socket thread answers debug_request (kernel/socket-thread/debug-service.ts). */
  static readonly servesDebugger = true;
  readonly servesDebugger = SocketThreadTransport.servesDebugger;
  private worker: Worker | undefined;
  private gone = false;
  private readonly shellCounter = new Int32Array(new SharedArrayBuffer(4));
  private readonly credit = newCreditCounter();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly connection: ConnectionInfo,
    private readonly log: (line: string) => void = logToStderr,
    /** Shared flag raised on every interrupt_request (kernel/ts-interpreter/interrupt-flag.ts). */
    private readonly interruptFlag?: Int32Array,
    private readonly options: SocketThreadTransportOptions = {},
  ) {}

  start(onMessage: (incoming: IncomingMessage) => void): Promise<void> {
    const threadOptions: SocketThreadOptions = { ...this.options, credit: this.credit };
    const workerData = { connection: this.connection, shellCounter: this.shellCounter, interruptFlag: this.interruptFlag, ...threadOptions };
    const worker = new Worker(socketThreadEntry(), { workerData });
    this.worker = worker;
    worker.once('exit', () => (this.gone = true));
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromSocketThread) => {
        if (m.type === 'message') {
          // Prompt requests the socket thread answered itself (main thread blocked) stop here;
          // so does an interrupt the socket thread delivered as SIGINT (control-server.ts).
          if (!mainThreadTakes(m)) return;
          // An interrupt taken here: the main thread is in its event loop, so it runs what a
          // SIGINT would have run (the kernel's and the interpreter's SIGINT listeners), without
          // a real signal that could land in vm's breakOnSigint hand-over and kill the process.
          if (m.answered === true && m.claim !== undefined && m.message.header.msg_type === 'interrupt_request') process.emit('SIGINT', 'SIGINT');
          const { channel, message, seq, invalid, answered } = m;
          onMessage({ channel, message, seq, ...(invalid === undefined ? {} : { invalid }), ...(answered === true ? { answered } : {}) });
        } else if (m.type === 'ready') resolve();
        else if (m.type === 'error') reject(new Error(m.message));
      });
      worker.on('error', (e) => {
        this.gone = true;
        this.log(`socket thread failed: ${e.stack ?? e.message}`);
        reject(e);
      });
    });
  }

  send(channel: Channel, message: JupyterMessage<unknown>): void {
    const worker = this.worker;
    if (worker === undefined || this.gone) return;
    const m: ToSocketThread = { type: 'send', channel, message };
    takeCredit(this.credit, this.interruptFlag ? { interruptFlag: this.interruptFlag } : {});
    try {
      worker.postMessage(m);
    } catch (e) {
      Atomics.sub(this.credit, 0, 1); // never reached the socket thread, which returns credits
      // Values that structured clone cannot copy (functions, symbols) never reach the wire.
      this.log(`could not send ${message.header.msg_type}: ${(e as Error).message}`);
    }
  }

  receivedCount(): number {
    return Atomics.load(this.shellCounter, 0);
  }

  close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return Promise.resolve();
    this.closing ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        void worker.terminate().then(() => resolve());
      };
      const timer = setTimeout(done, 3000);
      worker.on('message', (m: FromSocketThread) => m.type === 'closed' && done());
      worker.postMessage({ type: 'close' } satisfies ToSocketThread);
    });
    return this.closing;
  }
}
