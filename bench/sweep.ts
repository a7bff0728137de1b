/**
 * Sweep throughput and the seed workload's wall times, side by side with the baseline commit
 * (d3ffb70, before sweeps) in one run. The seed workload is bench/simulate-serve.ts's: DeepSeek-R1
 * on 8×B200 TP8, MTP k = 3, random 1024/1024, concurrency 256, 1,280 prompts.
 *  - configs/s of `runSweep` with 1 and 2 worker threads over a grid of seed-workload configs
 *    (async on/off × two eras × concurrency 192/256), wall time including worker start-up, and the
 *    baseline's way of doing the same: a sequential `simulateServe` loop in one process;
 *  - the seed workload in process (median of runs after a warm-up) and through the CLI
 *    (`node bin/enginelab.mjs simulate …`, start-up included), here and at the baseline, which
 *    this script checks out with `git worktree add` (node_modules linked) and removes afterwards.
 * Goal (issue 14): a 1,000-config sweep of the seed workload in ≤ 3 min on this 2-core machine.
 * Run: npx tsx bench/sweep.ts [numPrompts=1280] [reps=3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandSweep, parseSweepSpec } from '../engine/index';
import { runSweep } from '../kernel/sweep/run-sweep';

const BASELINE = 'd3ffb70';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const numPrompts = Number(process.argv[2] ?? 1280);
const reps = Number(process.argv[3] ?? 3);

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config \'{"max_cudagraph_capture_size":2048}\' '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const BENCH = `vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 1024 --random-output-len 1024 --num-prompts ${numPrompts} --max-concurrency 256 --ignore-eos`;
const ENV = 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA';

const SPEC = {
  name: 'bench-seed', serve: SERVE, bench: BENCH, env: ENV,
  axes: [{ kind: 'grid', params: { '--async-scheduling': [true, false], era: ['report-2025-11-28', 'current'], '--max-concurrency': [192, 256] } }],
};

// Run in each tree by that tree's tsx: the seed workload in process, or a loop over given inputs.
const TIMER = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [tree, what, arg, repsText] = process.argv.slice(2);
const { simulateServe } = await import(pathToFileURL(join(tree, 'engine/index.ts')).href);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (what === 'seed') {
  const o = JSON.parse(arg);
  simulateServe({ ...o, bench: o.bench.replace(/--num-prompts \\d+/, '--num-prompts 64') });
  const ts = [];
  const cs = [];
  for (let i = 0; i < Number(repsText); i++) {
    const t0 = performance.now(); const c0 = process.cpuUsage();
    simulateServe(o);
    ts.push((performance.now() - t0) / 1000); const c = process.cpuUsage(c0); cs.push((c.user + c.system) / 1e6);
  }
  console.log(JSON.stringify({ seconds: median(ts), cpu: median(cs) }));
} else {
  const inputs = JSON.parse(readFileSync(arg, 'utf8'));
  const t0 = performance.now(); const c0 = process.cpuUsage();
  for (const x of inputs) simulateServe(x);
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 }));
}
`;

const scratch = mkdtempSync(join(tmpdir(), 'enginelab-bench-sweep-'));
const timer = join(scratch, 'timer.mjs');
writeFileSync(timer, TIMER);

interface Timing { readonly seconds: number; readonly cpu: number }

function inTree(tree: string, args: string[]): Timing {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [timer, tree, ...args], { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`timer in ${tree} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Timing;
}

function cliSeconds(tree: string): number {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(tree, 'bin/enginelab.mjs'), 'simulate', '--serve', `${SERVE} --async-scheduling`, '--bench', BENCH, '--env', ENV], { cwd: tree, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`enginelab simulate in ${tree} failed: ${r.stderr}`);
    ts.push((performance.now() - t0) / 1000);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]!;
}

const base = join(scratch, 'baseline');
const add = spawnSync('git', ['worktree', 'add', '--detach', base, BASELINE], { cwd: root, encoding: 'utf8' });
if (add.status !== 0) throw new Error(`git worktree add ${BASELINE} failed: ${add.stderr}`);
try {
  symlinkSync(join(root, 'node_modules'), join(base, 'node_modules'));
  symlinkSync(join(root, 'build'), join(base, 'build'));

  const configs = expandSweep(parseSweepSpec(SPEC));
  const inputsFile = join(scratch, 'inputs.json');
  writeFileSync(inputsFile, JSON.stringify(configs.map((c) => c.inputs)));
  const n = configs.length;

  const sweepRate: [string, Timing][] = [];
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    const c0 = process.cpuUsage(); // the process's CPU time, its worker threads included
    const r = await runSweep(SPEC, { workers, outDir: join(scratch, `sweep-${workers}`) });
    const c = process.cpuUsage(c0);
    if (r.numFailed > 0) throw new Error(`${r.numFailed} bench configs failed`);
    sweepRate.push([`runSweep, ${workers} worker${workers > 1 ? 's' : ''} (this tree)`, { seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 }]);
  }
  sweepRate.push([`sequential simulateServe loop (this tree)`, inTree(root, ['loop', inputsFile])]);
  sweepRate.push([`sequential simulateServe loop (${BASELINE})`, inTree(base, ['loop', inputsFile])]);

  const seed = (mode: string) => JSON.stringify({ serve: `${SERVE} ${mode}`, bench: BENCH, env: ENV });
  const cli = (tree: string): Timing => ({ seconds: cliSeconds(tree), cpu: NaN });
  const rows: [string, Timing, Timing][] = [
    ['seed workload in process, async (s, median)', inTree(root, ['seed', seed('--async-scheduling'), String(reps)]), inTree(base, ['seed', seed('--async-scheduling'), String(reps)])],
    ['seed workload in process, sync (s, median)', inTree(root, ['seed', seed('--no-async-scheduling'), String(reps)]), inTree(base, ['seed', seed('--no-async-scheduling'), String(reps)])],
    ['seed workload CLI wall incl. start-up, async (s, median)', cli(root), cli(base)],
  ];

  console.log(`workload: ${numPrompts} prompts, 1024/1024, MTP 3, DeepSeek-R1 on 8xB200; ${n} configs per sweep; ${reps} reps for medians`);
  // CPU seconds: what the wall time would be on idle cores (the shared machine is often oversubscribed).
  console.log('sweep                                              wall_s  cpu_s  configs/s  1000 configs (min)');
  for (const [what, t] of sweepRate) {
    console.log(`${what.padEnd(50)} ${t.seconds.toFixed(2).padStart(6)} ${t.cpu.toFixed(2).padStart(6)} ${(n / t.seconds).toFixed(2).padStart(10)} ${((1000 * t.seconds) / n / 60).toFixed(1).padStart(19)}`);
  }
  console.log(`\n${'measure'.padEnd(58)} ${'wall here'.padStart(9)} ${BASELINE.padStart(9)}  ratio   cpu here ${BASELINE.padStart(9)}`);
  for (const [what, here, then] of rows) {
    const cpu = Number.isNaN(here.cpu) ? '' : `   ${here.cpu.toFixed(2).padStart(8)} ${then.cpu.toFixed(2).padStart(9)}`;
    console.log(`${what.padEnd(58)} ${here.seconds.toFixed(2).padStart(9)} ${then.seconds.toFixed(2).padStart(9)}  ${(here.seconds / then.seconds).toFixed(2).padStart(5)}${cpu}`);
  }
} finally {
  spawnSync('git', ['worktree', 'remove', '--force', base], { cwd: root });
  rmSync(scratch, { recursive: true, force: true });
}
