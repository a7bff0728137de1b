/**
 * An in-memory transport: the "frontend" end lives in the same process. Every message is taken
 * through the real wire codec (encode, sign, verify, decode) in both directions, so tests over
 * it exercise framing and signatures too; `deliverFrames` feeds raw frames, e.g. for fuzzing,
 * through the same gate as the zeromq transport (limits, replay refusal).
 */
import type { Channel, JupyterMessage, RequestChannel } from '../protocol/messages';
import { MessageFactory } from '../protocol/message-factory';
import { createSigner, type Signer } from '../protocol/signing';
import { decodeFrames, encodeMessage } from '../protocol/wire';
import { IncomingGate } from './incoming-gate';
import { logToStderr, type IncomingMessage, type Transport } from './transport';

export interface MemoryTransportOptions {
  readonly key?: string;
  readonly log?: (line: string) => void;
}

type Waiter = { predicate: (m: SentMessage) => boolean; resolve: (m: SentMessage) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };

export interface SentMessage {
  readonly channel: Channel;
  readonly message: JupyterMessage;
}

export class MemoryTransport implements Transport {
  readonly signalsInterrupts = false;
  /** Everything the kernel sent, decoded again, in order. */
  readonly sent: SentMessage[] = [];
  readonly client: MessageFactory;
  private readonly signer: Signer;
  private readonly gate: IncomingGate;
  private readonly log: (line: string) => void;
  private onMessage: ((m: IncomingMessage) => void) | undefined;
  private numShellReceived = 0;
  private waiters: Waiter[] = [];
  private closed = false;

  constructor(options: MemoryTransportOptions = {}) {
    const key = options.key ?? 'memory-transport-key';
    this.signer = createSigner(key);
    this.log = options.log ?? logToStderr;
    this.gate = new IncomingGate(this.signer, key !== '', this.log);
    this.client = new MessageFactory({ session: 'memory-client', username: 'test' });
  }

  async start(onMessage: (incoming: IncomingMessage) => void): Promise<void> {
    this.onMessage = onMessage;
  }

  send(channel: Channel, message: JupyterMessage<unknown>): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = encodeMessage(message, this.signer);
    } catch (e) {
      this.log(`could not encode ${message.header.msg_type} on ${channel}: ${(e as Error).message}`);
      return;
    }
    const decoded = decodeFrames(frames, this.signer);
    if (!decoded.ok) throw new Error(`memory transport: kernel sent an undecodable message (${decoded.reason})`);
    const sent = { channel, message: decoded.message };
    this.sent.push(sent);
    for (const w of [...this.waiters]) {
      if (w.predicate(sent)) {
        clearTimeout(w.timer);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(sent);
      }
    }
  }

  receivedCount(): number {
    return this.numShellReceived;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('memory transport closed'));
    }
    this.waiters = [];
  }

  /**
   * Feeds raw frames as if they came off a socket: bad ones are logged and dropped (false);
   * over-limit ones are delivered as `invalid`, for the core to refuse with an error reply.
   */
  deliverFrames(channel: RequestChannel, frames: readonly Uint8Array[]): boolean {
    const admitted = this.gate.admit(channel, frames);
    if (admitted === undefined) return false;
    const seq = channel === 'shell' ? ++this.numShellReceived : 0;
    this.onMessage?.({ channel, message: admitted.message, seq, ...(admitted.invalid === undefined ? {} : { invalid: admitted.invalid }) });
    return true;
  }

  /** Builds, signs and delivers a request as a frontend would; returns the request sent. */
  request(channel: RequestChannel, msgType: string, content: Record<string, unknown>): JupyterMessage {
    const msg = this.client.make(msgType, content, undefined, { identities: [Buffer.from('client-identity')] });
    this.deliverFrames(channel, encodeMessage(msg, this.signer));
    return msg as JupyterMessage;
  }

  /** Frames for `msg`, signed with this transport's key (for tests that tamper with them). */
  frames(msg: JupyterMessage<unknown>): Buffer[] {
    return encodeMessage(msg, this.signer);
  }

  /** Resolves with the first message (already sent or future) matching `predicate`. */
  waitFor(predicate: (m: SentMessage) => boolean, timeoutMs = 10_000): Promise<SentMessage> {
    const found = this.sent.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`memory transport: no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ predicate, resolve, reject, timer });
    });
  }

  /** Messages the kernel sent whose parent is `request`. */
  childrenOf(request: JupyterMessage<unknown>, channel?: Channel): SentMessage[] {
    return this.sent.filter((s) => (s.message.parent_header as { msg_id?: string }).msg_id === request.header.msg_id && (channel === undefined || s.channel === channel));
  }

  /** Waits for the reply to `request` and for the iopub `idle` that closes it; returns the reply. */
  async reply(request: JupyterMessage<unknown>, timeoutMs = 10_000): Promise<JupyterMessage> {
    const isChild = (s: SentMessage) => (s.message.parent_header as { msg_id?: string }).msg_id === request.header.msg_id;
    const reply = await this.waitFor((s) => isChild(s) && s.channel !== 'iopub' && s.message.header.msg_type.endsWith('_reply'), timeoutMs);
    await this.waitFor((s) => isChild(s) && s.channel === 'iopub' && s.message.header.msg_type === 'status' && s.message.content.execution_state === 'idle', timeoutMs);
    return reply.message;
  }

  /** Drops the recorded messages (keeps memory flat in long runs). */
  clearSent(): void {
    this.sent.length = 0;
  }
}
