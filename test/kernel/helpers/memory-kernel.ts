/**
 * Test harness: a KernelCore over a MemoryTransport with the FakeInterpreter and the real cell
 * globals (display, updateDisplay, clearOutput, input, comms) using a minimal inline formatter.
 */
import { createCellGlobals } from '../../../kernel/cell/cell-globals';
import type { DisplayBundle } from '../../../kernel/display/mime';
import { KernelCore } from '../../../kernel/core/kernel-core';
import type { JupyterMessage, RequestChannel } from '../../../kernel/protocol/messages';
import { MemoryTransport } from '../../../kernel/transport/memory-transport';
import { FakeInterpreter } from './fake-interpreter';

export function inlineFormat(value: unknown): DisplayBundle {
  if (typeof value === 'string' && value.startsWith('<')) return { data: { 'text/html': value, 'text/plain': value }, metadata: {} };
  return { data: { 'text/plain': typeof value === 'string' ? value : JSON.stringify(value) }, metadata: {} };
}

export interface MemoryKernel {
  core: KernelCore;
  t: MemoryTransport;
  interp: FakeInterpreter;
  logs: string[];
  shutdowns: boolean[];
  request(channel: RequestChannel, msgType: string, content: Record<string, unknown>): Promise<{ req: JupyterMessage; reply: JupyterMessage }>;
  execute(code: string, extra?: Record<string, unknown>): Promise<{ req: JupyterMessage; reply: JupyterMessage }>;
  iopub(req: JupyterMessage, msgType?: string): JupyterMessage[];
}

export async function makeMemoryKernel(options: { prepare?: () => Promise<void> } = {}): Promise<MemoryKernel> {
  const logs: string[] = [];
  const shutdowns: boolean[] = [];
  const t = new MemoryTransport({ log: (l) => logs.push(l) });
  const interp = new FakeInterpreter();
  const core = new KernelCore({ interpreter: interp, transport: t, log: (l) => logs.push(l), onShutdown: (r) => shutdowns.push(r), ...(options.prepare ? { prepare: options.prepare } : {}) });
  interp.defineGlobals(createCellGlobals({ currentIO: () => core.currentIO(), format: inlineFormat, comms: core.comms }));
  await core.start();
  const request = async (channel: RequestChannel, msgType: string, content: Record<string, unknown>) => {
    const req = t.request(channel, msgType, content);
    const reply = await t.reply(req);
    return { req, reply };
  };
  return {
    core, t, interp, logs, shutdowns, request,
    execute: (code, extra = {}) => request('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra }),
    iopub: (req, msgType) => t.childrenOf(req, 'iopub').map((s) => s.message).filter((m) => msgType === undefined || m.header.msg_type === msgType),
  };
}
