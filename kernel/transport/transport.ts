/**
 * What the kernel core needs from a transport: decoded, verified request messages in arrival
 * order, and a way to send messages on a channel. Framing, signing and sockets stay behind it,
 * so the core runs the same over zeromq and over the in-memory transport used by tests.
 */
import { writeSync } from 'node:fs';
import type { Channel, JupyterMessage, RequestChannel } from '../protocol/messages';

export interface IncomingMessage {
  readonly channel: RequestChannel;
  readonly message: JupyterMessage;
  /** 1-based arrival number among shell messages (0 on other channels); orders stop_on_error aborts. */
  readonly seq: number;
  /**
   * Set when the message broke a message limit (kernel/protocol/limits.ts): only its header is
   * real, and the core answers it with an error naming the limit instead of handling it.
   */
  readonly invalid?: string;
  /**
   * Set when the transport has already replied (the socket thread answers control requests
   * itself, so they are answered while a cell blocks the main thread); the core only acts on it.
   */
  readonly answered?: boolean;
}

export interface Transport {
  /** Begins delivering incoming messages; resolves once the transport is ready to receive. */
  start(onMessage: (incoming: IncomingMessage) => void): Promise<void>;
  /** Sends a message; replies route by `message.identities`. Never throws on unserialisable content: it logs. */
  send(channel: Channel, message: JupyterMessage<unknown>): void;
  /** How many shell messages the transport has received so far, including those not yet delivered. */
  receivedCount(): number;
  /**
   * True when the transport itself raises SIGINT on an `interrupt_request` (so a synchronous cell
   * can be stopped while the main thread is blocked); the core then must not interrupt twice.
   */
  readonly signalsInterrupts: boolean;
  /** True when the transport answers debug_request itself (the socket thread's debug adapter). */
  readonly servesDebugger?: boolean;
  close(): Promise<void>;
}

/**
 * Default sink for kernel diagnostics (dropped messages, failures): file descriptor 2, one line
 * each. Written with writeSync on the descriptor, not process.stderr, because the interpreter
 * routes process.stderr writes into the running cell, and diagnostics belong in the kernel log.
 *
 * Once anything touches process.stderr, Node makes a pipe on fd 2 non-blocking, so writeSync
 * throws EAGAIN (or writes part of the line) whenever the reader lags and the pipe is full: the
 * structured fuzzer lost 140 of 593 "ignored stdin" lines that way under load, and a logged drop
 * that is not in the log is a silent one. So a line is written in full, retrying EAGAIN for up
 * to LOG_RETRY_MS (bounded: a reader that never reads must not stall the socket thread, so after
 * a loss lines are tried once until one gets through again); a line that does not fit is
 * counted, and the next line that gets through says how many were lost.
 */
const LOG_RETRY_MS = 1000;
const pause = new Int32Array(new SharedArrayBuffer(4));
let numLostLines = 0;

function writeAll(bytes: Buffer, retryMs: number): boolean {
  const deadline = Date.now() + retryMs;
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(2, bytes, offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) return false;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
  return true;
}

export function logToStderr(line: string): void {
  const lost = numLostLines;
  const text = `${lost > 0 ? `[enginelab kernel] (${lost} earlier log lines lost: stderr was full)\n` : ''}[enginelab kernel] ${line}\n`;
  try {
    numLostLines = writeAll(Buffer.from(text, 'utf8'), lost > 0 ? 0 : LOG_RETRY_MS) ? 0 : lost + 1;
  } catch {
    // stderr closed: nothing left to report to.
  }
}
