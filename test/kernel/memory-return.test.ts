// Large releases go back to the OS: a cell that drops 1.5 GB of typed arrays (big and small
// chunks) leaves the kernel's resident memory near where it started once the kernel is idle,
// instead of holding it until some later allocation triggers a GC. The kernel runs as the
// kernelspec and `enginelab run` start it (KERNEL_PROCESS_ENV).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../kernel/client/kernel-client';
import { kernelJson } from '../../kernel/cli/install-kernelspec';
import { defaultKernelArgv } from '../../kernel/cli/run-notebook';
import { KERNEL_PROCESS_ENV, returnMemoryWhenIdle } from '../../kernel/core/memory-hygiene';

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let client: KernelClient;
beforeAll(async () => {
  client = await KernelClient.launch({ argv: defaultKernelArgv(), env: { ...process.env, ...KERNEL_PROCESS_ENV }, startTimeoutMs: 120_000 });
}, 180_000);
afterAll(async () => {
  await client?.shutdown();
});

describe('memory after a cell releases large typed arrays', () => {
  for (const [label, chunkKiB] of [['16 MiB', 16384], ['1 MiB', 1024], ['64 KiB', 64]] as const) {
    it(`1.5 GB in ${label} chunks: resident memory returns to within 250 MB of the start once idle`, async () => {
      const pid = client.process.pid!;
      await client.execute('1 + 1');
      await sleep(1500);
      const before = rssMiB(pid);
      const n = Math.round((1536 * 1024) / chunkKiB);
      const held = await client.execute(`var held: Float64Array[] = []; for (let i = 0; i < ${n}; i++) held.push(new Float64Array(${chunkKiB * 128}).fill(1)); held.length`);
      expect(held.reply.content.status).toBe('ok');
      expect(rssMiB(pid) - before).toBeGreaterThan(1200);
      await client.execute('held = []; "released"');
      let after = rssMiB(pid);
      for (let i = 0; i < 200 && after - before > 250; i++) {
        await sleep(100);
        after = rssMiB(pid);
      }
      expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB`).toBeLessThan(250);
    }, 120_000);
  }

  it('the kernelspec starts kernels with the same environment', () => {
    expect(kernelJson('enginelab').env).toEqual(KERNEL_PROCESS_ENV);
    expect(KERNEL_PROCESS_ENV.GLIBC_TUNABLES).toBe('glibc.malloc.mmap_threshold=65536');
  });
});

describe('returnMemoryWhenIdle', () => {
  it('collects once idle after an execute when array buffers are large, never for small ones or other requests', async () => {
    let numGcs = 0;
    let bytes = 300 * 2 ** 20;
    const after = returnMemoryWhenIdle({ gc: () => numGcs++, idleMs: 20, minIntervalMs: 0, arrayBufferBytes: () => bytes });
    after('kernel_info_request');
    await sleep(60);
    expect(numGcs).toBe(0);
    after('execute_request');
    after('execute_request'); // debounced: one collection per quiet period
    await sleep(80);
    expect(numGcs).toBe(1);
    bytes = 10 * 2 ** 20;
    after('execute_request');
    await sleep(80);
    expect(numGcs).toBe(1);
  });
});
