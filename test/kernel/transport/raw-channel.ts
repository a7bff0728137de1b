/**
 * A raw DEALER on one kernel channel for tests that send hand-built frames (nesting that never
 * passes through JSON.stringify, replays, fuzzed parts) and wait for the kernel's replies.
 *
 * Two properties the earlier, flaky versions of these tests lacked:
 * - linger > 0: `send()` resolves when zeromq has queued the frame, not when it left; a socket
 *   closed with linger 0 right after a send may discard it, so a "the kernel logged it" wait
 *   then times out (seen for the stdin nesting case in CI).
 * - replies are read all the time, into a list: a ROUTER silently drops what it cannot deliver
 *   to a peer whose pipe is full (1,000 messages), so a sender that only reads at the end can
 *   lose the very reply it waits for.
 * Replies are read independently of KernelClient, whose `fail()` rejects every pending reply
 * as soon as the process exits — even when the reply is already on its way (the cause of the
 * one-in-five shutdown failure).
 */
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import type { KernelClient } from '../../../kernel/client/kernel-client';
import type { JupyterMessage } from '../../../kernel/protocol/messages';
import type { Signer } from '../../../kernel/protocol/signing';
import { endpoint } from '../../../kernel/transport/connection';
import { DELIMITER, decodeFrames } from '../../../kernel/protocol/wire';

export interface RawParts {
  readonly header?: string;
  readonly parent?: string;
  readonly metadata?: string;
  readonly content?: string;
}

/** A signed message from raw JSON texts; the header is a fresh valid one unless given. */
export function rawFrames(signer: Signer, msgType: string, parts: RawParts = {}): { frames: Buffer[]; msgId: string } {
  const msgId = randomUUID();
  const header = parts.header ?? JSON.stringify({ msg_id: msgId, session: 'raw-test', username: 'test', date: new Date().toISOString(), msg_type: msgType, version: '5.3' });
  const texts = [header, parts.parent ?? '{}', parts.metadata ?? '{}', parts.content ?? '{}'].map((t) => Buffer.from(t, 'utf8'));
  return { frames: [Buffer.from(DELIMITER), Buffer.from(signer.sign(texts), 'latin1'), ...texts], msgId };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RawChannel {
  private readonly socket: zmq.Dealer;
  /** Every decodable reply so far, in arrival order. */
  readonly received: JupyterMessage[] = [];
  numUndecodable = 0;
  private readonly reading: Promise<void>;

  constructor(
    client: KernelClient,
    port: number,
    private readonly signer: Signer,
    /** The kernel sends input_request to the shell request's routing id on stdin, so a client's
     * shell and stdin sockets share one (as jupyter_client's do: the session id). */
    routingId?: string,
  ) {
    this.socket = new zmq.Dealer({ linger: 2000, sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000, ...(routingId === undefined ? {} : { routingId }) });
    this.socket.connect(endpoint(client.connection, port));
    this.reading = this.read();
  }

  private async read(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const d = decodeFrames(frames, this.signer);
        if (d.ok) this.received.push(d.message);
        else this.numUndecodable++;
      }
    } catch {
      // closed
    }
  }

  async send(frames: Buffer[]): Promise<void> {
    await this.socket.send(frames);
  }

  /** Sends a signed request and returns its reply (by parent msg_id), failing after `timeoutMs`. */
  async request(msgType: string, parts: RawParts = {}, timeoutMs = 60_000): Promise<JupyterMessage> {
    const { frames, msgId } = rawFrames(this.signer, msgType, parts);
    await this.send(frames);
    return this.replyTo(msgId, timeoutMs);
  }

  async replyTo(msgId: string, timeoutMs = 60_000): Promise<JupyterMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.received.find((m) => (m.parent_header as { msg_id?: unknown }).msg_id === msgId);
      if (r !== undefined) return r;
      if (Date.now() > deadline) throw new Error(`no reply to ${msgId} within ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.reading;
  }
}

/** Polls `pred` every 20 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitUntil(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
