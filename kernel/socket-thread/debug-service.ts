/**
 * `debug_request` on the control channel, answered in the socket thread by the debug adapter
 * (kernel/debugger), which reaches the main thread's inspector from here: replies go back on
 * control as `debug_reply`, DAP events go out on iopub as `debug_event`. An interrupt or a
 * shutdown that arrives while the program is paused first lets it run, so both still work.
 * Each debug_request is bracketed by busy/idle on iopub, parented to it, as for every request:
 * JupyterLab's kernel future resolves only once it has seen both the reply and that idle.
 */
import { DebugAdapter, type DapRequest } from '../debugger/debug-adapter';
import { MainThreadCdp } from '../debugger/cdp';
import type { JupyterMessage, RequestChannel } from '../protocol/messages';
import type { Outbox, SocketThreadService } from './thread-link';

export function debugService(outbox: Outbox, projectRoot: string): SocketThreadService {
  let adapter: DebugAdapter | undefined;
  let lastRequest: JupyterMessage | undefined;
  const getAdapter = (): DebugAdapter =>
    (adapter ??= new DebugAdapter({
      cdp: new MainThreadCdp(),
      projectRoot,
      emit: (event) => outbox.publish('debug_event', event as unknown as Record<string, unknown>, lastRequest),
    }));
  return {
    onRequest(channel: RequestChannel, message: JupyterMessage): boolean {
      const type = message.header.msg_type;
      if (channel === 'control' && (type === 'interrupt_request' || type === 'shutdown_request')) {
        void adapter?.releaseForInterrupt();
        return false;
      }
      if (type !== 'debug_request') return false;
      lastRequest = message;
      const request = message.content as unknown as DapRequest;
      if (typeof request !== 'object' || request === null || typeof request.command !== 'string') {
        outbox.publish('status', { execution_state: 'busy' }, message);
        outbox.reply(message, 'debug_reply', { type: 'response', request_seq: 0, success: false, command: '', message: 'debug_request content must be a DAP request', body: {} });
        outbox.publish('status', { execution_state: 'idle' }, message);
        return true;
      }
      outbox.publish('status', { execution_state: 'busy' }, message);
      void getAdapter()
        .handle(request)
        .then((response) => outbox.reply(message, 'debug_reply', response as unknown as Record<string, unknown>))
        .finally(() => outbox.publish('status', { execution_state: 'idle' }, message));
      return true;
    },
  };
}
