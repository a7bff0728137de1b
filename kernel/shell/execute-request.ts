/**
 * execute_request, xeus-style: `Execution` is the non-virtual wrapper around the language hook
 * (`Interpreter.execute`). It handles the flags (`silent`, `store_history`, `user_expressions`,
 * `allow_stdin`, `stop_on_error`), execute_input, execute_result or error, history, and aborts
 * the execute requests queued behind a failed cell. It is the only writer of the execution
 * counter and of the abort watermark; it sees the kernel core only through `ExecuteHost`, and
 * answers through the typed `reply` the core hands it.
 */
import type { ExecuteOutcome, Interpreter } from '../interpreter';
import type { JupyterMessage, ReplyContent } from '../protocol/messages';
import type { History } from '../session/history';
import type { IncomingMessage } from '../transport/transport';
import { str, userExpressionsArg } from './request-args';
import type { RequestContext } from './request-context';

/** What execute_request needs from the kernel core, and nothing more. */
export interface ExecuteHost {
  readonly interpreter: Pick<Interpreter, 'execute'>;
  readonly history: Pick<History, 'record'>;
  /** A context parented to `parent`, made the one cells write to (display(), console.log). */
  beginRequest(parent: JupyterMessage, silent: boolean, allowStdin: boolean): RequestContext;
  /** Resolves once the interpreter's globals and heavy modules are loaded. */
  ready(): Promise<void>;
  /** Shell messages the transport has received so far, including those still queued. */
  receivedCount(): number;
}

function errorOutcome(e: unknown): ExecuteOutcome {
  const err = typeof e === 'object' && e !== null && 'message' in e ? (e as Error) : new Error(String(e));
  return { status: 'error', ename: err.name || 'Error', evalue: err.message, traceback: [err.stack ?? `${err.name}: ${err.message}`] };
}

export class Execution {
  private count = 0;
  /** Execute requests that arrived at or before this shell seq are aborted (stop_on_error). */
  private abortUpTo = 0;

  constructor(private readonly host: ExecuteHost) {}

  /** The execution count of the latest cell that stored history (0 before the first). */
  get executionCount(): number {
    return this.count;
  }

  async execute(m: IncomingMessage, reply: (content: ReplyContent<'execute_request'>) => void): Promise<void> {
    const c = m.message.content;
    const code = str(c.code, 'code');
    const silent = c.silent === true;
    const storeHistory = silent ? false : c.store_history !== false;
    const allowStdin = c.allow_stdin === true;
    const stopOnError = c.stop_on_error !== false;
    const userExpressions = userExpressionsArg(c.user_expressions);

    if (m.seq > 0 && m.seq <= this.abortUpTo) {
      reply({ status: 'aborted', execution_count: this.count });
      return;
    }
    if (storeHistory) this.count++;
    const executionCount = this.count;
    const ctx = this.host.beginRequest(m.message, silent, allowStdin);
    ctx.publish('execute_input', { code, execution_count: executionCount });
    const entry = storeHistory ? this.host.history.record(executionCount, code) : undefined;

    let outcome: ExecuteOutcome;
    try {
      await this.host.ready();
      outcome = await this.host.interpreter.execute({ code, silent, storeHistory, allowStdin, executionCount, userExpressions }, ctx);
    } catch (e) {
      outcome = errorOutcome(e);
    }
    ctx.flush();

    if (outcome.status === 'ok') {
      if (outcome.result !== undefined) {
        ctx.publish('execute_result', { execution_count: executionCount, data: outcome.result.data, metadata: outcome.result.metadata ?? {} });
        const plain = outcome.result.data['text/plain'];
        if (entry !== undefined && typeof plain === 'string') entry.output = plain;
      }
      reply({ status: 'ok', execution_count: executionCount, user_expressions: outcome.userExpressions ?? {}, payload: [] });
      return;
    }
    const error = { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
    ctx.publish('error', error);
    reply({ status: 'error', execution_count: executionCount, ...error });
    // Everything the transport received before this reply went out is "queued behind" this cell.
    if (stopOnError) this.abortUpTo = this.host.receivedCount();
  }
}
