/**
 * Times the simulated `vllm bench serve` of the DeepSeek-R1 report's full workload (1,280 prompts,
 * random 1024/1024, max concurrency 256, MTP k = 3, 8×B200 TP8) through the engine with the
 * roofline cost model, sync vs async, in the report's era and in current vLLM, side by side with
 * the same runs of a baseline commit (issue 14's goal: ≤ 0.3 s in process). Prints wall time,
 * process CPU time (the wall time an idle core would give; the shared machine is often
 * oversubscribed), simulated time, output throughput, steps, and a fingerprint (SHA-256 of the
 * metrics, timeline, per-request timings and spec-decode counters) that must equal the baseline's:
 * a speed-up may not change one simulated number.
 * Run: npx tsx bench/simulate-serve.ts [numPrompts] [--repeat N] [--baseline COMMIT] [--no-baseline]
 * Each of the four runs is repeated N times (default 3), reporting the least wall and CPU time.
 * The baseline runs in a child process from a temporary `git worktree` of COMMIT (default fb22f51)
 * in /tmp, whose node_modules is a link to this tree's.
 * Internal: `--root DIR --json` runs the four timings against DIR's engine and prints JSON rows.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Row { era: string; mode: string; wall: number; cpu: number; simulated: number; outTokS: number; steps: number; fingerprint: string }

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const numPrompts = Number(argv.find((a, i) => /^\d+$/.test(a) && !argv[i - 1]?.startsWith('--')) ?? 1280);
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(flag('--root') ?? here);
/** Each run is repeated; the fastest wall and CPU times are reported (the machine is shared). */
const repeat = Number(flag('--repeat') ?? 3);

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config \'{"max_cudagraph_capture_size":2048}\' '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const BENCH = `vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 1024 --random-output-len 1024 --num-prompts ${numPrompts} --max-concurrency 256 --ignore-eos`;
const ENV = 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA';

/** Everything simulated that a reader of the result sees; equal fingerprints mean equal results. */
function fingerprint(r: { metrics: unknown; timeline: unknown; outputs: unknown; specDecode: unknown; numSteps: number; simulatedSeconds: number }): string {
  const text = JSON.stringify([r.metrics, r.timeline, r.outputs, r.specDecode, r.numSteps, r.simulatedSeconds]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

async function timeRuns(engineRoot: string): Promise<Row[]> {
  const { simulateServe } = await import(join(engineRoot, 'engine/index.ts')) as typeof import('../engine/index');
  // Warm the JIT on a small run so the timed runs measure steady-state code.
  simulateServe({ serve: `${SERVE} --async-scheduling`, bench: BENCH.replace(/--num-prompts \d+/, '--num-prompts 64'), env: ENV });
  const rows: Row[] = [];
  for (const era of ['report-2025-11-28', 'current']) {
    for (const mode of ['--no-async-scheduling', '--async-scheduling']) {
      let wall = Infinity;
      let cpu = Infinity;
      const prints = new Set<string>();
      let r: ReturnType<typeof simulateServe> | undefined;
      for (let i = 0; i < repeat; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        r = simulateServe({ serve: `${SERVE} ${mode}`, bench: BENCH, env: ENV, set: { era } });
        wall = Math.min(wall, (performance.now() - t0) / 1000);
        const c1 = process.cpuUsage(c0);
        cpu = Math.min(cpu, (c1.user + c1.system) / 1e6);
        prints.add(fingerprint(r));
      }
      rows.push({
        era, mode: r!.engineConfig.asyncScheduling ? 'async' : 'sync', wall, cpu, simulated: r!.simulatedSeconds,
        outTokS: r!.metrics.outputThroughput, steps: r!.numSteps, fingerprint: prints.size === 1 ? [...prints][0]! : 'NOT-REPEATABLE',
      });
    }
  }
  return rows;
}

/** A worktree of `commit` in /tmp sharing this tree's node_modules; reused when it exists. */
function baselineTree(commit: string): string {
  const dir = `/tmp/enginelab-bench-baseline-${commit}`;
  if (!existsSync(join(dir, 'engine/index.ts'))) execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', '--force', dir, commit], { stdio: 'ignore' });
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(realpathSync(join(here, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

function baselineRows(commit: string): Row[] {
  const dir = baselineTree(commit);
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'bench/simulate-serve.ts'), String(numPrompts), '--root', dir, '--json', '--repeat', String(repeat)],
    { cwd: here, encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as Row[];
}

const f = (x: number, d: number, w: number): string => x.toFixed(d).padStart(w);

if (argv.includes('--json')) {
  console.log(JSON.stringify(await timeRuns(root)));
} else {
  // fb22f51: main just before the engine-speed merge, on the same (second) H100 calibration, so the
  // fingerprints must match; d3ffb70 (the session's start) predates that calibration.
  const commit = flag('--baseline') ?? 'fb22f51';
  const mine = await timeRuns(root);
  const base = argv.includes('--no-baseline') ? null : baselineRows(commit);
  console.log(`workload: ${numPrompts} prompts, 1024/1024, concurrency 256, MTP 3, DeepSeek-R1 on 8xB200`);
  console.log(`this tree vs baseline ${base === null ? '(none)' : commit} (baseline in a child process, run after this tree's); best of ${repeat} runs each`);
  console.log('era                mode   wall_s  cpu_s  base_wall  base_cpu  cpu_ratio  simulated_s  out_tok/s  steps  fingerprint       same');
  let allSame = true;
  mine.forEach((m, i) => {
    const b = base?.[i];
    const same = b === undefined ? '-' : (b.fingerprint === m.fingerprint && b.steps === m.steps && b.simulated === m.simulated ? 'yes' : 'NO');
    if (same === 'NO') allSame = false;
    console.log([
      m.era.padEnd(18), m.mode.padEnd(6), f(m.wall, 3, 7), f(m.cpu, 3, 6), b ? f(b.wall, 3, 10) : '         -', b ? f(b.cpu, 3, 9) : '        -',
      b ? f(b.cpu / m.cpu, 2, 10) : '         -', f(m.simulated, 3, 12), f(m.outTokS, 0, 10), String(m.steps).padStart(6), m.fingerprint.padStart(17), same.padStart(5),
    ].join(' '));
  });
  if (!allSame) { console.log('SIMULATED RESULTS DIFFER FROM THE BASELINE'); process.exitCode = 1; }
}
