/**
 * Kernel latency, enginelab beside ipykernel in one run on the same machine, both driven by the
 * same zeromq client (kernel/client).
 * Cold start (issue 18), each the median of --starts launches, for a fresh process and for the
 * process a restart starts (shutdown_request with restart, then a new process, as jupyter_client
 * does): spawn → first kernel_info_reply, spawn → execute_reply of `1+1` sent right after it,
 * the first completion's round trip (sent right after that reply), and the idle RSS once the
 * kernel has stopped using CPU (its warm-up done). Goals: 500 ms, 1000 ms, 500 ms, 200 MB.
 * Warm (issue 2): execute round trip of `1 + 1` (median and p99 of 500), completion round trip,
 * and a cell displaying a 1 MB payload. Goals: execute median <= ipykernel's (stretch 3 ms),
 * completion median < 10 ms.
 * Run: `npx tsx bench/kernel-latency.ts [--executes 500] [--starts 3] [--cold-only] [--baseline DIR]`;
 * --baseline adds the enginelab kernel of another checkout (e.g. /work/main before a change).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { KernelClient } from '../kernel/client/kernel-client';
import { defaultKernelArgv } from '../kernel/cli/run-notebook';

interface Peer {
  readonly name: string;
  readonly argv: string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly warmup: string;
  readonly complete: { readonly code: string; readonly expect: string };
  /** A bare-prefix completion for the first request (nothing imported yet). */
  readonly firstComplete: { readonly code: string; readonly expect: string };
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
const coldOnly = process.argv.includes('--cold-only');

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

function procStatus(pid: number, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

/** The process's CPU ticks (user + system), from /proc/PID/stat. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** RSS in MB once the process has used no CPU for a whole second (warm-up done), or after 60 s. */
async function idleRssMb(pid: number): Promise<number> {
  const deadline = performance.now() + 60_000;
  let last = cpuTicks(pid);
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuTicks(pid);
    if (now === last) break;
    last = now;
  }
  return procStatus(pid, 'VmRSS') / 1024;
}

interface ColdStart {
  readonly info: number;
  readonly execute: number;
  readonly complete: number;
  readonly rss: number;
}

/** One start: spawn → kernel_info → execute `1+1` → first completion → idle RSS. */
async function coldStart(peer: Peer, c: KernelClient, t0: number): Promise<ColdStart> {
  const info = c.startMs;
  const r = await c.execute('1+1');
  const execute = performance.now() - t0;
  const result = r.outputs.find((m) => m.header.msg_type === 'execute_result');
  if ((result?.content.data as Record<string, unknown> | undefined)?.['text/plain'] !== '2') throw new Error(`${peer.name}: 1+1 gave ${JSON.stringify(r.outputs.map((m) => m.content))}`);
  const tc = performance.now();
  const cr = await c.request('shell', 'complete_request', { code: peer.firstComplete.code, cursor_pos: peer.firstComplete.code.length }).reply;
  const complete = performance.now() - tc;
  if (!(cr.content.matches as unknown[]).includes(peer.firstComplete.expect)) throw new Error(`${peer.name}: first completion of ${peer.firstComplete.code} lacks ${peer.firstComplete.expect}`);
  return { info, execute, complete, rss: await idleRssMb(c.process.pid!) };
}

async function launch(peer: Peer): Promise<{ c: KernelClient; t0: number }> {
  const t0 = performance.now();
  const c = await KernelClient.launch({ argv: peer.argv, env: peer.env ?? process.env, startTimeoutMs: 120_000 });
  return { c, t0 };
}

