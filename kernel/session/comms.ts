/**
 * Comms: kernel-side objects paired with frontend objects (widgets use them). Cells register
 * targets (`comms.registerTarget(name, (comm, openMsg) => …)`) or open comms themselves
 * (`comms.open(target, data)`); a `comm_open` for an unknown target is answered with a
 * `comm_close`, as ipykernel does. Handler errors go to the cell's stderr, never into the core.
 * Handlers get the Jupyter message itself, as ipykernel's do: `msg.content.data`,
 * `msg.content.comm_id`, `msg.header`, `msg.parent_header`, `msg.metadata` (the message's, where
 * `comm.send(data, metadata)` puts it) and `msg.buffers`; `msg.data` and `msg.comm_id` remain
 * as non-enumerable shortcuts for the content's fields.
 */
import { randomUUID } from 'node:crypto';
import type { JupyterMessage, MessageHeader } from '../protocol/messages';

export interface CommContent {
  readonly comm_id: string;
  readonly data: Record<string, unknown>;
  readonly target_name?: string;
}

export interface CommMessage {
  readonly header: MessageHeader;
  readonly parent_header: MessageHeader | Record<string, never>;
  readonly msg_id: string;
  readonly msg_type: string;
  readonly metadata: Record<string, unknown>;
  readonly content: CommContent;
  readonly buffers: readonly Uint8Array[];
  /** Shortcut for `content.comm_id`. */
  readonly comm_id: string;
  /** Shortcut for `content.data`. */
  readonly data: Record<string, unknown>;
}

export interface CommOpenMessage extends CommMessage {
  readonly content: CommContent & { readonly target_name: string };
  /** Shortcut for `content.target_name`. */
  readonly target_name: string;
}

/** How comms reach the frontend: an iopub message with the current request as parent. */
export type CommPublisher = (msgType: 'comm_open' | 'comm_msg' | 'comm_close', content: Record<string, unknown>, buffers?: readonly Uint8Array[], metadata?: Record<string, unknown>) => void;

export class Comm {
  private readonly msgHandlers: Array<(msg: CommMessage) => void> = [];
  private readonly closeHandlers: Array<(msg: CommMessage) => void> = [];
  private closed = false;

  constructor(
    readonly commId: string,
    readonly targetName: string,
    private readonly manager: CommManager,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  onMsg(handler: (msg: CommMessage) => void): this {
    if (typeof handler !== 'function') throw new TypeError('comm.onMsg: handler must be a function');
    this.msgHandlers.push(handler);
    return this;
  }

  onClose(handler: (msg: CommMessage) => void): this {
    if (typeof handler !== 'function') throw new TypeError('comm.onClose: handler must be a function');
    this.closeHandlers.push(handler);
    return this;
  }

  send(data: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}, buffers: readonly Uint8Array[] = []): void {
    if (this.closed) throw new Error(`comm ${this.commId} is closed`);
    if (typeof data !== 'object' || data === null) throw new TypeError('comm.send: data must be an object');
    this.manager.publish('comm_msg', { comm_id: this.commId, data }, buffers, metadata);
  }

  close(data: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.forget(this.commId);
    this.manager.publish('comm_close', { comm_id: this.commId, data });
  }

  /** @internal called by the manager for frontend messages. */
  dispatchMsg(msg: CommMessage): void {
    for (const h of this.msgHandlers) this.manager.guard(() => h(msg), `comm ${this.targetName} msg handler`);
  }

  /** @internal the frontend closed the comm. */
  dispatchClose(msg: CommMessage): void {
    this.closed = true;
    for (const h of this.closeHandlers) this.manager.guard(() => h(msg), `comm ${this.targetName} close handler`);
  }
}

export type CommTargetHandler = (comm: Comm, openMsg: CommOpenMessage) => void;

export class CommManager {
  private readonly targets = new Map<string, CommTargetHandler>();
  private readonly comms = new Map<string, Comm>();

  constructor(
    private readonly publisher: CommPublisher,
    private readonly reportError: (text: string) => void,
  ) {}

