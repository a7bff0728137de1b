// Execution alone, through a fake ExecuteHost: the counter and the abort watermark are its own,
// and the watermark is read after the failed cell's reply went out.
import { describe, expect, it } from 'vitest';
import type { ExecuteArgs, ExecuteOutcome } from '../../../kernel/interpreter';
import type { JupyterMessage, ReplyContent } from '../../../kernel/protocol/messages';
import { History } from '../../../kernel/session/history';
import { Execution, type ExecuteHost } from '../../../kernel/shell/execute-request';
import { RequestContext } from '../../../kernel/shell/request-context';
import type { IncomingMessage } from '../../../kernel/transport/transport';

function fakeHost(run: (args: ExecuteArgs) => ExecuteOutcome) {
  const published: Array<{ msgType: string; content: Record<string, unknown> }> = [];
  const state = { received: 0, numContexts: 0 };
  const host: ExecuteHost = {
    interpreter: { execute: async (args) => run(args) },
    history: new History(),
    beginRequest: (parent, silent) => {
      state.numContexts++;
      return new RequestContext(parent, (msgType, content) => published.push({ msgType, content }), undefined, silent);
    },
    ready: () => Promise.resolve(),
    receivedCount: () => state.received,
  };
  return { host, published, state };
}

let seq = 0;
function request(code: string, extra: Record<string, unknown> = {}): IncomingMessage {
  seq++;
  const message: JupyterMessage = {
    identities: [], header: { msg_id: `m${seq}`, session: 's', username: 'u', date: '', msg_type: 'execute_request', version: '5.3' },
    parent_header: {}, metadata: {}, content: { code, ...extra }, buffers: [],
  };
  return { channel: 'shell', message, seq };
}

async function executeOnce(ex: Execution, m: IncomingMessage, onReply: () => void = () => undefined): Promise<ReplyContent<'execute_request'>> {
  const replies: Array<ReplyContent<'execute_request'>> = [];
  await ex.execute(m, (c) => {
    replies.push(c);
    onReply();
  });
  expect(replies).toHaveLength(1);
  return replies[0]!;
}

describe('Execution (execute_request) through a narrow host', () => {
  it('counts only cells that store history, and hands the count to the interpreter and execute_input', async () => {
    const seen: number[] = [];
    const { host, published } = fakeHost((a) => (seen.push(a.executionCount), { status: 'ok', userExpressions: {} }));
    const ex = new Execution(host);
    seq = 0;
    expect((await executeOnce(ex, request('a'))).execution_count).toBe(1);
    expect((await executeOnce(ex, request('b', { store_history: false }))).execution_count).toBe(1);
    expect((await executeOnce(ex, request('c', { silent: true }))).execution_count).toBe(1);
    expect((await executeOnce(ex, request('d'))).execution_count).toBe(2);
    expect(seen).toEqual([1, 1, 1, 2]);
    expect(ex.executionCount).toBe(2);
    expect(published.filter((p) => p.msgType === 'execute_input').map((p) => p.content.code)).toEqual(['a', 'b', 'd']);
  });

  it('aborts what arrived before a failed reply went out, including a message that came while it was sent', async () => {
    const { host, state } = fakeHost((a) => (a.code === 'fail' ? { status: 'error', ename: 'E', evalue: 'v', traceback: [] } : { status: 'ok', userExpressions: {} }));
    const ex = new Execution(host);
    seq = 0;
    const failing = request('fail');
    const queued = request('x');
    const racing = request('y');
    state.received = 2;
    const r = await executeOnce(ex, failing, () => (state.received = 3));
    expect(r).toMatchObject({ status: 'error', execution_count: 1, ename: 'E' });
    expect(await executeOnce(ex, queued)).toEqual({ status: 'aborted', execution_count: 1 });
    expect(await executeOnce(ex, racing)).toEqual({ status: 'aborted', execution_count: 1 });
    const contexts = state.numContexts;
    const later = request('z');
    expect(await executeOnce(ex, later)).toMatchObject({ status: 'ok', execution_count: 2 });
    expect(state.numContexts).toBe(contexts + 1); // aborted requests open no context
  });

  it('does not set the watermark when stop_on_error is false', async () => {
    const { host, state } = fakeHost((a) => (a.code === 'fail' ? { status: 'error', ename: 'E', evalue: 'v', traceback: [] } : { status: 'ok', userExpressions: {} }));
    const ex = new Execution(host);
    seq = 0;
    const failing = request('fail', { stop_on_error: false });
    const next = request('x');
    state.received = 2;
    await executeOnce(ex, failing);
    expect(await executeOnce(ex, next)).toMatchObject({ status: 'ok', execution_count: 2 });
  });
});
