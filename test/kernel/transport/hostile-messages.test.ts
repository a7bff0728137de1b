// Regression tests for issue 17's defects 1 and 5 against a real kernel process over zeromq: a
// correctly signed message nested 10,000 deep (in metadata or content) on shell and control gets
// an error reply naming the limit and the channel keeps serving; on stdin (no reply is due) it is
// dropped with a log line naming the limit and input still works; a replayed signed message runs
// once. Raw DEALER sockets send hand-built frames, so the nesting never passes through
// JSON.stringify on our side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../../kernel/cli/run-notebook';
import { createSigner, type Signer } from '../../../kernel/protocol/signing';
import { RawChannel, rawFrames as rawSigned, waitUntil } from './raw-channel';

const DEEP = 10_000;
const deepArray = '['.repeat(DEEP) + ']'.repeat(DEEP);

/** Frames of a signed message built from raw texts (see raw-channel.ts). */
const rawFrames = (signer: Signer, msgType: string, parts: { metadata?: string; content?: string }): Buffer[] => rawSigned(signer, msgType, parts).frames;

describe('signed hostile messages against a real kernel', () => {
  let client: KernelClient;
  let signer: Signer;
  beforeAll(async () => {
    client = await KernelClient.launch({ argv: defaultKernelArgv(), startTimeoutMs: 120_000 });
    signer = createSigner(client.connection.key, client.connection.signature_scheme);
    expect((await client.execute('1 + 1')).reply.content.status).toBe('ok');
  }, 180_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  for (const part of ['metadata', 'content'] as const) {
    it(`shell: execute_request with ${part} nested ${DEEP} deep gets an error reply naming the limit; shell serves on`, async () => {
      const shell = new RawChannel(client, client.connection.shell_port, signer);
      try {
        const reply = await shell.request('execute_request', { [part]: `{"x": ${deepArray}}`, ...(part === 'metadata' ? { content: '{"code": "globalThis.__deepRan = true"}' } : {}) });
        expect(reply.header.msg_type).toBe('execute_reply');
        expect(reply.content.status).toBe('error');
        expect(String(reply.content.evalue)).toMatch(/nests deeper than the limit/);
      } finally {
        await shell.close();
      }
      const after = await client.execute('typeof (globalThis as any).__deepRan');
      expect(after.reply.content.status).toBe('ok');
      expect(JSON.stringify(after.outputs)).toContain("'undefined'");
    }, 120_000);

    it(`control: kernel_info_request with ${part} nested ${DEEP} deep gets an error reply; control serves on`, async () => {
      const control = new RawChannel(client, client.connection.control_port, signer);
      try {
        const reply = await control.request('kernel_info_request', { [part]: `{"x": ${deepArray}}` });
        expect(reply.header.msg_type).toBe('kernel_info_reply');
        expect(reply.content.status).toBe('error');
        expect(String(reply.content.evalue)).toMatch(/nests deeper than the limit/);
      } finally {
        await control.close();
      }
      const info = await client.request('control', 'kernel_info_request', {}).reply;
      expect(info.content.status).toBe('ok');
    }, 120_000);
  }

  it(`stdin: an input_reply nested ${DEEP} deep is dropped and logged; the kernel still asks for and takes input`, async () => {
    const stdin = new RawChannel(client, client.connection.stdin_port, signer);
    try {
      await stdin.send(rawFrames(signer, 'input_reply', { content: `{"value": ${deepArray}}` }));
      // stdin and shell are separate sockets: wait (bounded) for the refusal to reach the log.
      // The socket lingers (raw-channel.ts), so the frame is not lost on close.
      expect(await waitUntil(() => /stdin[^\n]*nests deeper than the limit/.test(client.stderrTail), 60_000)).toBe(true);
    } finally {
      await stdin.close();
    }
    // A shell/stdin pair with one routing id runs a cell that asks for input, and answers it.
    const id = `stdin-pair-${Date.now()}`;
    const shell = new RawChannel(client, client.connection.shell_port, signer, id);
    const asker = new RawChannel(client, client.connection.stdin_port, signer, id);
    try {
      const { frames, msgId } = rawSigned(signer, 'execute_request', { content: '{"code": "(globalThis as any).__lastAnswer = await input(\\"q?\\")", "silent": false, "store_history": true, "user_expressions": {}, "allow_stdin": true, "stop_on_error": true}' });
      await shell.send(frames);
      expect(await waitUntil(() => asker.received.some((m) => m.header.msg_type === 'input_request'), 60_000)).toBe(true);
      const request = asker.received.find((m) => m.header.msg_type === 'input_request')!;
      expect(request.content.prompt).toBe('q?');
      const parent = JSON.stringify(request.header);
      await asker.send(rawSigned(signer, 'input_reply', { parent, content: '{"value": "the answer"}' }).frames);
      const reply = await shell.replyTo(msgId);
      expect(reply.content.status).toBe('ok');
    } finally {
      await shell.close();
      await asker.close();
    }
    const r = await client.execute('(globalThis as any).__lastAnswer');
    expect(JSON.stringify(r.outputs)).toContain("'the answer'");
    expect(client.isAlive).toBe(true);
  }, 120_000);

  it('a replayed, identical signed execute_request runs once', async () => {
    const shell = new RawChannel(client, client.connection.shell_port, signer);
    const { frames, msgId } = rawSigned(signer, 'execute_request', { content: '{"code": "(globalThis as any).__replays = ((globalThis as any).__replays ?? 0) + 1", "silent": false, "store_history": true, "user_expressions": {}, "allow_stdin": false, "stop_on_error": true}' });
    try {
      await shell.send(frames);
      expect((await shell.replyTo(msgId)).content.status).toBe('ok');
      await shell.send(frames);
      await shell.send(frames);
    } finally {
      shell.close();
    }
    // kernel_info on shell is answered after every shell message queued before it.
    await client.request('shell', 'kernel_info_request', {}).reply;
    const r = await client.execute('(globalThis as any).__replays');
    expect(JSON.stringify(r.outputs)).toContain('"text/plain":"1"');
    expect(client.stderrTail).toContain('duplicate signature');
  }, 120_000);
});