/** --starts pairs of (fresh start, start after a restart). */
async function measureCold(peer: Peer): Promise<{ fresh: ColdStart; restarted: ColdStart }> {
  const fresh: ColdStart[] = [];
  const restarted: ColdStart[] = [];
  for (let i = 0; i < numStarts; i++) {
    const a = await launch(peer);
    fresh.push(await coldStart(peer, a.c, a.t0));
    // A restart: the old process is told so and exits; the client then starts a new one.
    await a.c.request('control', 'shutdown_request', { restart: true }).reply;
    await a.c.shutdown();
    const b = await launch(peer);
    restarted.push(await coldStart(peer, b.c, b.t0));
    await b.c.shutdown();
  }
  const med = (xs: ColdStart[]): ColdStart => ({ info: median(xs.map((x) => x.info)), execute: median(xs.map((x) => x.execute)), complete: median(xs.map((x) => x.complete)), rss: median(xs.map((x) => x.rss)) });
  return { fresh: med(fresh), restarted: med(restarted) };
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
    firstComplete: { code: 'Math.ma', expect: 'max' },
    displayMb: "display({ 'text/plain': 'x'.repeat(1 << 20) }, { raw: true })",
  },
];
const baselineAt = process.argv.indexOf('--baseline');
if (baselineAt >= 0) {
  const dir = process.argv[baselineAt + 1] ?? '';
  peers.push({ ...peers[0]!, name: `enginelab@${dir}`, argv: [process.execPath, `${dir}/bin/enginelab.mjs`, 'kernel', '-f', '{connection_file}'] });
}
const py = python();
if (py) {
  peers.push({
    name: 'ipykernel',
    argv: [py, '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
    warmup: 'import math; 1',
    complete: { code: 'math.fa', expect: 'factorial' },
    firstComplete: { code: 'pri', expect: 'print' },
    displayMb: "from IPython.display import display; display({'text/plain': 'x' * (1 << 20)}, raw=True)",
  });
} else console.log('ipykernel not found (apt install python3-ipykernel): measuring enginelab alone');

console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${numExecutes} executes, ${numStarts} starts`);
const cold = new Map<string, Awaited<ReturnType<typeof measureCold>>>();
for (const p of peers) cold.set(p.name, await measureCold(p));
const results = new Map<string, Awaited<ReturnType<typeof measure>>>();
if (!coldOnly) for (const p of peers) if (!p.name.startsWith('enginelab@')) results.set(p.name, await measure(p));
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

function printTable(header: string[], table: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  for (const r of [header, widths.map((w) => '-'.repeat(w)), ...table]) console.log(r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

const coldRows: Array<[string, keyof ColdStart, string]> = [
  ['start → first kernel_info_reply (ms)', 'info', '<= 500'],
  ['start → execute_reply of 1+1 (ms)', 'execute', '<= 1000'],
  ['first complete_request (ms)', 'complete', '<= 500'],
  ['idle RSS (MB)', 'rss', '<= 200'],
];
const elCold = cold.get('enginelab')!;
const ipCold = cold.get('ipykernel');
console.log(`\ncold start, median of ${numStarts}`);
const base = [...cold.keys()].find((n) => n.startsWith('enginelab@'));
const baseCold = base === undefined ? undefined : cold.get(base)!;
printTable(['metric', 'enginelab', ...(ipCold ? ['ipykernel', 'ratio'] : []), ...(baseCold ? ['baseline', 'ratio'] : []), 'goal'], (['fresh', 'restarted'] as const).flatMap((when) => coldRows.map(([label, key, goal]) => [
  `${label}, ${when === 'fresh' ? 'new process' : 'after restart'}`, elCold[when][key].toFixed(0),
  ...(ipCold ? [ipCold[when][key].toFixed(0), (elCold[when][key] / ipCold[when][key]).toFixed(2)] : []),
  ...(baseCold ? [baseCold[when][key].toFixed(0), (elCold[when][key] / baseCold[when][key]).toFixed(2)] : []),
  goal,
])));
if (base !== undefined) console.log(`baseline: ${base}`);
if (coldOnly) process.exit(0);

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
console.log('\nwarm');
printTable(['metric (ms)', 'enginelab', ...(ip ? ['ipykernel', 'ratio'] : []), 'goal'], rows.map(([label, key, goal]) => [label, el[key].toFixed(2), ...(ip ? [ip[key].toFixed(2), (el[key] / ip[key]).toFixed(2)] : []), goal]));
