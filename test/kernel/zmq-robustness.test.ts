// The real kernel process over zeromq under abuse: 10,500 malformed frames on shell, control
// and stdin; cells that throw, reject a promise nobody awaits, or write to closed streams; and
// 10,000 executes in a row with resident memory measured from /proc.
import { readFileSync } from 'node:fs';
import * as zmq from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../kernel/cli/run-notebook';
import { endpoint } from '../../kernel/transport/connection';
import { FUZZ_KINDS, makeFuzzer } from './helpers/fuzz-frames';

let client: KernelClient;
beforeAll(async () => {
  client = await KernelClient.launch({ argv: defaultKernelArgv(), startTimeoutMs: 120_000 });
}, 180_000);
afterAll(async () => {
  await client?.shutdown();
});

const resultText = async (code: string) => {
  const r = await client.execute(code);
  const res = r.outputs.find((m) => m.header.msg_type === 'execute_result');
  return { status: r.reply.content.status, text: (res?.content.data as Record<string, unknown> | undefined)?.['text/plain'], outputs: r.outputs };
};

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error('no VmRSS in /proc status');
  return Number(m[1]) / 1024;
}

describe('a real kernel process under bad input', () => {
  it('survives 10,500 malformed frames on shell, control and stdin, and executes nothing from them', async () => {
    expect((await resultText('let survivor = 41; survivor + 1')).text).toBe('42');
    const c = client.connection;
    const sockets = [c.shell_port, c.control_port, c.stdin_port].map((port) => {
      const s = new zmq.Dealer({ linger: 0, sendHighWaterMark: 20_000 });
      s.connect(endpoint(c, port));
      return s;
    });
    const next = makeFuzzer(c.key, 99);
    for (let i = 0; i < 10_500; i++) await sockets[i % 3]!.send(next(FUZZ_KINDS[i % FUZZ_KINDS.length]!));
    // The kernel drains them (kernel_info answers after every queued shell frame; signed
    // ill-typed executes among them fail, so stop_on_error aborts what was queued with them).
    await client.request('shell', 'kernel_info_request', {}).reply;
    const after = await resultText('typeof (globalThis as any).__fuzzExecuted');
    expect(after.text).toBe("'undefined'");
    const survivor = await resultText('survivor');
    expect(survivor, JSON.stringify(survivor)).toMatchObject({ status: 'ok', text: '41' });
    for (const s of sockets) s.close();
    expect(client.isAlive).toBe(true);
    expect(client.stderrTail).toContain('dropped');
  }, 240_000);

  it('a throwing cell, an un-awaited rejected promise and writes to closed streams leave it serving', async () => {
    expect((await resultText('throw new TypeError("thrown")')).status).toBe('error');
    const rej = await resultText('Promise.reject(new Error("nobody awaits me")); await new Promise((r) => setTimeout(r, 50)); "after rejection"');
    expect(rej.text).toBe("'after rejection'");
    expect(JSON.stringify(rej.outputs)).toContain('nobody awaits me');
    const closed = await resultText(`
      const { PassThrough } = await import('node:stream');
      const s = new PassThrough(); s.end(); s.write('late');
      process.stdout.destroy(); process.stdout.write('into the void');
      await new Promise((r) => setTimeout(r, 50));
      'wrote to closed streams'`);
    expect(closed.text).toBe("'wrote to closed streams'");
    expect((await resultText('1 + 1')).text).toBe('2');
    expect(client.isAlive).toBe(true);
  }, 120_000);

  it('10,000 executes in a row grow resident memory by less than 50 MB', async () => {
    const pid = client.process.pid!;
    const batch = async (n: number) => {
      for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => client.execute(`${i + j} + 1`)));
    };
    await batch(500);
    const before = rssMiB(pid);
    await batch(10_000);
    const after = rssMiB(pid);
    const last = await client.execute('1 + 1');
    expect(last.reply.content.execution_count).toBeGreaterThan(10_500);
    expect(after - before).toBeLessThan(50);
  }, 300_000);
});
