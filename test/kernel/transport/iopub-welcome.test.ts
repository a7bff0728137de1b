// Protocol 5.4 (JEP 65): the kernel's IOPub is an XPUB socket and answers every subscription
// with a signed `iopub_welcome` whose content is `{subscription: topic}`, sent on that topic,
// so a client learns when its subscription is live instead of probing with kernel_info.
import * as zmq from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../../kernel/cli/run-notebook';
import { endpoint } from '../../../kernel/transport/connection';
import { createSigner, type Signer } from '../../../kernel/protocol/signing';
import { decodeFrames } from '../../../kernel/protocol/wire';
import type { JupyterMessage } from '../../../kernel/protocol/messages';

/** Subscribes a fresh SUB socket to `topic` and returns the first iopub_welcome it receives. */
async function welcomeFor(client: KernelClient, signer: Signer, topic: string): Promise<{ message: JupyterMessage; identities: string[] }> {
  const sub = new zmq.Subscriber({ linger: 0, receiveTimeout: 60_000 });
  try {
    sub.connect(endpoint(client.connection, client.connection.iopub_port));
    sub.subscribe(topic);
    for (;;) {
      const frames = await sub.receive();
      const d = decodeFrames(frames, signer);
      if (!d.ok) throw new Error(`undecodable iopub message: ${d.reason}`);
      if (d.message.header.msg_type === 'iopub_welcome') return { message: d.message, identities: d.message.identities.map((b) => Buffer.from(b).toString('utf8')) };
    }
  } finally {
    sub.close();
  }
}

describe('iopub_welcome on an XPUB iopub socket (real kernel process)', () => {
  let client: KernelClient;
  let signer: Signer;
  beforeAll(async () => {
    client = await KernelClient.launch({ argv: defaultKernelArgv(), startTimeoutMs: 120_000 });
    signer = createSigner(client.connection.key, client.connection.signature_scheme);
  }, 180_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  it('a SUB subscribing to everything gets a signed iopub_welcome with {subscription: ""} and no parent', async () => {
    const { message, identities } = await welcomeFor(client, signer, '');
    expect(message.content).toEqual({ subscription: '' });
    expect(message.parent_header).toEqual({});
    expect(message.header.session).toBeTypeOf('string');
    expect(identities).toEqual([]);
  }, 90_000);

  it('a topic subscription is welcomed on that topic', async () => {
    const { message, identities } = await welcomeFor(client, signer, 'kernel.');
    expect(message.content).toEqual({ subscription: 'kernel.' });
    expect(identities).toEqual(['kernel.']);
  }, 90_000);

  it('every client is welcomed, not only the first to subscribe to a topic; the kernel serves on', async () => {
    const first = await welcomeFor(client, signer, '');
    const second = await welcomeFor(client, signer, '');
    expect(first.message.content).toEqual({ subscription: '' });
    expect(second.message.content).toEqual({ subscription: '' });
    expect(second.message.header.msg_id).not.toBe(first.message.header.msg_id);
    expect((await client.execute('1 + 1')).reply.content.status).toBe('ok');
  }, 90_000);
});
