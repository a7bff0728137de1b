/**
 * Requests a person waits on (is_complete, complete, inspect, kernel_info) get an answer within
 * BOUND_MS even while the main thread is blocked — warming up, type-checking a first cell, or
 * running a synchronous loop. Each goes to the main thread with a shared claim word: the main
 * thread claims it when it takes the message (mainThreadTakes); if it has not after BOUND_MS,
 * the socket thread claims it and answers from a cheaper path (lexical is_complete, completion
 * of standard objects and the cell's own names, inspect "not found", kernel_info as the main
 * thread last reported it). Exactly one of the two answers. usage_request is always answered
 * here (it measures the whole process).
 */
import type { JupyterMessage, RequestChannel } from '../protocol/messages';
import { lexicalIsComplete } from './lexical-is-complete';
import { quickComplete } from './quick-complete';
import type { Outbox, SocketThreadService } from './thread-link';
import { UsageMeter } from './usage';

/** jupyter console gives is_complete 1 s, JupyterLab's console 250 ms: stay well inside both. */
export const BOUND_MS = 150;
const FREE = 0;
const MAIN = 1;
const SOCKET = 2;

/** Main-thread side: true when the main thread should handle this message (it claimed it). */
export function mainThreadTakes(m: unknown): boolean {
  const claim = (m as { claim?: unknown }).claim;
  return !(claim instanceof Int32Array) || Atomics.compareExchange(claim, 0, FREE, MAIN) === FREE;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const pos = (v: unknown, code: string): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : [...code].length);

export function promptAnswers(outbox: Outbox): SocketThreadService {
  let kernelInfo: Record<string, unknown> | undefined;
  const usage = new UsageMeter();

  const localContent = (m: JupyterMessage): Record<string, unknown> | undefined => {
    const c = m.content;
    switch (m.header.msg_type) {
      case 'is_complete_request':
        return lexicalIsComplete(str(c.code)) as unknown as Record<string, unknown>;
      case 'complete_request': {
        const code = str(c.code);
        const r = quickComplete(code, pos(c.cursor_pos, code));
        return { status: 'ok', matches: r.matches, cursor_start: r.cursorStart, cursor_end: r.cursorEnd, metadata: {} };
      }
      case 'inspect_request':
        return { status: 'ok', found: false, data: {}, metadata: {} };
      case 'kernel_info_request':
        return kernelInfo;
      default:
        return undefined;
    }
  };

  return {
    onMainSend(_channel, message) {
      if (message.header.msg_type === 'kernel_info_reply') kernelInfo = message.content as Record<string, unknown>;
    },
    onRequest(channel: RequestChannel, message: JupyterMessage, seq: number): boolean {
      const type = message.header.msg_type;
      // Control is answered by the socket thread already (kernel/transport/control-server.ts).
      if (channel === 'control') return false;
      if (type === 'usage_request') {
        outbox.reply(message, 'usage_reply', usage.sample());
        return true;
      }
      if (!['is_complete_request', 'complete_request', 'inspect_request', 'kernel_info_request'].includes(type)) return false;
      if (type === 'kernel_info_request' && kernelInfo === undefined) return false;
      const claim = new Int32Array(new SharedArrayBuffer(4));
      outbox.toMain(channel, message, seq, claim);
      const timer = setTimeout(() => {
        if (Atomics.compareExchange(claim, 0, FREE, SOCKET) !== FREE) return;
        const content = localContent(message);
        if (content === undefined) return;
        outbox.publish('status', { execution_state: 'busy' }, message);
        outbox.reply(message, type.replace(/_request$/, '_reply'), content);
        outbox.publish('status', { execution_state: 'idle' }, message);
      }, BOUND_MS);
      timer.unref?.();
      return true;
    },
  };
}
