// Regression tests for issue 17's defects 1 and 5 against a real kernel process over zeromq: a
// correctly signed message nested 10,000 deep (in metadata or content) on shell and control gets
// an error reply naming the limit and the channel keeps serving; a replayed signed message runs
// once. Raw DEALER sockets send hand-built frames, so the nesting never passes through
// JSON.stringify on our side.
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../../kernel/cli/run-notebook';
import { endpoint } from '../../../kernel/transport/connection';
import { createSigner, type Signer } from '../../../kernel/protocol/signing';
import { DELIMITER, decodeFrames } from '../../../kernel/protocol/wire';
import type { JupyterMessage } from '../../../kernel/protocol/messages';

const DEEP = 10_000;
const deepArray = '['.repeat(DEEP) + ']'.repeat(DEEP);

function rawFrames(signer: Signer, msgType: string, parts: { metadata?: string; content?: string }): Buffer[] {
  const header = JSON.stringify({ msg_id: randomUUID(), session: 'hostile-test', username: 'test', date: new Date().toISOString(), msg_type: msgType, version: '5.3' });
  const texts = [header, '{}', parts.metadata ?? '{}', parts.content ?? '{}'].map((t) => Buffer.from(t, 'utf8'));
  return [Buffer.from(DELIMITER), Buffer.from(signer.sign(texts), 'latin1'), ...texts];
}

/** A DEALER on one channel that sends raw frames and returns the decoded reply. */
class RawChannel {
  private readonly socket = new zmq.Dealer({ linger: 0 });
  constructor(client: KernelClient, port: number, private readonly signer: Signer) {
    this.socket.connect(endpoint(client.connection, port));
  }

  async send(frames: Buffer[]): Promise<void> {
    await this.socket.send(frames);
  }

  async reply(): Promise<JupyterMessage> {
    const frames = await this.socket.receive();
    const d = decodeFrames(frames, this.signer);
    if (!d.ok) throw new Error(`undecodable reply: ${d.reason}`);
    return d.message;
  }

  close(): void {
    this.socket.close();
  }
}

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
        await shell.send(rawFrames(signer, 'execute_request', { [part]: `{"x": ${deepArray}}`, ...(part === 'metadata' ? { content: '{"code": "globalThis.__deepRan = true"}' } : {}) }));
        const reply = await shell.reply();
        expect(reply.header.msg_type).toBe('execute_reply');
        expect(reply.content.status).toBe('error');
        expect(String(reply.content.evalue)).toMatch(/nests deeper than the limit/);
      } finally {
        shell.close();
      }
      const after = await client.execute('typeof (globalThis as any).__deepRan');
      expect(after.reply.content.status).toBe('ok');
      expect(JSON.stringify(after.outputs)).toContain("'undefined'");
    }, 120_000);

    it(`control: kernel_info_request with ${part} nested ${DEEP} deep gets an error reply; control serves on`, async () => {
      const control = new RawChannel(client, client.connection.control_port, signer);
      try {
        await control.send(rawFrames(signer, 'kernel_info_request', { [part]: `{"x": ${deepArray}}` }));
        const reply = await control.reply();
        expect(reply.header.msg_type).toBe('kernel_info_reply');
        expect(reply.content.status).toBe('error');
        expect(String(reply.content.evalue)).toMatch(/nests deeper than the limit/);
      } finally {
        control.close();
      }
      const info = await client.request('control', 'kernel_info_request', {}).reply;
      expect(info.content.status).toBe('ok');
    }, 120_000);
  }

  it('a replayed, identical signed execute_request runs once', async () => {
    const shell = new RawChannel(client, client.connection.shell_port, signer);
    const frames = rawFrames(signer, 'execute_request', { content: '{"code": "(globalThis as any).__replays = ((globalThis as any).__replays ?? 0) + 1", "silent": false, "store_history": true, "user_expressions": {}, "allow_stdin": false, "stop_on_error": true}' });
    try {
      await shell.send(frames);
      expect((await shell.reply()).content.status).toBe('ok');
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
