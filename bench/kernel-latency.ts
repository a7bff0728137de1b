/**
 * Kernel latency, enginelab beside ipykernel in one run on the same machine, both driven by the
 * same zeromq client (kernel/client): start to first kernel_info_reply, execute round trip of
 * `1 + 1` (median and p99 of 500), completion round trip, and a cell displaying a 1 MB payload.
 * Run: `npx tsx bench/kernel-latency.ts [--executes 500] [--starts 3]`. Goals (issue 2): execute
 * median <= ipykernel's (stretch 3 ms), start-to-ready < 1 s, completion median < 10 ms.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { KernelClient } from '../kernel/client/kernel-client';
import { defaultKernelArgv } from '../kernel/cli/run-notebook';

interface Peer {
  readonly name: string;
  readonly argv: string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly warmup: string;
  readonly complete: { readonly code: string; readonly expect: string };
  readonly displayMb: string;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

const numExecutes = arg('--executes', 500);
const numStarts = arg('--starts', 3);

function python(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) if (spawnSync(py, ['-c', 'import ipykernel'], { env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } }).status === 0) return py;
  return undefined;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function measure(peer: Peer) {
  const starts: number[] = [];
  for (let i = 0; i < numStarts; i++) {
    const c = await KernelClient.launch({ argv: peer.argv, env: peer.env ?? process.env, startTimeoutMs: 120_000 });
    starts.push(c.startMs);
    await c.shutdown();
  }
  const c = await KernelClient.launch({ argv: peer.argv, env: peer.env ?? process.env, startTimeoutMs: 120_000 });
  try {
    return await measureRunning(peer, c, starts);
  } finally {
    await c.shutdown();
  }
}

async function measureRunning(peer: Peer, c: KernelClient, starts: number[]) {
  const firstExecute = await time(() => c.execute(peer.warmup));
  for (let i = 0; i < 20; i++) await c.execute('1 + 1');
  const executes: number[] = [];
  for (let i = 0; i < numExecutes; i++) executes.push(await time(() => c.execute('1 + 1')));
  const completes: number[] = [];
  for (let i = 0; i < 5; i++) await c.request('shell', 'complete_request', { code: peer.complete.code, cursor_pos: peer.complete.code.length }).reply;
  let matches: unknown[] = [];
  for (let i = 0; i < 100; i++) {
    completes.push(
      await time(async () => {
        const r = await c.request('shell', 'complete_request', { code: peer.complete.code, cursor_pos: peer.complete.code.length }).reply;
        matches = r.content.matches as unknown[];
      }),
    );
  }
  if (!matches.includes(peer.complete.expect)) throw new Error(`${peer.name}: completion of ${peer.complete.code} lacks ${peer.complete.expect}`);
  const displays: number[] = [];
  for (let i = 0; i < 20; i++) {
    let numBytes = 0;
    displays.push(
      await time(async () => {
        const r = await c.execute(peer.displayMb);
        numBytes = String((r.outputs.find((m) => m.header.msg_type === 'display_data')?.content.data as Record<string, unknown> | undefined)?.['text/plain'] ?? '').length;
      }),
    );
    if (numBytes !== 1 << 20) throw new Error(`${peer.name}: the 1 MB display arrived with ${numBytes} characters`);
  }
  return { start: median(starts), firstExecute, execMedian: median(executes), execP99: quantile(executes, 0.99), complete: median(completes), display: median(displays) };
}

const peers: Peer[] = [
  {
    name: 'enginelab',
    argv: defaultKernelArgv(),
    warmup: 'const warm: number = 1; warm',
    complete: { code: 'Math.ma', expect: 'max' },
    displayMb: "display({ 'text/plain': 'x'.repeat(1 << 20) }, { raw: true })",
  },
];
const py = python();
if (py) {
  peers.push({
    name: 'ipykernel',
    argv: [py, '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
    warmup: 'import math; 1',
    complete: { code: 'math.fa', expect: 'factorial' },
    displayMb: "from IPython.display import display; display({'text/plain': 'x' * (1 << 20)}, raw=True)",
  });
} else console.log('ipykernel not found (apt install python3-ipykernel): measuring enginelab alone');

console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${numExecutes} executes, ${numStarts} starts`);
const results = new Map<string, Awaited<ReturnType<typeof measure>>>();
for (const p of peers) results.set(p.name, await measure(p));
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const rows: Array<[string, keyof Awaited<ReturnType<typeof measure>>, string]> = [
  ['start → first kernel_info_reply', 'start', '< 1000 ms'],
  ['first execute (lazy loading)', 'firstExecute', ''],
  ['execute 1 + 1, median', 'execMedian', "<= ipykernel's (stretch 3 ms)"],
  ['execute 1 + 1, p99', 'execP99', ''],
  ['complete_request, median', 'complete', '< 10 ms'],
  ['display 1 MB, median', 'display', ''],
];
const el = results.get('enginelab')!;
const ip = results.get('ipykernel');
const header = ['metric (ms)', 'enginelab', ...(ip ? ['ipykernel', 'ratio'] : []), 'goal'];
const table = rows.map(([label, key, goal]) => [label, el[key].toFixed(2), ...(ip ? [ip[key].toFixed(2), (el[key] / ip[key]).toFixed(2)] : []), goal]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
for (const r of [header, widths.map((w) => '-'.repeat(w)), ...table]) console.log(r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
