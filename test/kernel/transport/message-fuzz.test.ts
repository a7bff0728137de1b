// The structured kernel fuzzer (issue 17, "Must show" 2): 5,000 seeded signed (and some
// unsigned or garbled) messages over shell, control and stdin against a real kernel process,
// with the shell busy part of the time (message-fuzz-cases.ts lists the kinds). Afterwards the
// kernel still answers kernel_info on shell and control and runs `1 + 1`; no forbidden case's
// code ran (each would have written a marker file, and a positive control shows such code does
// write one when it is legitimately executed); every case owed a reply got one, and every case
// owed a logged drop is matched by one stderr line of its kind (counted exactly).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../../kernel/cli/run-notebook';
import { createSigner } from '../../../kernel/protocol/signing';
import { LOG_PATTERNS, makeCases, type LogKind } from './message-fuzz-cases';
import { RawChannel, waitUntil } from './raw-channel';

const SEED = 1717;
const NUM_CASES = 5000;

describe(`structured kernel fuzzer: ${NUM_CASES} seeded messages on shell, control and stdin`, () => {
  let client: KernelClient;
  let stderr = '';
  let markers: string;
  beforeAll(async () => {
    markers = mkdtempSync(join(tmpdir(), 'enginelab-fuzz-markers-'));
    client = await KernelClient.launch({ argv: defaultKernelArgv(), startTimeoutMs: 120_000 });
    client.process.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  }, 180_000);
  afterAll(async () => {
    await client?.shutdown();
    rmSync(markers, { recursive: true, force: true });
  });

  it('answers what it owes, logs what it drops, runs nothing it must not, and serves on', async () => {
    // Positive control: code of the forbidden shape does write its marker when legitimately run.
    const control = await client.execute(`(globalThis as any).process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(join(markers, 'positive-control'))}, '')`);
    expect(control.reply.content.status).toBe('ok');
    expect(readdirSync(markers)).toEqual(['positive-control']);
    rmSync(join(markers, 'positive-control'));

    const signer = createSigner(client.connection.key, client.connection.signature_scheme);
    const cases = makeCases(signer, SEED, NUM_CASES, markers);
    const channels = {
      shell: new RawChannel(client, client.connection.shell_port, signer),
      control: new RawChannel(client, client.connection.control_port, signer),
      stdin: new RawChannel(client, client.connection.stdin_port, signer),
    };
    const logsBefore = Object.fromEntries(Object.entries(LOG_PATTERNS).map(([k, re]) => [k, (stderr.match(re) ?? []).length])) as Record<LogKind, number>;
    try {
      for (const c of cases) await channels[c.channel].send(c.frames);
      // Drained: comm_info on shell is answered by the main thread in order after every fuzz
      // shell frame; kernel_info on control after every control frame (one pipe is FIFO).
      await Promise.all([channels.shell.request('comm_info_request', {}, 300_000), channels.control.request('kernel_info_request', {}, 300_000)]);
      const owed = cases.filter((c) => c.expect.kind === 'reply');
      const answered = () => {
        const ids = new Set([...channels.shell.received, ...channels.control.received].map((m) => (m.parent_header as { msg_id?: unknown }).msg_id));
        return owed.filter((c) => !ids.has(c.msgId));
      };
      await waitUntil(() => answered().length === 0, 60_000);
      const missing = answered();
      expect(missing.map((c) => `${c.index} ${c.channel} ${c.label}`).slice(0, 20), `${missing.length} of ${owed.length} owed replies missing`).toEqual([]);

      // Logged drops, by kind, exactly as many as owed (stdin is handled by the main thread
      // asynchronously: wait, bounded, for its lines).
      const want: Record<string, number> = {};
      for (const c of cases) if (c.expect.kind === 'log') want[c.expect.log] = (want[c.expect.log] ?? 0) + 1;
      const got = () => Object.fromEntries(Object.keys(want).map((k) => [k, (stderr.match(LOG_PATTERNS[k as LogKind]) ?? []).length - logsBefore[k as LogKind]]));
      await waitUntil(() => JSON.stringify(got()) === JSON.stringify(want), 60_000);
      expect(got()).toEqual(want);
      console.log(`fuzz: ${cases.length} cases, ${owed.length} replies owed and received, logged drops ${JSON.stringify(want)}, ${cases.filter((c) => c.forbidden).length} forbidden`);
    } finally {
      for (const ch of Object.values(channels)) await ch.close();
    }
    // Nothing forbidden ran; the kernel serves on every channel.
    expect(readdirSync(markers)).toEqual([]);
    expect((await client.request('shell', 'kernel_info_request', {}).reply).content.status).toBe('ok');
    expect((await client.request('control', 'kernel_info_request', {}).reply).content.status).toBe('ok');
    const two = await client.execute('1 + 1');
    expect(two.reply.content.status).toBe('ok');
    expect(JSON.stringify(two.outputs)).toContain('"text/plain":"2"');
    expect(client.isAlive).toBe(true);
  }, 600_000);
});
