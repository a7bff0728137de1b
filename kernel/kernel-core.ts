/**
 * KernelCore: the protocol bookkeeping between a transport and an interpreter (xeus-style).
 * It owns the msg_type → handler table, busy/idle around every request, the execution counter,
 * execute_input, parent headers, replies (every one with `status`), stop_on_error aborts, comms,
 * history, stdin and shutdown. Anything a handler throws becomes an error reply; the core keeps
 * serving. Shell requests run one at a time in arrival order; control requests run at once.
 */
import { CommManager } from './comms';
import { History } from './history';
import type { CellIO, Interpreter } from './interpreter';
import { MessageFactory } from './protocol/message-factory';
import { PROTOCOL_VERSION, replyTypeOf, type JupyterMessage, type RequestChannel } from './protocol/messages';
import { RequestContext } from './request-context';
import { logToStderr, type IncomingMessage, type Transport } from './transport/transport';
import { executeRequest } from './execute-request';
import { cursorArg, optStr, str } from './request-args';

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

type Handler = (incoming: IncomingMessage) => Promise<void> | void;

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
  executionCount = 0;
  /** Execute requests that arrived at or before this shell seq are aborted (stop_on_error). */
  abortUpTo = 0;
  private readonly handlers: Record<string, Handler>;
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
      (msgType, content, buffers) => this.publish(msgType, content, this.current.parent, buffers),
      (text) => this.current.stream('stderr', text),
    );
    this.handlers = {
      kernel_info_request: (m) => this.kernelInfo(m),
      execute_request: (m) => executeRequest(this, m),
      complete_request: (m) => this.complete(m),
      inspect_request: (m) => this.inspect(m),
      is_complete_request: (m) => this.reply(m, this.interpreter.isComplete(str(m.message.content.code, 'code'))),
      history_request: (m) => this.reply(m, { status: 'ok', history: this.history.query(m.message.content) }),
      comm_info_request: (m) => this.reply(m, { status: 'ok', comms: this.comms.info(optStr(m.message.content.target_name, 'target_name')) }),
      comm_open: (m) => this.withContext(m, () => this.comms.handleOpen(m.message.content, m.message.buffers)),
      comm_msg: (m) => this.withContext(m, () => this.comms.handleMsg(m.message.content, m.message.buffers)),
      comm_close: (m) => this.withContext(m, () => this.comms.handleClose(m.message.content, m.message.buffers)),
      interrupt_request: (m) => this.interruptRequest(m),
      shutdown_request: (m) => this.shutdownRequest(m),
    };
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

  private onStdin(m: IncomingMessage): void {
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
      const handler = Object.hasOwn(this.handlers, msgType) ? this.handlers[msgType] : undefined;
      if (m.channel === 'control' && !CONTROL_TYPES.has(msgType)) throw new TypeError(`${msgType} is not served on the control channel`);
      if (handler === undefined) this.log(`unknown message type ${JSON.stringify(msgType)} on ${m.channel}: ignored`);
      else await handler(m);
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

  reply(m: IncomingMessage, content: Record<string, unknown>): void {
    this.send(m.channel, this.factory.make(replyTypeOf(m.message.header.msg_type), content, m.message));
  }

  publish(msgType: string, content: Record<string, unknown>, parent: JupyterMessage<unknown> | undefined, buffers?: readonly Uint8Array[]): void {
    const topic = Buffer.from(`kernel.${this.factory.session}.${msgType}`);
    this.send('iopub', this.factory.make(msgType, content, parent, { identities: [topic], buffers: buffers ?? [] }));
  }

  private send(channel: RequestChannel | 'iopub', msg: JupyterMessage<unknown>): void {
    try {
      this.transport.send(channel, msg);
    } catch (e) {
      this.log(`could not send ${msg.header.msg_type}: ${(e as Error).message}`);
    }
  }

  newContext(parent: JupyterMessage<unknown> | undefined, silent: boolean, allowStdin: boolean): RequestContext {
    const input = allowStdin ? (prompt: string, password: boolean, p: JupyterMessage<unknown>) => this.requestInput(prompt, password, p) : undefined;
    return new RequestContext(parent, (t, c, p) => this.publish(t, c, p), input, silent);
  }

  /** Makes `ctx` the one cells write to (display(), console.log) while a request runs. */
  setCurrent(ctx: RequestContext): void {
    this.current = ctx;
  }

  private withContext(m: IncomingMessage, fn: () => void): void {
    const ctx = this.newContext(m.message, false, false);
    this.current = ctx;
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

  private kernelInfo(m: IncomingMessage): void {
    const info = this.interpreter.info();
    this.reply(m, {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: info.implementation,
      implementation_version: info.implementationVersion,
      language_info: info.languageInfo,
      banner: info.banner,
      help_links: info.helpLinks,
      // Over zeromq the socket thread serves debug_request (kernel/socket-thread/debug-service.ts).
      debugger: (this.transport as { servesDebugger?: boolean }).servesDebugger === true,
    });
    // Warm up right after the first kernel_info: frontends send it first, cells come later.
    if (this.prepared === undefined) setTimeout(() => void this.ready().catch(() => undefined), 5);
  }

  private async complete(m: IncomingMessage): Promise<void> {
    const code = str(m.message.content.code, 'code');
    const cursor = cursorArg(m.message.content.cursor_pos, code);
    await this.ready();
    const r = await this.interpreter.complete(code, cursor);
    this.reply(m, { status: 'ok', matches: r.matches, cursor_start: r.cursorStart, cursor_end: r.cursorEnd, metadata: r.metadata });
  }

  private async inspect(m: IncomingMessage): Promise<void> {
    const code = str(m.message.content.code, 'code');
    const cursor = cursorArg(m.message.content.cursor_pos, code);
    const detail = m.message.content.detail_level === 1 ? 1 : 0;
    await this.ready();
    const r = await this.interpreter.inspect(code, cursor, detail);
    this.reply(m, { status: 'ok', found: r.found, data: r.data, metadata: r.metadata });
  }

  private interruptRequest(m: IncomingMessage): void {
    // Over zeromq the socket thread has already raised SIGINT, whose listener interrupts.
    if (!this.transport.signalsInterrupts) this.interrupt();
    this.reply(m, { status: 'ok' });
  }

  private shutdownRequest(m: IncomingMessage): void {
    const restart = m.message.content.restart === true;
    this.shuttingDown = true;
    this.reply(m, { status: 'ok', restart });
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
