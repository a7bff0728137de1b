/**
 * KernelCore: the protocol bookkeeping between a transport and an interpreter (xeus-style).
 * It owns the msg_type → handler table, busy/idle around every request, parent headers,
 * replies (every one with `status`, shaped by `ReplyContentMap`), comms, history, stdin and
 * shutdown. Handlers live in kernel/shell/ and see only narrow host interfaces; the execution
 * counter and the stop_on_error watermark belong to `Execution`. Anything a handler throws
 * becomes an error reply; the core keeps serving. Shell requests run one at a time in arrival
 * order; control requests run at once.
 */
import type { CellIO, Interpreter } from '../interpreter';
import { MessageFactory } from '../protocol/message-factory';
import { replyTypeOf, type ErrorContent, type JupyterMessage, type ReplyContent, type RequestChannel, type RequestType } from '../protocol/messages';
import { CommManager } from '../session/comms';
import { History } from '../session/history';
import { Execution } from '../shell/execute-request';
import { queryRequests } from '../shell/query-requests';
import { RequestContext } from '../shell/request-context';
import type { RequestHandlers } from '../shell/request-handler';
import { logToStderr, type IncomingMessage, type Transport } from '../transport/transport';

export interface KernelCoreOptions {
  readonly interpreter: Interpreter;
  readonly transport: Transport;
  /**
   * Loads what cells need (globals, heavy modules); run once, on the first execute/complete/
   * inspect or shortly after the first kernel_info_reply, so that reply is never held up.
   */
  readonly prepare?: () => Promise<void>;
  /** Called after a shutdown_request was answered and everything closed. */
  readonly onShutdown?: (restart: boolean) => void;
  readonly log?: (line: string) => void;
  readonly session?: string;
  /** Called after each request was answered and idle published (e.g. for periodic GC). */
  readonly afterRequest?: (msgType: string) => void;
}

type Notification = 'comm_open' | 'comm_msg' | 'comm_close';
/** The error reply any request gets when its handler throws. */
type ErrorReply = { readonly status: 'error' } & ErrorContent;

/** What the control channel serves; anything else there is refused (it must not run cells). */
const CONTROL_TYPES = new Set(['kernel_info_request', 'interrupt_request', 'shutdown_request']);

export class KernelCore {
  readonly interpreter: Interpreter;
  readonly transport: Transport;
  readonly history = new History();
  readonly comms: CommManager;
  readonly factory: MessageFactory;
  readonly log: (line: string) => void;
  private readonly prepareFn: () => Promise<void>;
  private prepared: Promise<void> | undefined;
  private readonly execution: Execution;
  private readonly requests: RequestHandlers;
  private readonly notifications: Readonly<Record<Notification, (m: IncomingMessage) => void>>;
  private readonly shellQueue: IncomingMessage[] = [];
  private pumping = false;
  private current: RequestContext;
  private pendingInput: { resolve: (v: string) => void; reject: (e: Error) => void } | undefined;
  private shuttingDown = false;
  private readonly onShutdown: (restart: boolean) => void;
  private readonly afterRequest: (msgType: string) => void;

