/**
 * Start-up of the `enginelab` command, side by side in one run: this checkout from its
 * install-time bundle (dist/cli), the same checkout through tsx (ENGINELAB_NO_BUNDLE=1), and
 * optionally another checkout (--baseline DIR, e.g. /work/main before the bundle). Each runs
 * `simulate` of a tiny workload (2 requests, 16/4 tokens: start-up is all there is to it) and of
 * the seed workload (1,280 requests, 1024/1024, concurrency 256, MTP 3, R1 on 8×B200, the lines of
 * bench/simulate-serve.ts), reporting the median wall time and CPU time (user + system, from
 * /usr/bin/time) of --runs runs. Goal (issue 14): the seed workload ≤ 0.8 s wall including start-up.
 * Run: `npx tsx bench/cli-startup.ts [--runs 5] [--baseline DIR] [--no-seed]`.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config \'{"max_cudagraph_capture_size":2048}\' '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const SEED = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 1024 --random-output-len 1024 --num-prompts 1280 --max-concurrency 256 --ignore-eos';
const TINY = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 16 --random-output-len 4 --num-prompts 2 --max-concurrency 2 --ignore-eos';

const runsAt = process.argv.indexOf('--runs');
const numRuns = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 5;
const baselineAt = process.argv.indexOf('--baseline');
const here = resolve(new URL('..', import.meta.url).pathname);

interface Variant {
  readonly name: string;
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
}

const variants: Variant[] = [
  { name: 'bundle', bin: `${here}/bin/enginelab.mjs`, env: {} },
  { name: 'tsx (no bundle)', bin: `${here}/bin/enginelab.mjs`, env: { ENGINELAB_NO_BUNDLE: '1' } },
];
if (baselineAt >= 0) variants.push({ name: `baseline ${process.argv[baselineAt + 1]}`, bin: `${resolve(process.argv[baselineAt + 1] ?? '.')}/bin/enginelab.mjs`, env: {} });

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall and CPU seconds of `simulate --bench bench`, and its stdout (the same for every variant). */
function time(v: Variant, bench: string): { wall: number; cpu: number; out: string } {
  const walls: number[] = [];
  const cpus: number[] = [];
  let out = '';
  for (let i = 0; i < numRuns; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, v.bin, 'simulate', '--serve', SERVE, '--bench', bench], { encoding: 'utf8', env: { ...process.env, ...v.env } });
    if (r.status !== 0) throw new Error(`${v.name}: exit ${r.status}\n${r.stderr}`);
    const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
    if (!m) throw new Error(`${v.name}: no timing in ${r.stderr}`);
    walls.push(Number(m[1]));
    cpus.push(Number(m[2]) + Number(m[3]));
    out = r.stdout;
  }
  return { wall: median(walls), cpu: median(cpus), out };
}

console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; median of ${numRuns} runs`);
const workloads: Array<[string, string]> = [['tiny (2 requests)', TINY], ...(process.argv.includes('--no-seed') ? [] : [['seed (1,280 requests)', SEED] as [string, string]])];
const rows: string[][] = [];
for (const [label, bench] of workloads) {
  // The bundle and the tsx path run the same sources and must print the same; a baseline checkout may differ.
  const outs = new Set<string>();
  for (const v of variants) {
    const t = time(v, bench);
    if (!v.name.startsWith('baseline')) outs.add(t.out);
    rows.push([label, v.name, t.wall.toFixed(2), t.cpu.toFixed(2)]);
  }
  if (outs.size !== 1) console.log(`warning: ${label}: the bundle and the tsx path printed different summaries`);
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const header = ['workload', 'command', 'wall_s', 'cpu_s'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [header, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
