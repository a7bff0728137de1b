// The project's own zeromq client (what `enginelab run` and the benches drive) answers a cell's
// `input()`: its shell and stdin sockets share one routing id, so the kernel's input_request,
// addressed to the shell request's sender, reaches the client's stdin socket.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../../kernel/cli/run-notebook';

const repo = resolve(__dirname, '../../..');
let client: KernelClient;
const prompts: string[] = [];

beforeAll(async () => {
  client = await KernelClient.launch({ argv: defaultKernelArgv(), cwd: repo, startTimeoutMs: 120_000 });
  client.onInput = (prompt) => {
    prompts.push(prompt);
    return `answer ${prompts.length}`;
  };
}, 180_000);
afterAll(async () => {
  await client?.shutdown();
});

describe('KernelClient and input()', () => {
  it('a cell awaiting input() gets the client\'s answer, twice in a row', async () => {
    const r = await client.execute('const a = await input("first?"); const b = await input("second?"); `${a} / ${b}`', { allowStdin: true, timeoutMs: 120_000 });
    expect(r.reply.content).toMatchObject({ status: 'ok' });
    const res = r.outputs.find((m) => m.header.msg_type === 'execute_result');
    expect((res?.content.data as Record<string, unknown>)['text/plain']).toBe("'answer 1 / answer 2'");
    expect(prompts).toEqual(['first?', 'second?']);
  }, 180_000);
});