  constructor(options: KernelCoreOptions) {
    this.interpreter = options.interpreter;
    this.transport = options.transport;
    this.prepareFn = options.prepare ?? (() => Promise.resolve());
    this.onShutdown = options.onShutdown ?? (() => undefined);
    this.afterRequest = options.afterRequest ?? (() => undefined);
    this.log = options.log ?? logToStderr;
    this.factory = new MessageFactory(options.session === undefined ? {} : { session: options.session });
    this.current = this.newContext(undefined, false, false);
    this.comms = new CommManager(
      (msgType, content, buffers, metadata) => this.publish(msgType, content, this.current.parent, buffers, metadata),
      (text) => this.current.stream('stderr', text),
    );
    this.execution = new Execution({
      interpreter: this.interpreter,
      history: this.history,
      beginRequest: (parent, silent, allowStdin) => this.beginRequest(parent, silent, allowStdin),
      ready: () => this.ready(),
      receivedCount: () => this.transport.receivedCount(),
    });
    const queries = queryRequests({ interpreter: this.interpreter, history: this.history, comms: this.comms, debuggerAvailable: this.transport.servesDebugger === true, ready: () => this.ready() });
    this.requests = {
      ...queries,
      kernel_info_request: (m, reply) => {
        queries.kernel_info_request(m, reply);
        // Warm up right after the first kernel_info: frontends send it first, cells come later.
        if (this.prepared === undefined) setTimeout(() => void this.ready().catch(() => undefined), 5);
      },
      execute_request: (m, reply) => this.execution.execute(m, reply),
      interrupt_request: (_m, reply) => {
        // Over zeromq the socket thread has already raised SIGINT, whose listener interrupts.
        if (!this.transport.signalsInterrupts) this.interrupt();
        reply({ status: 'ok' });
      },
      shutdown_request: (m, reply) => {
        this.shuttingDown = true;
        reply({ status: 'ok', restart: m.message.content.restart === true });
      },
    };
    this.notifications = {
      comm_open: (m) => this.withContext(m, () => this.comms.handleOpen(m.message)),
      comm_msg: (m) => this.withContext(m, () => this.comms.handleMsg(m.message)),
      comm_close: (m) => this.withContext(m, () => this.comms.handleClose(m.message)),
    };
  }

  /** The execution count of the latest cell that stored history (owned by `Execution`). */
  get executionCount(): number {
    return this.execution.executionCount;
  }

  async start(): Promise<void> {
    await this.transport.start((m) => this.onIncoming(m));
    // A fresh kernel announces itself; frontends treat the first status as "kernel alive".
    this.publish('status', { execution_state: 'starting' }, undefined);
  }

  /** Resolves once `prepare` has run; a failure is reported by every request that needs it. */
  ready(): Promise<void> {
    if (this.prepared === undefined) {
      this.prepared = this.prepareFn();
      this.prepared.catch((e) => this.log(`preparing the interpreter failed: ${(e as Error).message}`));
    }
    return this.prepared;
  }

  /** The context cells write to now: the running request's, or the last one's for stragglers. */
  currentIO(): CellIO {
    return this.current;
  }

  /** Stops the running cell and any pending input; used by SIGINT and interrupt_request. */
  interrupt(): void {
    const p = this.pendingInput;
    this.pendingInput = undefined;
    p?.reject(Object.assign(new Error('input interrupted'), { name: 'KeyboardInterrupt' }));
    try {
      this.interpreter.interrupt();
    } catch (e) {
      this.log(`interpreter.interrupt failed: ${(e as Error).message}`);
    }
  }

