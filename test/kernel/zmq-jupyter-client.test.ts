// A real kernel process over zeromq driven by Debian's jupyter_client (test/kernel/py/drive_kernel.py):
// execute, streams, errors, completion, inspection, is_complete, history, interrupts (message,
// SIGINT, async), stdin, display updates, comm_info and shutdown.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, isCI, pythonEnv, skipUnlessAvailable } from './helpers/external';

const root = resolve(__dirname, '../..');
const python = findPython(['jupyter_client', 'zmq']);

type Facts = Record<string, any>;

function drive(kernelName: string, flavour: 'ts' | 'js', jupyterPath: string): Facts {
  if (python === undefined) throw new Error(`python3 with jupyter_client is required${isCI ? ' in CI (install python3-jupyter-client)' : ''}`);
  const r = spawnSync(python, ['-X', 'frozen_modules=off', join(root, 'test/kernel/py/drive_kernel.py'), kernelName, flavour], {
    encoding: 'utf8',
    env: pythonEnv({ JUPYTER_PATH: jupyterPath }),
    timeout: 280_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`drive_kernel.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line) as Facts;
}

/** Assertions shared by every kernel flavour: the protocol side does not depend on the language. */
function protocolSuite(getFacts: () => Facts, resultOf: (s: string) => string) {
  it('kernel_info_reply has status, protocol 5.3, language_info and help links', () => {
    const ki = getFacts().kernel_info;
    expect(ki).toMatchObject({ status: 'ok', protocol_version: '5.3' });
    expect(ki.language_info.name).toBeTypeOf('string');
    expect(Array.isArray(ki.help_links)).toBe(true);
    expect(getFacts().interrupt_mode).toBe('message');
  });

  it('execute: execute_input then execute_result, counter increments across cells', () => {
    const f = getFacts();
    expect(f.execute.reply).toMatchObject({ status: 'ok', execution_count: 1 });
    expect(f.execute.iopub.map((m: any) => m.msg_type)).toEqual(['execute_input', 'execute_result']);
    expect(f.execute.iopub[1].content.data['text/plain']).toBe(resultOf('2'));
    expect(f.stream.iopub.filter((m: any) => m.msg_type === 'stream').map((m: any) => [m.content.name, m.content.text])).toEqual([['stdout', 'hi\n'], ['stderr', 'oops\n']]);
  });

  it('errors: error reply and iopub error; the kernel keeps serving', () => {
    const f = getFacts();
    expect(f.error.reply).toMatchObject({ status: 'error', ename: 'Error', evalue: 'boom' });
    expect(f.error.iopub.map((m: any) => m.msg_type)).toContain('error');
    expect(f.after_error.reply.status).toBe('ok');
    expect(f.after_error.iopub.find((m: any) => m.msg_type === 'execute_result').content.data['text/plain']).toBe(resultOf('4'));
  });

  it('is_complete: incomplete with indent, invalid, complete', () => {
    const ic = getFacts().is_complete;
    expect(ic.incomplete.status).toBe('incomplete');
    expect(ic.incomplete.indent).toBeTypeOf('string');
    expect(ic.invalid.status).toBe('invalid');
    expect(ic.complete.status).toBe('complete');
  });

  it('history: tail and search', () => {
    const f = getFacts();
    expect(f.history.status).toBe('ok');
    expect(f.history.history).toHaveLength(3);
    expect(f.history.history[1][2]).toBe('2 + 2');
    expect(f.history.history[2][2]).toContain('keep = 5');
    // [session, line, input] with line = the execution count of that cell.
    expect(f.history.history[1][1]).toBe(f.after_error.reply.execution_count);
    expect(f.history_search.history.map((h: any) => h[2])).toEqual(['2 + 2']);
  });

  it('interrupt_request on control stops while (true) {}; heartbeat answers meanwhile', () => {
    const i = getFacts().interrupt_message;
    expect(i.beating).toBe(true);
    expect(i.control).toEqual({ msg_type: 'interrupt_reply', content: { status: 'ok' } });
    expect(i.reply.status).toBe('error');
    expect(i.seconds).toBeLessThan(5);
  });

  it('SIGINT stops while (true) {}; a KernelManager interrupt stops an async wait; SIGINT when idle is harmless', () => {
    const f = getFacts();
    expect(f.interrupt_signal.reply.status).toBe('error');
    expect(f.interrupt_signal.seconds).toBeLessThan(5);
    expect(f.interrupt_signal.beating).toBe(true);
    expect(f.interrupt_async.reply.status).toBe('error');
    expect(f.interrupt_async.seconds).toBeLessThan(5);
    expect(f.alive_after_idle_sigint).toBe(true);
    expect(f.keep_after_interrupts.iopub.find((m: any) => m.msg_type === 'execute_result').content.data['text/plain']).toBe(resultOf('5'));
  });

  it('stdin: input_request parented to the execute, input_reply becomes the value', () => {
    const f = getFacts();
    expect(f.input_request).toEqual({ msg_type: 'input_request', content: { prompt: 'Name? ', password: false }, parent: true });
    expect(f.input_reply.status).toBe('ok');
    expect(f.input_iopub.find((m: any) => m.msg_type === 'execute_result').content.data['text/plain']).toBe(resultOf('Ada'));
  });

  it('display ids: display_data with transient display_id, update_display_data, clear_output', () => {
    const io = getFacts().display.iopub.filter((m: any) => m.msg_type !== 'execute_input');
    expect(io.map((m: any) => m.msg_type)).toEqual(['display_data', 'update_display_data', 'clear_output']);
    expect(io[0].content.transient).toEqual({ display_id: 'd1' });
    expect(io[0].content.data).toEqual({ 'text/html': '<b>a</b>', 'text/plain': 'a' });
    expect(io[1].content.transient).toEqual({ display_id: 'd1' });
    expect(io[1].content.data).toEqual({ 'text/html': '<i>b</i>', 'text/plain': 'b' });
    expect(io[2].content).toEqual({ wait: true });
    expect(getFacts().comm_info).toEqual({ status: 'ok', comms: {} });
  });

  it('shutdown_request on control: reply, then the process exits', () => {
    const f = getFacts();
    expect(f.shutdown_reply).toEqual({ msg_type: 'shutdown_reply', content: { status: 'ok', restart: false } });
    expect(f.alive_after_shutdown).toBe(false);
    expect(f.exit_seconds).toBeLessThan(3);
  });
}

describe.skipIf(skipUnlessAvailable(python !== undefined))('the enginelab TypeScript kernel (installed with `enginelab install`) driven by jupyter_client', () => {
  let dir = '';
  let facts: Facts = {};
  let listed = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'enginelab-ts-'));
    const inst = spawnSync(process.execPath, [join(root, 'bin/enginelab.mjs'), 'install', '--prefix', dir, '--name', 'enginelab-test'], { encoding: 'utf8' });
    if (inst.status !== 0) throw new Error(`install failed: ${inst.stderr}`);
    const jupyterPath = join(dir, 'share', 'jupyter');
    listed = spawnSync(python!, ['-m', 'jupyter_client.kernelspecapp', 'list'], { encoding: 'utf8', env: pythonEnv({ JUPYTER_PATH: jupyterPath }) }).stdout;
    facts = drive('enginelab-test', 'ts', jupyterPath);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`enginelab install --prefix` writes a kernelspec that jupyter kernelspec list finds', () => {
    expect(listed).toMatch(/enginelab-test\s+\S+enginelab-test/);
  });

  protocolSuite(() => facts, (s) => (Number.isNaN(Number(s)) ? `'${s}'` : s));

  it('language_info is TypeScript', () => {
    expect(facts.kernel_info.language_info).toMatchObject({ name: 'typescript', file_extension: '.ts' });
    expect(facts.kernel_info.implementation).toBe('enginelab');
  });

  it('type errors come back as errors with line and column; runtime tracebacks use cell line numbers', () => {
    expect(facts.type_error.reply.status).toBe('error');
    expect(facts.type_error.reply.evalue).toMatch(/line 1, column 7/);
    expect(facts.error.reply.traceback.join('\n')).toMatch(/line 1/);
  });

  it('interrupt_request stops a while (true) {} that runs after an await; bindings and the next execute survive', () => {
    const i = facts.interrupt_after_await;
    expect(i.control).toEqual({ msg_type: 'interrupt_reply', content: { status: 'ok' } });
    expect(i.reply).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(i.seconds).toBeLessThan(5);
    expect(i.beating).toBe(true);
    expect(facts.keep_after_await_interrupt.reply.status).toBe('ok');
    expect(facts.keep_after_await_interrupt.iopub.find((m: any) => m.msg_type === 'execute_result').content.data['text/plain']).toBe('5');
  });

  it('completion and inspection come from the TypeScript language service', () => {
    expect(facts.complete.status).toBe('ok');
    expect(facts.complete.matches).toContain('max');
    expect(facts.complete).toMatchObject({ cursor_start: 5, cursor_end: 7 });
    expect(facts.inspect.found).toBe(true);
    expect(facts.inspect.data['text/plain']).toContain('Math.max(...values: number[]): number');
  });
});

describe.skipIf(skipUnlessAvailable(python !== undefined))('zeromq kernel (protocol side, JavaScript fake interpreter) driven by jupyter_client', () => {
  let dir = '';
  let facts: Facts = {};
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'enginelab-jc-'));
    const spec = join(dir, 'kernels', 'enginelab-fake');
    mkdirSync(spec, { recursive: true });
    const argv = [process.execPath, join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'test/kernel/helpers/fake-kernel-main.ts'), '{connection_file}'];
    writeFileSync(join(spec, 'kernel.json'), JSON.stringify({ argv, display_name: 'fake', language: 'javascript', interrupt_mode: 'message' }));
    facts = drive('enginelab-fake', 'js', dir);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  protocolSuite(() => facts, (s) => s);

  it('completion and inspection answer through the interpreter', () => {
    expect(facts.complete).toMatchObject({ status: 'ok', matches: ['print', 'printErr'], cursor_start: 0, cursor_end: 3 });
    expect(facts.inspect).toMatchObject({ status: 'ok', found: true, data: { 'text/plain': 'print: function' } });
  });
});
