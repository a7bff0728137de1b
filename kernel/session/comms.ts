/**
 * Comms: kernel-side objects paired with frontend objects (widgets use them). Cells register
 * targets (`comms.registerTarget(name, (comm, openMsg) => …)`) or open comms themselves
 * (`comms.open(target, data)`); a `comm_open` for an unknown target is answered with a
 * `comm_close`, as ipykernel does. Handler errors go to the cell's stderr, never into the core.
 */
import { randomUUID } from 'node:crypto';

export interface CommMessage {
  readonly comm_id: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly buffers: readonly Uint8Array[];
}

export interface CommOpenMessage extends CommMessage {
  readonly target_name: string;
}

/** How comms reach the frontend: an iopub message with the current request as parent. */
export type CommPublisher = (msgType: 'comm_open' | 'comm_msg' | 'comm_close', content: Record<string, unknown>, buffers?: readonly Uint8Array[]) => void;

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
    this.manager.publish('comm_msg', { comm_id: this.commId, data, metadata }, buffers);
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
    this.publish('comm_open', { comm_id: comm.commId, target_name: targetName, data, metadata });
    return comm;
  }

  /** comm_info_reply's `comms`, optionally filtered by target name. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, c] of this.comms) if (targetName === undefined || c.targetName === targetName) out[id] = { target_name: c.targetName };
    return out;
  }

  handleOpen(content: Record<string, unknown>, buffers: readonly Uint8Array[]): void {
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
    const msg: CommOpenMessage = { comm_id: commId, target_name: targetName, data: asRecord(content.data), metadata: asRecord(content.metadata), buffers };
    this.guard(() => handler(comm, msg), `comm target '${targetName}'`);
  }

  handleMsg(content: Record<string, unknown>, buffers: readonly Uint8Array[]): void {
    const comm = this.comms.get(String(content.comm_id ?? ''));
    if (comm === undefined) {
      this.reportError(`comm_msg for unknown comm '${String(content.comm_id)}'\n`);
      return;
    }
    comm.dispatchMsg({ comm_id: comm.commId, data: asRecord(content.data), metadata: asRecord(content.metadata), buffers });
  }

  handleClose(content: Record<string, unknown>, buffers: readonly Uint8Array[]): void {
    const id = String(content.comm_id ?? '');
    const comm = this.comms.get(id);
    if (comm === undefined) return;
    this.comms.delete(id);
    comm.dispatchClose({ comm_id: id, data: asRecord(content.data), metadata: asRecord(content.metadata), buffers });
  }

  /** @internal */
  publish(msgType: 'comm_open' | 'comm_msg' | 'comm_close', content: Record<string, unknown>, buffers?: readonly Uint8Array[]): void {
    this.publisher(msgType, content, buffers);
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

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