  private onIncoming(m: IncomingMessage): void {
    if (this.shuttingDown) return;
    if (m.answered === true) return this.onAnswered(m);
    if (m.channel === 'stdin') return this.onStdin(m);
    if (m.channel === 'control') {
      void this.handle(m);
      return;
    }
    this.shellQueue.push(m);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let m = this.shellQueue.shift(); m !== undefined && !this.shuttingDown; m = this.shellQueue.shift()) await this.handle(m);
    } finally {
      this.pumping = false;
    }
  }

  /** A control request the transport already replied to (kernel/transport/control-server.ts). */
  private onAnswered(m: IncomingMessage): void {
    const msgType = m.message.header.msg_type;
    if (msgType === 'shutdown_request') {
      this.shuttingDown = true;
      void this.finishShutdown(m.message.content.restart === true);
    } else if (msgType === 'interrupt_request') {
      if (!this.transport.signalsInterrupts) this.interrupt();
    } else if (msgType === 'kernel_info_request' && this.prepared === undefined) {
      setTimeout(() => void this.ready().catch(() => undefined), 5);
    }
  }

  private onStdin(m: IncomingMessage): void {
    if (m.invalid !== undefined) {
      this.log(`ignored stdin ${m.message.header.msg_type}: ${m.invalid}`);
      return;
    }
    if (m.message.header.msg_type !== 'input_reply') {
      this.log(`ignored stdin message ${m.message.header.msg_type}`);
      return;
    }
    const p = this.pendingInput;
    this.pendingInput = undefined;
    if (p === undefined) this.log('input_reply with no pending input_request');
    else p.resolve(String(m.message.content.value ?? ''));
  }

  private async handle(m: IncomingMessage): Promise<void> {
    const msgType = m.message.header.msg_type;
    this.publish('status', { execution_state: 'busy' }, m.message);
    try {
      if (m.invalid !== undefined) throw new RangeError(`message refused: ${m.invalid}`);
      if (m.channel === 'control' && !CONTROL_TYPES.has(msgType)) throw new TypeError(`${msgType} is not served on the control channel`);
      if (Object.hasOwn(this.requests, msgType)) {
        // Each handler's `reply` accepts only its own reply shape; sending accepts them all.
        await this.requests[msgType as RequestType](m, (content: ReplyContent<RequestType>) => this.reply(m, content));
      } else if (Object.hasOwn(this.notifications, msgType)) this.notifications[msgType as Notification](m);
      else this.log(`unknown message type ${JSON.stringify(msgType)} on ${m.channel}: ignored`);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.log(`error handling ${msgType}: ${err.message}`);
      if (msgType.endsWith('_request')) this.reply(m, { status: 'error', ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`] });
    } finally {
      this.publish('status', { execution_state: 'idle' }, m.message);
      this.afterRequest(msgType);
    }
    if (msgType === 'shutdown_request' && this.shuttingDown) await this.finishShutdown(m.message.content.restart === true);
  }

  private reply(m: IncomingMessage, content: ReplyContent<RequestType> | ErrorReply): void {
    this.send(m.channel, this.factory.make(replyTypeOf(m.message.header.msg_type), content, m.message));
  }

  publish(msgType: string, content: Record<string, unknown>, parent: JupyterMessage<unknown> | undefined, buffers?: readonly Uint8Array[], metadata?: Record<string, unknown>): void {
    const topic = Buffer.from(`kernel.${this.factory.session}.${msgType}`);
    this.send('iopub', this.factory.make(msgType, content, parent, { identities: [topic], buffers: buffers ?? [], ...(metadata === undefined ? {} : { metadata }) }));
  }

  private send(channel: RequestChannel | 'iopub', msg: JupyterMessage<unknown>): void {
    try {
      this.transport.send(channel, msg);
    } catch (e) {
      this.log(`could not send ${msg.header.msg_type}: ${(e as Error).message}`);
    }
  }

  private newContext(parent: JupyterMessage<unknown> | undefined, silent: boolean, allowStdin: boolean): RequestContext {
    const input = allowStdin ? (prompt: string, password: boolean, p: JupyterMessage<unknown>) => this.requestInput(prompt, password, p) : undefined;
    return new RequestContext(parent, (t, c, p) => this.publish(t, c, p), input, silent);
  }

  /** A context for `parent`, made the one cells write to (display(), console.log) while it runs. */
  private beginRequest(parent: JupyterMessage<unknown>, silent: boolean, allowStdin: boolean): RequestContext {
    this.current = this.newContext(parent, silent, allowStdin);
    return this.current;
  }

  private withContext(m: IncomingMessage, fn: () => void): void {
    const ctx = this.beginRequest(m.message, false, false);
    fn();
    ctx.flush();
  }

  private requestInput(prompt: string, password: boolean, parent: JupyterMessage<unknown>): Promise<string> {
    if (this.pendingInput !== undefined) return Promise.reject(new Error('input: another input request is already pending'));
    return new Promise<string>((resolve, reject) => {
      this.pendingInput = { resolve, reject };
      this.send('stdin', this.factory.make('input_request', { prompt, password }, parent));
    });
  }

  private async finishShutdown(restart: boolean): Promise<void> {
    this.interrupt();
    try {
      await this.interpreter.shutdown();
    } catch (e) {
      this.log(`interpreter.shutdown failed: ${(e as Error).message}`);
    }
    await this.transport.close();
    this.onShutdown(restart);
  }
}