  /** The API cells see as `comms`. */
  api() {
    return {
      registerTarget: (name: string, handler: CommTargetHandler) => this.registerTarget(name, handler),
      unregisterTarget: (name: string) => this.targets.delete(name),
      open: (targetName: string, data: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => this.open(targetName, data, metadata),
      get: (commId: string) => this.comms.get(commId),
    };
  }

  registerTarget(name: string, handler: CommTargetHandler): void {
    if (typeof name !== 'string' || name === '') throw new TypeError('comms.registerTarget: name must be a non-empty string');
    if (typeof handler !== 'function') throw new TypeError('comms.registerTarget: handler must be a function');
    this.targets.set(name, handler);
  }

  open(targetName: string, data: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Comm {
    if (typeof targetName !== 'string' || targetName === '') throw new TypeError('comms.open: targetName must be a non-empty string');
    const comm = new Comm(randomUUID(), targetName, this);
    this.comms.set(comm.commId, comm);
    this.publish('comm_open', { comm_id: comm.commId, target_name: targetName, data }, [], metadata);
    return comm;
  }

  /** comm_info_reply's `comms`, optionally filtered by target name. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, c] of this.comms) if (targetName === undefined || c.targetName === targetName) out[id] = { target_name: c.targetName };
    return out;
  }

  handleOpen(message: JupyterMessage): void {
    const content = message.content;
    const commId = String(content.comm_id ?? '');
    const targetName = String(content.target_name ?? '');
    const handler = this.targets.get(targetName);
    if (!commId || handler === undefined) {
      this.reportError(`comm_open for unknown target '${targetName}'\n`);
      this.publish('comm_close', { comm_id: commId, data: {} });
      return;
    }
    const comm = new Comm(commId, targetName, this);
    this.comms.set(commId, comm);
    const msg = commMessage(message, { comm_id: commId, target_name: targetName, data: asRecord(content.data) }) as CommOpenMessage;
    Object.defineProperty(msg, 'target_name', { value: targetName, enumerable: false });
    this.guard(() => handler(comm, msg), `comm target '${targetName}'`);
  }

  handleMsg(message: JupyterMessage): void {
    const content = message.content;
    const comm = this.comms.get(String(content.comm_id ?? ''));
    if (comm === undefined) {
      this.reportError(`comm_msg for unknown comm '${String(content.comm_id)}'\n`);
      return;
    }
    comm.dispatchMsg(commMessage(message, { comm_id: comm.commId, data: asRecord(content.data) }));
  }

  handleClose(message: JupyterMessage): void {
    const content = message.content;
    const id = String(content.comm_id ?? '');
    const comm = this.comms.get(id);
    if (comm === undefined) return;
    this.comms.delete(id);
    comm.dispatchClose(commMessage(message, { comm_id: id, data: asRecord(content.data) }));
  }

  /** @internal */
  publish(msgType: 'comm_open' | 'comm_msg' | 'comm_close', content: Record<string, unknown>, buffers?: readonly Uint8Array[], metadata?: Record<string, unknown>): void {
    this.publisher(msgType, content, buffers, metadata);
  }

  /** @internal */
  forget(commId: string): void {
    this.comms.delete(commId);
  }

  /** @internal runs user code; a throw becomes stderr text. */
  guard(fn: () => void, what: string): void {
    try {
      fn();
    } catch (e) {
      this.reportError(`Error in ${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  }
}

/** The message handlers see: the Jupyter message with its content normalised, plus shortcuts. */
function commMessage(message: JupyterMessage, content: CommContent): CommMessage {
  const msg = {
    header: message.header,
    parent_header: message.parent_header,
    msg_id: message.header.msg_id,
    msg_type: message.header.msg_type,
    metadata: asRecord(message.metadata),
    content: { ...message.content, ...content },
    buffers: message.buffers,
  };
  Object.defineProperty(msg, 'comm_id', { value: content.comm_id, enumerable: false });
  Object.defineProperty(msg, 'data', { value: content.data, enumerable: false });
  return msg as unknown as CommMessage;
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
