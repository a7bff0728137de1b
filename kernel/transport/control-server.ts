/**
 * The control channel, served by the socket thread itself, so it answers within milliseconds
 * whatever the main thread is doing (a cell in `for (;;) {}`, a display flood, a native call):
 *   kernel_info_request → the kernel_info content computed at start-up;
 *   interrupt_request   → raises the shared interrupt flag and SIGINT, replies at once;
 *   shutdown_request    → replies, raises the interrupt flag (not SIGINT: see below), tells the
 *                         main thread to shut down, and ends the process forcefully if the main
 *                         thread has not done so within the grace period (a cell that never
 *                         yields cannot keep it alive);
 *   debug_request       → handed on to the socket thread's services (the debug adapter,
 *                         kernel/socket-thread/debug-service.ts), which answer it;
 *   anything else       → an error reply (or, for a non-request, a logged drop): control never
 *                         runs cells.
 * Each request gets busy/idle on iopub, parented to it, as the core does for its requests. The
 * three served requests are also posted to the main thread marked `answered`, for the core's
 * own bookkeeping (pending input, warm-up, graceful shutdown).
 *
 * Why shutdown sends no SIGINT: vm's breakOnSigint removes every process SIGINT listener for the
 * duration of a run and re-adds them after it (Node's sigintHandlersWrap); a SIGINT landing in
 * either hand-over (µs, ms under load) meets the default disposition and kills the process. A
 * shutdown_request sent just as a cell started hit that window in 2 of 9 runs: the process died
 * of SIGINT ~100 ms later, before the already-queued shutdown_reply had left the socket — the
 * "unexplained" one-in-five failure of the earlier test. Shutdown does not need the signal: the
 * flag stops guarded loops and the main thread's own interrupt() stops an awaiting cell, and the
 * forced exit ends a cell that never yields. interrupt_request still needs SIGINT (the only way
 * into a synchronous loop), but only when the main thread is stuck: the request goes to the main
 * thread with a claim word; if the main thread takes it (it is in its event loop, where SIGINT's
 * listeners are installed) it interrupts there without a signal; only when it has not taken it
 * within SIGINT_DELAY_MS does the socket thread claim it and raise SIGINT — by then the main
 * thread is inside a long run (the watchdog catches the signal), not in a hand-over, unless the
 * run ends or starts in that very instant.
 */
import type { MessageFactory } from '../protocol/message-factory';
import { replyTypeOf, type Channel, type JupyterMessage } from '../protocol/messages';

export interface ControlContext {
  /** Makes messages with the core's session, so replies and iopub topics match its own. */
  readonly factory: MessageFactory;
  readonly kernelInfo: Record<string, unknown>;
  send(channel: Channel, message: JupyterMessage<unknown>): void;
  /**
   * Raises the interrupt flag; with `signal`, returns the claim word that decides who delivers
   * the interrupt: the main thread (taking the posted request) or, after a delay, SIGINT.
   */
  raiseInterrupt(signal: boolean): Int32Array | undefined;
  /** Posts the (answered) request to the main thread, with the interrupt's claim word if any. */
  notifyMain(message: JupyterMessage, claim?: Int32Array): void;
  /** Hands a request this file does not serve to the socket thread's services (debug_request). */
  forward(message: JupyterMessage): void;
  /** Starts the timer that ends the process if the main thread does not shut down in time. */
  armForcedExit(): void;
  readonly log: (line: string) => void;
}

const SERVED = new Set(['kernel_info_request', 'interrupt_request', 'shutdown_request']);

/** Answers one control message; `invalid` is the limit it broke, if any (see incoming-gate.ts). */
export function serveControl(message: JupyterMessage, invalid: string | undefined, ctx: ControlContext): void {
  const msgType = message.header.msg_type;
  if (!msgType.endsWith('_request')) {
    ctx.log(`dropped control ${msgType}: not a request${invalid === undefined ? '' : ` (${invalid})`}`);
    return;
  }
  if (invalid === undefined && msgType === 'debug_request') {
    ctx.forward(message);
    return;
  }
  const publish = (state: 'busy' | 'idle') => {
    const topic = Buffer.from(`kernel.${ctx.factory.session}.status`);
    ctx.send('iopub', ctx.factory.make('status', { execution_state: state }, message, { identities: [topic] }));
  };
  const reply = (content: Record<string, unknown>) => ctx.send('control', ctx.factory.make(replyTypeOf(msgType), content, message));
  const error = (ename: string, evalue: string) => reply({ status: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] });
  publish('busy');
  let claim: Int32Array | undefined;
  if (invalid !== undefined) error('RangeError', `message refused: ${invalid}`);
  else if (!SERVED.has(msgType)) error('TypeError', `${msgType} is not served on the control channel`);
  else if (msgType === 'kernel_info_request') reply(ctx.kernelInfo);
  else if (msgType === 'interrupt_request') {
    claim = ctx.raiseInterrupt(true);
    reply({ status: 'ok' });
  } else {
    reply({ status: 'ok', restart: message.content.restart === true });
    ctx.raiseInterrupt(false);
    ctx.armForcedExit();
  }
  publish('idle');
  if (invalid === undefined && SERVED.has(msgType)) ctx.notifyMain(message, claim);
}
