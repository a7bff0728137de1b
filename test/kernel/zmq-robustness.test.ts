// The real kernel process over zeromq under abuse: 10,500 malformed frames on shell, control
// and stdin; cells that throw, reject a promise nobody awaits, or write to closed streams; and
// 10,000 executes in a row with resident memory measured from /proc.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../kernel/cli/run-notebook';
import { createSigner } from '../../kernel/protocol/signing';
import { RawChannel } from './transport/raw-channel';
import { FUZZ_KINDS, makeFuzzer } from './helpers/fuzz-frames';

let client: KernelClient;
/** All of the kernel's stderr: `stderrTail` keeps 4,000 characters, and late stdin lines fill it. */
let stderr = '';
beforeAll(async () => {
  client = await KernelClient.launch({ argv: defaultKernelArgv(), startTimeoutMs: 120_000 });
  client.process.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
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
    const signer = createSigner(c.key, c.signature_scheme);
    // Raw channels read their replies all the time (a ROUTER drops replies to a peer whose pipe
    // is full) and linger, so no frame is lost on close (raw-channel.ts).
    const channels = [c.shell_port, c.control_port, c.stdin_port].map((port) => new RawChannel(client, port, signer));
    const next = makeFuzzer(c.key, 99);
    for (let i = 0; i < 10_500; i++) await channels[i % 3]!.send(next(FUZZ_KINDS[i % FUZZ_KINDS.length]!));
    // The kernel drains them. This test was flaky because it waited on the client's own shell
    // socket: a ROUTER fair-queues its peers, so that kernel_info could be answered while fuzz
    // frames were still queued, and a failing fuzz execute then aborted (stop_on_error) the
    // `survivor` execute sent next; and a shell kernel_info is answered by the socket thread when
    // the main thread is busy for 150 ms (socket-thread/prompt-answers.ts), before the frames
    // queued ahead of it. A request sent on each fuzz socket comes after all of that socket's
    // frames (one pipe is FIFO); on shell it is comm_info, which only the main thread answers
    // (in order), so its reply means every fuzz shell frame was handled.
    await Promise.all([channels[0]!.request('comm_info_request', {}, 120_000), channels[1]!.request('kernel_info_request', {}, 120_000)]);
    const after = await resultText('typeof (globalThis as any).__fuzzExecuted');
    expect(after.text).toBe("'undefined'");
    const survivor = await resultText('survivor');
    expect(survivor, JSON.stringify(survivor)).toMatchObject({ status: 'ok', text: '41' });
    for (const ch of channels) await ch.close();
    expect(client.isAlive).toBe(true);
    expect(stderr).toContain('dropped');
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
