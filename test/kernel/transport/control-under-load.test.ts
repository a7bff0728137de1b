// Regression tests for issue 17's defects 3 and 4 against a real kernel process over zeromq:
// an interrupt during a display flood (`for (;;) display(i++)`, with and without `await null` in
// the loop) gets the cell's execute_reply (status error) and the kernel answers afterwards; a
// shutdown_request on control while a cell never yields is answered, and the process exits by
// itself — for `for (;;) {}` and a cell blocked in Atomics.wait (the socket thread's forced exit
// after its grace period) and for a cell awaiting forever (the main thread shuts down). The
// earlier version of this test failed one run in five: the socket thread's SIGINT met Node's vm
// listener hand-over and killed the process before the shutdown_reply left (control-server.ts).
// Control requests go over a RawChannel (raw-channel.ts), which reads replies independently of
// the client's process-exit bookkeeping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../../kernel/cli/run-notebook';
import type { JupyterMessage } from '../../../kernel/protocol/messages';
import { createSigner } from '../../../kernel/protocol/signing';
import { RawChannel, waitUntil } from './raw-channel';

const launch = () => KernelClient.launch({ argv: defaultKernelArgv(), startTimeoutMs: 120_000 });

/** Starts `code` and resolves once the kernel has published at least `numOutputs` of its outputs. */
function startCell(client: KernelClient, code: string, numOutputs: number): { started: Promise<void>; done: Promise<{ reply: JupyterMessage; outputs: JupyterMessage[] }> } {
  let seen = 0;
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const done = client.execute(code, {
    timeoutMs: 600_000,
    onOutput: (m) => {
      if (m.header.msg_type === 'execute_input') {
        if (numOutputs === 0) started();
      } else if (++seen === numOutputs) started();
    },
  });
  return { started: startedP, done };
}

describe('interrupt during a display flood', () => {
  let client: KernelClient;
  beforeAll(async () => {
    client = await launch();
    expect((await client.execute('1 + 1')).reply.content.status).toBe('ok');
  }, 180_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  for (const [label, code] of [
    ['synchronous', 'let i = 0; for (;;) display(i++)'],
    ['with await null', 'let j = 0; for (;;) { display(j++); await null; }'],
  ] as const) {
    it(`${label}: the interrupt gets the cell's execute_reply (error) and the kernel answers afterwards`, async () => {
      const cell = startCell(client, code, 200);
      await cell.started;
      const control = new RawChannel(client, client.connection.control_port, createSigner(client.connection.key));
      try {
        const ack = await control.request('interrupt_request');
        expect(ack.content.status).toBe('ok');
        // Bounded far above the 2 s goal (the machine is shared); the defect was "never".
        const { reply, outputs } = await Promise.race([cell.done, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no execute_reply within 60 s of the interrupt')), 60_000))]);
        expect(reply.content.status).toBe('error');
        expect(String(reply.content.ename)).toMatch(/KeyboardInterrupt|Interrupt/);
        expect(outputs.filter((m) => m.header.msg_type === 'display_data').length).toBeGreaterThanOrEqual(200);
        const info = await control.request('kernel_info_request');
        expect(info.content.status).toBe('ok');
      } finally {
        await control.close();
      }
      const after = await client.execute('6 * 7');
      expect(JSON.stringify(after.outputs)).toContain('"text/plain":"42"');
    }, 180_000);
  }
});

describe('interrupts as cells start and end', () => {
  // A SIGINT landing in vm's breakOnSigint listener hand-over kills the process; the socket
  // thread now signals only a main thread that has not taken the interrupt itself within
  // SIGINT_DELAY_MS (control-server.ts). Interrupts sent with short synchronous cells, at their
  // start and around their end, must never end the kernel.
  it('40 interrupts sent with short cells leave the kernel alive and serving', async () => {
    const client = await launch();
    const control = new RawChannel(client, client.connection.control_port, createSigner(client.connection.key));
    try {
      expect((await client.execute('1')).reply.content.status).toBe('ok');
      for (let i = 0; i < 40; i++) {
        const cell = client.execute(`for (let k = 0; k < ${(i % 8) * 250_000}; k++) {}`, { timeoutMs: 120_000 });
        if (i % 2 === 1) await new Promise((r) => setTimeout(r, i % 7));
        expect((await control.request('interrupt_request')).content.status).toBe('ok');
        const { reply } = await cell;
        expect(['ok', 'error']).toContain(reply.content.status);
        expect(client.isAlive, `the kernel died at interrupt ${i}: ${client.stderrTail}`).toBe(true);
      }
      const after = await client.execute('6 * 7');
      expect(JSON.stringify(after.outputs)).toContain('"text/plain":"42"');
    } finally {
      await control.close();
      await client.shutdown();
    }
  }, 300_000);
});

describe('shutdown_request on control while a cell never yields', () => {
  for (const [label, code, how] of [
    // Shutdown raises no SIGINT (control-server.ts says why), so the loop runs on until the forced exit.
    ['for (;;) {}', 'for (;;) {}', 'the socket thread ends the process after its grace period'],
    // Atomics.wait blocks the main thread where neither SIGINT nor a loop guard reaches it.
    ['a cell blocked in Atomics.wait', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)', 'the socket thread ends the process after its grace period'],
    ['a cell awaiting forever', 'await new Promise(() => {})', 'the main thread interrupts the cell and shuts down'],
  ] as const) {
    it(`${label}: shutdown_reply arrives and the process exits by itself (${how})`, async () => {
      const client = await launch();
      try {
        expect((await client.execute('1')).reply.content.status).toBe('ok');
        const cell = startCell(client, code, 0);
        void cell.done.catch(() => undefined);
        await cell.started;
        let exit: { code: number | null; signal: NodeJS.Signals | null; atMs: number } | undefined;
        const t0 = Date.now();
        const exited = new Promise<NonNullable<typeof exit>>((resolve) => client.process.once('exit', (c, s) => resolve((exit = { code: c, signal: s, atMs: Date.now() - t0 }))));
        const control = new RawChannel(client, client.connection.control_port, createSigner(client.connection.key));
        try {
          const reply = await control.request('shutdown_request', { content: '{"restart": false}' }, 60_000).catch((e: Error) => {
            throw new Error(`${e.message}; kernel exit: ${JSON.stringify(exit)}; its stderr:\n${client.stderrTail}`);
          });
          expect(reply.header.msg_type).toBe('shutdown_reply');
          expect(reply.content).toMatchObject({ status: 'ok', restart: false });
        } finally {
          await control.close();
        }
        // No SIGKILL from this side (client.shutdown would send one after 5 s): the kernel ends itself.
        const ended = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 90_000))]);
        expect(ended, 'the kernel process did not exit within 90 s of shutdown_reply').toBeDefined();
        expect(await waitUntil(() => !client.isAlive, 5000)).toBe(true);
      } finally {
        await client.close();
      }
    }, 240_000);
  }
});
