/**
 * Control-channel latency, enginelab beside ipykernel in one run on the same machine, both driven
 * by the same zeromq client (kernel/client): p50/p99 of a kernel_info_request round trip on
 * control while the shell is (a) idle, (b) busy in an endless loop, (c) in a display flood; and
 * the time from interrupt_request to the flooding cell's execute_reply. Goal (issue 17): control
 * answers within 2 s whatever the shell does.
 * Run: `npx tsx bench/control-latency.ts [--requests 200] [--interrupts 5]`.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { KernelClient } from '../kernel/client/kernel-client';
import { defaultKernelArgv } from '../kernel/cli/run-notebook';

interface Peer {
  readonly name: string;
  readonly argv: string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly busy: string;
  readonly flood: string;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

const numRequests = arg('--requests', 200);
const numInterrupts = arg('--interrupts', 5);

function python(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) if (spawnSync(py, ['-c', 'import ipykernel'], { env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } }).status === 0) return py;
  return undefined;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function controlRoundTrips(c: KernelClient, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await c.request('control', 'kernel_info_request', {}).reply;
    out.push(performance.now() - t);
  }
  return out;
}

/** Starts `code`; resolves once it has published `numOutputs` outputs (0: once it started). */
function startCell(c: KernelClient, code: string, numOutputs: number) {
  let seen = 0;
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  // stop_on_error off: ipykernel aborts an execute that arrives right after an interrupted cell.
  const done = c.execute(code, {
    stopOnError: false,
    timeoutMs: 600_000,
    onOutput: (m) => {
      if (m.header.msg_type === 'execute_input') {
        if (numOutputs === 0) setTimeout(started, 200); // let the loop get going
      } else if (++seen === numOutputs) started();
    },
  });
  // A cell that ends before it got going (aborted, failed) must not leave the bench waiting.
  const running = Promise.race([startedP, done.then((r) => Promise.reject(new Error(`the cell ended (${String(r.reply.content.status)}) before it got going`)))]);
  return { running, done };
}

async function interruptToReply(c: KernelClient, cell: ReturnType<typeof startCell>): Promise<number> {
  await cell.running;
  const t = performance.now();
  await c.interrupt();
  const r = await cell.done;
  if (r.reply.content.status !== 'error') throw new Error(`interrupted cell replied ${String(r.reply.content.status)}`);
  return performance.now() - t;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function measure(peer: Peer) {
  const c = await KernelClient.launch({ argv: peer.argv, env: peer.env ?? process.env, startTimeoutMs: 120_000 });
  progress(`${peer.name}: started`);
  try {
    await c.execute('1');
    await controlRoundTrips(c, 20);
    const idle = await controlRoundTrips(c, numRequests);
    const busyCell = startCell(c, peer.busy, 0);
    await busyCell.running;
    progress(`${peer.name}: busy`);
    const busy = await controlRoundTrips(c, numRequests);
    const busyInterrupt = await interruptToReply(c, busyCell);
    progress(`${peer.name}: busy loop interrupted`);
    const floodCell = startCell(c, peer.flood, 200);
    await floodCell.running;
    progress(`${peer.name}: flooding`);
    const flood = await controlRoundTrips(c, numRequests);
    const floodInterrupts = [await interruptToReply(c, floodCell)];
    for (let i = 1; i < numInterrupts; i++) floodInterrupts.push(await interruptToReply(c, startCell(c, peer.flood, 200)));
    if ((await c.execute('1')).reply.content.status !== 'ok') throw new Error(`${peer.name} does not execute after the interrupts`);
    return { idle, busy, flood, busyInterrupt, floodInterrupts };
  } finally {
    await c.shutdown();
  }
}

const peers: Peer[] = [{ name: 'enginelab', argv: defaultKernelArgv(), busy: 'for (;;) {}', flood: 'let i = 0; for (;;) display(i++)' }];
const py = python();
if (py) {
  peers.push({
    name: 'ipykernel',
    argv: [py, '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
    busy: 'while True: pass',
    flood: 'from IPython.display import display\ni = 0\nwhile True:\n    display(i)\n    i += 1',
  });
} else console.log('ipykernel not found (apt install python3-ipykernel): measuring enginelab alone');

console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${numRequests} control requests per state, ${numInterrupts} flood interrupts`);
const results = new Map<string, Awaited<ReturnType<typeof measure>>>();
for (const p of peers) results.set(p.name, await measure(p));
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const rows: Array<[string, (r: Awaited<ReturnType<typeof measure>>) => number, string]> = [
  ['control kernel_info, shell idle, p50', (r) => quantile(r.idle, 0.5), ''],
  ['control kernel_info, shell idle, p99', (r) => quantile(r.idle, 0.99), '< 2000'],
  ['control kernel_info, busy loop, p50', (r) => quantile(r.busy, 0.5), ''],
  ['control kernel_info, busy loop, p99', (r) => quantile(r.busy, 0.99), '< 2000'],
  ['control kernel_info, display flood, p50', (r) => quantile(r.flood, 0.5), ''],
  ['control kernel_info, display flood, p99', (r) => quantile(r.flood, 0.99), '< 2000'],
  ['interrupt → execute_reply, busy loop', (r) => r.busyInterrupt, '< 2000'],
  ['interrupt → execute_reply, display flood, p50', (r) => quantile(r.floodInterrupts, 0.5), ''],
  ['interrupt → execute_reply, display flood, max', (r) => Math.max(...r.floodInterrupts), '< 2000'],
];
const el = results.get('enginelab')!;
const ip = results.get('ipykernel');
const header = ['metric (ms)', 'enginelab', ...(ip ? ['ipykernel', 'ratio'] : []), 'goal'];
const table = rows.map(([label, f, goal]) => [label, f(el).toFixed(2), ...(ip ? [f(ip).toFixed(2), (f(el) / f(ip)).toFixed(2)] : []), goal]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
for (const r of [header, widths.map((w) => '-'.repeat(w)), ...table]) console.log(r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
