/**
 * The one door every incoming request passes, on either transport: decode and verify the frames
 * within the message limits, refuse replays (a digest seen before), and turn what is left into
 * an `IncomingMessage`. Nothing here throws past `admit`: a frame that cannot be admitted is
 * logged with the reason and dropped, except a signed request with a valid header whose other
 * parts break a limit — that one is admitted as `invalid`, so the kernel answers it with an
 * error naming the limit instead of leaving the frontend waiting.
 */
import { DigestHistory } from '../protocol/digest-history';
import { MESSAGE_LIMITS, type MessageLimits } from '../protocol/limits';
import type { JupyterMessage, RequestChannel } from '../protocol/messages';
import type { Signer } from '../protocol/signing';
import { decodeFrames } from '../protocol/wire';

export interface Admitted {
  readonly message: JupyterMessage;
  /** Set when the message broke a limit: its header is real, its other parts were not decoded. */
  readonly invalid?: string;
}

export interface IncomingGateOptions {
  readonly limits?: MessageLimits;
  /** Digests remembered for replay protection (jupyter_client's default: 2^16). */
  readonly historySize?: number;
}

export class IncomingGate {
  private readonly history: DigestHistory;
  private readonly limits: MessageLimits;
  numDropped = 0;

  constructor(
    private readonly signer: Signer,
    /** True when the connection file has a key; without one there are no digests to compare. */
    private readonly signed: boolean,
    private readonly log: (line: string) => void,
    options: IncomingGateOptions = {},
  ) {
    this.limits = options.limits ?? MESSAGE_LIMITS;
    this.history = new DigestHistory(options.historySize);
  }

  /** The admitted message, or undefined when the frames were dropped (and logged). */
  admit(channel: RequestChannel, frames: readonly Uint8Array[]): Admitted | undefined {
    let decoded;
    try {
      decoded = decodeFrames(frames, this.signer, this.limits);
    } catch (e) {
      // decodeFrames promises never to throw; should it, the channel must still live on.
      return this.drop(channel, `decoder failed: ${(e as Error).message}`);
    }
    if (!decoded.ok && !('header' in decoded)) return this.drop(channel, decoded.reason);
    if (this.signed && !this.history.admit(decoded.signature)) return this.drop(channel, 'duplicate signature: a replayed message');
    if (decoded.ok) return { message: decoded.message };
    const message: JupyterMessage = { identities: decoded.identities, header: decoded.header, parent_header: {}, metadata: {}, content: {}, buffers: [] };
    this.log(`refused ${channel} ${decoded.header.msg_type}: ${decoded.reason}`);
    return { message, invalid: decoded.reason };
  }

  private drop(channel: RequestChannel, reason: string): undefined {
    this.numDropped++;
    this.log(`dropped ${channel} message: ${reason}`);
    return undefined;
  }
}
