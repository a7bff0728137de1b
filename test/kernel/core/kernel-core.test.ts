// KernelCore over the in-memory transport: every message type, busy/idle, parents, counters.
import { describe, expect, it } from 'vitest';
import { makeMemoryKernel } from '../helpers/memory-kernel';

const types = (msgs: { header: { msg_type: string } }[]) => msgs.map((m) => m.header.msg_type);

describe('KernelCore over the memory transport', () => {
  it('answers kernel_info_request with status, protocol 5.3 and language_info, between busy and idle', async () => {
    const k = await makeMemoryKernel();
    const { req, reply } = await k.request('shell', 'kernel_info_request', {});
    expect(reply.header.msg_type).toBe('kernel_info_reply');
    expect(reply.content).toMatchObject({ status: 'ok', protocol_version: '5.3', implementation: 'fake', language_info: { name: 'javascript' }, banner: 'fake interpreter for tests' });
    expect((reply.parent_header as { msg_id: string }).msg_id).toBe(req.header.msg_id);
    expect(reply.identities.map((b) => Buffer.from(b).toString())).toEqual(['client-identity']);
    const statuses = k.iopub(req, 'status').map((m) => m.content.execution_state);
    expect(statuses).toEqual(['busy', 'idle']);
    // kernel_info on control too (5.5 allows it).
    const c = await k.request('control', 'kernel_info_request', {});
    expect(k.t.childrenOf(c.req).find((s) => s.channel === 'control')?.message.header.msg_type).toBe('kernel_info_reply');
  });

  it('executes: execute_input, execute_result, reply ok, counter increments', async () => {
    const k = await makeMemoryKernel();
    const a = await k.execute('var x = 20; x + 22');
    expect(a.reply.content).toMatchObject({ status: 'ok', execution_count: 1, payload: [] });
    expect(types(k.iopub(a.req))).toEqual(['status', 'execute_input', 'execute_result', 'status']);
    expect(k.iopub(a.req, 'execute_input')[0]!.content).toEqual({ code: 'var x = 20; x + 22', execution_count: 1 });
    expect(k.iopub(a.req, 'execute_result')[0]!.content).toEqual({ execution_count: 1, data: { 'text/plain': '42' }, metadata: {} });
    const b = await k.execute('x * 2');
    expect(b.reply.content.execution_count).toBe(2);
    expect(k.iopub(b.req, 'execute_result')[0]!.content.data).toEqual({ 'text/plain': '40' });
  });

  it('honours silent and store_history', async () => {
    const k = await makeMemoryKernel();
    await k.execute('1');
    const s = await k.execute('print("hidden"); 5', { silent: true });
    expect(s.reply.content).toMatchObject({ status: 'ok', execution_count: 1 });
    expect(types(k.iopub(s.req))).toEqual(['status', 'status']);
    const n = await k.execute('6', { store_history: false });
    expect(n.reply.content.execution_count).toBe(1);
    expect(k.iopub(n.req, 'execute_result')[0]!.content.data).toEqual({ 'text/plain': '6' });
    const h = await k.request('shell', 'history_request', { hist_access_type: 'tail', n: 10, output: false, raw: true });
    expect(h.reply.content.history).toEqual([[1, 1, '1']]);
    expect(k.core.executionCount).toBe(1);
  });

  it('evaluates user_expressions', async () => {
    const k = await makeMemoryKernel();
    const r = await k.execute('var y = 3', { user_expressions: { double: 'y * 2', bad: 'nope.nope' } });
    expect(r.reply.content.user_expressions).toMatchObject({ double: { status: 'ok', data: { 'text/plain': '6' } }, bad: { status: 'error', ename: 'ReferenceError' } });
  });

  it('turns errors into an iopub error and an error reply, and keeps serving', async () => {
    const k = await makeMemoryKernel();
    const e = await k.execute('throw new RangeError("too far")');
    expect(e.reply.content).toMatchObject({ status: 'error', ename: 'RangeError', evalue: 'too far', execution_count: 1 });
    expect(k.iopub(e.req, 'error')[0]!.content).toMatchObject({ ename: 'RangeError', evalue: 'too far' });
    const ok = await k.execute('"alive"');
    expect(ok.reply.content).toMatchObject({ status: 'ok', execution_count: 2 });
  });

  it('stop_on_error aborts execute requests queued behind a failed cell, but not later ones', async () => {
    const k = await makeMemoryKernel();
    const bad = k.t.request('shell', 'execute_request', { code: 'await_fail()', stop_on_error: true });
    const q1 = k.t.request('shell', 'execute_request', { code: '1' });
    const info = k.t.request('shell', 'kernel_info_request', {});
    const q2 = k.t.request('shell', 'execute_request', { code: '2' });
    expect((await k.t.reply(bad)).content.status).toBe('error');
    expect((await k.t.reply(q1)).content.status).toBe('aborted');
    expect((await k.t.reply(info)).content.status).toBe('ok');
    expect((await k.t.reply(q2)).content.status).toBe('aborted');
    expect(k.interp.numExecutes).toBe(1);
    const after = await k.execute('3');
    expect(after.reply.content.status).toBe('ok');
    // Without stop_on_error nothing is aborted.
    const bad2 = k.t.request('shell', 'execute_request', { code: 'fail()', stop_on_error: false });
    const q3 = k.t.request('shell', 'execute_request', { code: '4' });
    expect((await k.t.reply(bad2)).content.status).toBe('error');
    expect((await k.t.reply(q3)).content.status).toBe('ok');
  });

  it('coalesces stream output of one turn into one message, in order with displays', async () => {
    const k = await makeMemoryKernel();
    const r = await k.execute('for (let i = 0; i < 1000; i++) print(i); display("<b>x</b>"); printErr("e"); print("after")');
    const outs = k.iopub(r.req).filter((m) => m.header.msg_type !== 'status' && m.header.msg_type !== 'execute_input');
    expect(types(outs)).toEqual(['stream', 'display_data', 'stream', 'stream']);
    expect(outs[0]!.content.text).toBe(Array.from({ length: 1000 }, (_, i) => `${i}\n`).join(''));
    expect(outs[1]!.content).toEqual({ data: { 'text/html': '<b>x</b>', 'text/plain': '<b>x</b>' }, metadata: {} });
    expect(outs[2]!.content).toEqual({ name: 'stderr', text: 'e\n' });
    expect(outs[3]!.content).toEqual({ name: 'stdout', text: 'after\n' });
  });

  it('display ids, updateDisplay, raw bundles and clearOutput', async () => {
    const k = await makeMemoryKernel();
    const r = await k.execute(`display({ 'application/json': { a: [1, 2] }, 'text/plain': 'A' }, { raw: true, id: 'p1' });
      updateDisplay('p1', { data: { 'text/plain': 'B' }, metadata: { m: 1 } }, { raw: true });
      updateDisplay('p1', 'C'); clearOutput({ wait: true }); undefined`);
    const outs = k.iopub(r.req).filter((m) => !['status', 'execute_input'].includes(m.header.msg_type));
    expect(types(outs)).toEqual(['display_data', 'update_display_data', 'update_display_data', 'clear_output']);
    expect(outs[0]!.content).toEqual({ data: { 'application/json': { a: [1, 2] }, 'text/plain': 'A' }, metadata: {}, transient: { display_id: 'p1' } });
    expect(outs[1]!.content).toEqual({ data: { 'text/plain': 'B' }, metadata: { m: 1 }, transient: { display_id: 'p1' } });
    expect(outs[2]!.content).toMatchObject({ data: { 'text/plain': 'C' }, transient: { display_id: 'p1' } });
    expect(outs[3]!.content).toEqual({ wait: true });
    const bad = await k.execute(`display(42, { raw: true })`);
    expect(bad.reply.content).toMatchObject({ status: 'error', evalue: expect.stringContaining('raw') });
    const badId = await k.execute(`updateDisplay('', 1)`);
    expect(badId.reply.content).toMatchObject({ status: 'error', evalue: expect.stringContaining('id') });
  });

  it('reads stdin through input_request / input_reply, and refuses when allow_stdin is false', async () => {
    const k = await makeMemoryKernel();
    const req = k.t.request('shell', 'execute_request', { code: 'input("Name? ", { password: true }).then((v) => "hello " + v)', allow_stdin: true });
    const ir = await k.t.waitFor((s) => s.channel === 'stdin' && s.message.header.msg_type === 'input_request');
    expect(ir.message.content).toEqual({ prompt: 'Name? ', password: true });
    expect((ir.message.parent_header as { msg_id: string }).msg_id).toBe(req.header.msg_id);
    expect(ir.message.identities.map((b) => Buffer.from(b).toString())).toEqual(['client-identity']);
    k.t.request('stdin', 'input_reply', { value: 'Ada' });
    expect((await k.t.reply(req)).content.status).toBe('ok');
    expect(k.iopub(req, 'execute_result')[0]!.content.data).toEqual({ 'text/plain': 'hello Ada' });
    const denied = await k.execute('input("x")', { allow_stdin: false });
    expect(denied.reply.content).toMatchObject({ status: 'error', evalue: expect.stringContaining('allow_stdin') });
  });

  it('completes and inspects with code-point cursors, and answers is_complete', async () => {
    const k = await makeMemoryKernel();
    await k.execute('var someValue = 1, someOther = 2');
    const code = '"😀"; some';
    const cp = [...code].length;
    const c = await k.request('shell', 'complete_request', { code, cursor_pos: cp });
    expect(c.reply.content).toMatchObject({ status: 'ok', matches: ['someOther', 'someValue'], cursor_start: cp - 4, cursor_end: cp });
    const i = await k.request('shell', 'inspect_request', { code: '"😀"; someValue', cursor_pos: 7, detail_level: 0 });
    expect(i.reply.content).toMatchObject({ status: 'ok', found: true, data: { 'text/plain': 'someValue: number' } });
    const miss = await k.request('shell', 'inspect_request', { code: 'zzz', cursor_pos: 1 });
    expect(miss.reply.content).toMatchObject({ status: 'ok', found: false });
    expect((await k.request('shell', 'is_complete_request', { code: 'f(1' })).reply.content).toEqual({ status: 'incomplete', indent: '  ' });
    expect((await k.request('shell', 'is_complete_request', { code: 'f(1))' })).reply.content).toEqual({ status: 'invalid' });
    expect((await k.request('shell', 'is_complete_request', { code: 'f(1)' })).reply.content).toEqual({ status: 'complete' });
    const bad = await k.request('shell', 'complete_request', { code: 'x', cursor_pos: -3 });
    expect(bad.reply.content).toMatchObject({ status: 'error', evalue: expect.stringContaining('cursor_pos') });
  });

  it('answers history_request for tail, range and search', async () => {
    const k = await makeMemoryKernel();
    for (const code of ['var a = 1', 'a + 1', 'var b = 2', 'a + b']) await k.execute(code);
    const tail = await k.request('shell', 'history_request', { hist_access_type: 'tail', n: 2, output: true, raw: true });
    expect(tail.reply.content).toEqual({ status: 'ok', history: [[1, 3, ['var b = 2', null]], [1, 4, ['a + b', '3']]] });
    const range = await k.request('shell', 'history_request', { hist_access_type: 'range', session: 0, start: 2, stop: 4, output: false, raw: true });
    expect(range.reply.content.history).toEqual([[1, 2, 'a + 1'], [1, 3, 'var b = 2']]);
    const search = await k.request('shell', 'history_request', { hist_access_type: 'search', pattern: 'var*', output: false, raw: true });
    expect(search.reply.content.history).toEqual([[1, 1, 'var a = 1'], [1, 3, 'var b = 2']]);
    const bad = await k.request('shell', 'history_request', { hist_access_type: 'sideways' });
    expect(bad.reply.content).toMatchObject({ status: 'error', evalue: expect.stringContaining('hist_access_type') });
  });

  it('comms: comm_info, unknown target closed, registered target, messages both ways, close', async () => {
    const k = await makeMemoryKernel();
    const unknown = k.t.request('shell', 'comm_open', { comm_id: 'c0', target_name: 'nobody', data: {} });
    await k.t.waitFor((s) => s.channel === 'iopub' && s.message.header.msg_type === 'status' && s.message.content.execution_state === 'idle' && (s.message.parent_header as { msg_id?: string }).msg_id === unknown.header.msg_id);
    expect(k.iopub(unknown, 'comm_close')[0]!.content).toEqual({ comm_id: 'c0', data: {} });
    await k.execute(`var got = []; comms.registerTarget('echo', (comm, open) => { got.push(open.data.hello); comm.onMsg((m) => { got.push(m.data.n); comm.send({ back: m.data.n * 10 }); }); comm.onClose(() => got.push('closed')); }); undefined`);
    const open = k.t.request('shell', 'comm_open', { comm_id: 'c1', target_name: 'echo', data: { hello: 'hi' } });
    await k.t.waitFor((s) => s.message.header.msg_type === 'status' && s.message.content.execution_state === 'idle' && (s.message.parent_header as { msg_id?: string }).msg_id === open.header.msg_id);
    const info = await k.request('shell', 'comm_info_request', { target_name: 'echo' });
    expect(info.reply.content).toEqual({ status: 'ok', comms: { c1: { target_name: 'echo' } } });
    const msg = k.t.request('shell', 'comm_msg', { comm_id: 'c1', data: { n: 4 } });
    const back = await k.t.waitFor((s) => s.message.header.msg_type === 'comm_msg');
    // The spec's comm_msg content is {comm_id, data}; send()'s metadata is the message's own.
    expect(back.message.content).toEqual({ comm_id: 'c1', data: { back: 40 } });
    expect((back.message.parent_header as { msg_id: string }).msg_id).toBe(msg.header.msg_id);
    k.t.request('shell', 'comm_close', { comm_id: 'c1', data: {} });
    const r = await k.execute('got.join(",")');
    expect(k.iopub(r.req, 'execute_result')[0]!.content.data).toEqual({ 'text/plain': 'hi,4,closed' });
    expect((await k.request('shell', 'comm_info_request', {})).reply.content.comms).toEqual({});
    // Kernel-opened comm.
    const o = await k.execute(`var kc = comms.open('plot', { v: 1 }); kc.send({ v: 2 }); kc.close(); kc.commId`);
    expect(types(k.iopub(o.req).filter((m) => m.header.msg_type.startsWith('comm_')))).toEqual(['comm_open', 'comm_msg', 'comm_close']);
    expect(k.iopub(o.req, 'comm_open')[0]!.content).toMatchObject({ target_name: 'plot', data: { v: 1 } });
  });

  it('interrupt_request stops an async wait; the kernel and its bindings stay alive', async () => {
    const k = await makeMemoryKernel();
    await k.execute('var kept = 7');
    const long = k.t.request('shell', 'execute_request', { code: 'sleep(60000)' });
    await k.t.waitFor((s) => s.message.header.msg_type === 'execute_input' && (s.message.parent_header as { msg_id: string }).msg_id === long.header.msg_id);
    const t0 = Date.now();
    const intr = await k.request('control', 'interrupt_request', {});
    expect(intr.reply.header.msg_type).toBe('interrupt_reply');
    expect(intr.reply.content).toEqual({ status: 'ok' });
    expect((await k.t.reply(long)).content).toMatchObject({ status: 'error', ename: 'Interrupted' });
    expect(Date.now() - t0).toBeLessThan(5000);
    const r = await k.execute('kept');
    expect(k.iopub(r.req, 'execute_result')[0]!.content.data).toEqual({ 'text/plain': '7' });
  });

  it('shutdown_request replies (echoing restart), then shuts the interpreter and transport down', async () => {
    const k = await makeMemoryKernel();
    const s = await k.request('control', 'shutdown_request', { restart: true });
    expect(s.reply.header.msg_type).toBe('shutdown_reply');
    expect(s.reply.content).toEqual({ status: 'ok', restart: true });
    await expect.poll(() => k.shutdowns).toEqual([true]);
    expect(k.interp.shutdownCalled).toBe(true);
  });

  it('rejects bad content with an error reply naming the field, and logs unknown message types', async () => {
    const k = await makeMemoryKernel();
    const r = await k.request('shell', 'execute_request', { code: 42 });
    expect(r.reply.content).toMatchObject({ status: 'error', ename: 'TypeError', evalue: 'code must be a string' });
    const onControl = await k.request('control', 'execute_request', { code: 'var ran = 1' });
    expect(onControl.reply.content).toMatchObject({ status: 'error', evalue: 'execute_request is not served on the control channel' });
    expect(k.interp.numExecutes).toBe(0);
    const u = k.t.request('shell', 'frobnicate_request', {});
    await k.t.waitFor((s) => s.message.content.execution_state === 'idle' && (s.message.parent_header as { msg_id?: string }).msg_id === u.header.msg_id);
    expect(k.logs.some((l) => l.includes('frobnicate_request'))).toBe(true);
  });

  it('holds executes until the globals are ready, but answers kernel_info at once', async () => {
    let release!: () => void;
    const ready = new Promise<void>((r) => (release = r));
    let numPrepares = 0;
    const k = await makeMemoryKernel({ prepare: () => (numPrepares++, ready) });
    const ex = k.t.request('shell', 'execute_request', { code: '1' });
    const info = k.t.request('control', 'kernel_info_request', {});
    await k.t.reply(info);
    expect(k.interp.numExecutes).toBe(0);
    release();
    expect((await k.t.reply(ex)).content.status).toBe('ok');
    await k.execute('2');
    expect(numPrepares).toBe(1);
  });
});
