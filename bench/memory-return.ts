/**
 * Memory returned to the OS after a cell releases 2 GB, enginelab beside ipykernel (NumPy) in one
 * run, both driven by the same zeromq client: a cell allocates 2 GB in chunks of 16 MiB, 1 MiB
 * and 64 KiB (filled, so the pages are resident), the next cell drops them, and the kernel's
 * resident memory (/proc/PID/status VmRSS) is read 3 s later. enginelab runs twice: as the
 * kernelspec and `enginelab run` start it (KERNEL_PROCESS_ENV: glibc's mmap threshold fixed at
 * 64 KiB) and with the plain environment, to show what that setting buys.
 * Run: `npx tsx bench/memory-return.ts [--gib 2]`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { KernelClient } from '../kernel/client/kernel-client';
import { defaultKernelArgv } from '../kernel/cli/run-notebook';
import { KERNEL_PROCESS_ENV } from '../kernel/core/memory-hygiene';

const gibArg = process.argv.indexOf('--gib');
const gib = gibArg >= 0 ? Number(process.argv[gibArg + 1]) : 2;
if (!(gib > 0 && gib <= 8)) throw new Error('--gib must be in (0, 8]');
const CHUNKS_KIB = [16384, 1024, 64];

interface Peer {
  readonly name: string;
  readonly argv: string[];
  readonly env: NodeJS.ProcessEnv;
  readonly allocate: (n: number, chunkKiB: number) => string;
  readonly release: string;
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(peer: Peer): Promise<Array<{ chunk: string; before: number; held: number; after: number }>> {
  const c = await KernelClient.launch({ argv: peer.argv, env: peer.env, startTimeoutMs: 120_000 });
  const rows = [];
  try {
    const pid = c.process.pid!;
    await c.execute(peer.allocate(1, 64));
    await c.execute(peer.release);
    for (const chunkKiB of CHUNKS_KIB) {
      await sleep(3000);
      const before = rssMiB(pid);
      const n = Math.round((gib * 2 ** 20) / chunkKiB);
      const r = await c.execute(peer.allocate(n, chunkKiB));
      if (r.reply.content.status !== 'ok') throw new Error(`${peer.name}: allocation failed: ${JSON.stringify(r.reply.content)}`);
      const held = rssMiB(pid);
      await c.execute(peer.release);
      await sleep(3000);
      rows.push({ chunk: chunkKiB >= 1024 ? `${chunkKiB / 1024} MiB` : `${chunkKiB} KiB`, before, held, after: rssMiB(pid) });
    }
  } finally {
    await c.shutdown();
  }
  return rows;
}

const tsAllocate = (n: number, kib: number) => `var held: Float64Array[] = []; for (let i = 0; i < ${n}; i++) held.push(new Float64Array(${kib * 128}).fill(1)); held.length`;
const peers: Peer[] = [
  { name: 'enginelab (kernelspec env)', argv: defaultKernelArgv(), env: { ...process.env, ...KERNEL_PROCESS_ENV }, allocate: tsAllocate, release: 'held = []; 0' },
  { name: 'enginelab (plain env)', argv: defaultKernelArgv(), env: { ...process.env, GLIBC_TUNABLES: '' }, allocate: tsAllocate, release: 'held = []; 0' },
];
const py = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import ipykernel, numpy']).status === 0);
if (py) {
  peers.push({
    name: 'ipykernel + NumPy',
    argv: [py, '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
    allocate: (n, kib) => `import numpy as np\nheld = [np.ones(${kib * 128}) for _ in range(${n})]\nlen(held)`,
    release: 'held = []\n0',
  });
} else console.log('ipykernel with NumPy not found (apt install python3-ipykernel python3-numpy): measuring enginelab alone');

console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${gib} GiB per allocation`);
console.log(['kernel', 'chunk', 'RSS before (MiB)', 'held', '3 s after release', 'kept'].join(' | '));
for (const peer of peers) {
  for (const r of await measure(peer)) {
    console.log([peer.name, r.chunk, r.before.toFixed(0), r.held.toFixed(0), r.after.toFixed(0), (r.after - r.before).toFixed(0)].join(' | '));
  }
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
