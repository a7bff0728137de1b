/**
 * The execute_request handler: flags (`silent`, `store_history`, `user_expressions`,
 * `allow_stdin`, `stop_on_error`), the execution counter, execute_input, execute_result or
 * error, history, and aborting the execute requests queued behind a failed cell.
 */
import type { ExecuteOutcome } from '../interpreter';
import type { KernelCore } from '../core/kernel-core';
import { str, userExpressionsArg } from './request-args';
import type { IncomingMessage } from '../transport/transport';

function errorOutcome(e: unknown): ExecuteOutcome {
  const err = typeof e === 'object' && e !== null && 'message' in e ? (e as Error) : new Error(String(e));
  return { status: 'error', ename: err.name || 'Error', evalue: err.message, traceback: [err.stack ?? `${err.name}: ${err.message}`] };
}

export async function executeRequest(core: KernelCore, m: IncomingMessage): Promise<void> {
  const c = m.message.content;
  const code = str(c.code, 'code');
  const silent = c.silent === true;
  const storeHistory = silent ? false : c.store_history !== false;
  const allowStdin = c.allow_stdin === true;
  const stopOnError = c.stop_on_error !== false;
  const userExpressions = userExpressionsArg(c.user_expressions);

  if (m.seq > 0 && m.seq <= core.abortUpTo) {
    core.reply(m, { status: 'aborted', execution_count: core.executionCount });
    return;
  }
  if (storeHistory) core.executionCount++;
  const executionCount = core.executionCount;
  const ctx = core.newContext(m.message, silent, allowStdin);
  core.setCurrent(ctx);
  ctx.publish('execute_input', { code, execution_count: executionCount });
  const entry = storeHistory ? core.history.record(executionCount, code) : undefined;

  let outcome: ExecuteOutcome;
  try {
    await core.ready();
    outcome = await core.interpreter.execute({ code, silent, storeHistory, allowStdin, executionCount, userExpressions }, ctx);
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
    core.reply(m, { status: 'ok', execution_count: executionCount, user_expressions: outcome.userExpressions ?? {}, payload: [] });
    return;
  }
  const error = { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
  ctx.publish('error', error);
  core.reply(m, { status: 'error', execution_count: executionCount, ...error });
  // Everything the transport has already received is "queued behind" this cell.
  if (stopOnError) core.abortUpTo = core.transport.receivedCount();
}
