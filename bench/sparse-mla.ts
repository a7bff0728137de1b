/**
 * bench/sparse-mla: one decode step of DeepSeek V4-Flash sparse MLA attention (64 heads,
 * 512 compressed + 128 SWA candidates, head dim 512, fp32, sink merge) and one prefill chunk
 * (the same per query token), timed side by side in one run with NumPy on OpenBLAS doing the
 * same math on the same inputs (bench/sparse_mla_numpy.py, Debian /usr/bin/python3). Ours runs
 * four ways: the WebAssembly kernels on 1 thread and on --threads threads (worker_threads), and
 * the native AVX2 kernels (native/sparse-mla, built by `npm run build:native`) on 1 and on
 * --threads threads, in place on the same wasm memory. Rounds are interleaved (the four of ours,
 * then NumPy) so load on the machine hits all alike. Our KV pools are resident in the kernels'
 * memory (allocateSparseMlaKv) and rows are gathered per step inside WebAssembly (for the native
 * runs too); NumPy gathers from its arrays. Reports per-step medians and minima, GFLOP/s
 * (4·H·N·D per token) and the ratio NumPy time / our time (> 1: we are faster). Every one of our
 * paths is cross-checked against NumPy's output, wasm and native against the float64 reference.
 *
 *   npx tsx bench/sparse-mla.ts [--rounds 7] [--prefill-tokens 64] [--threads 2] [--json out.json]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';

// Node 20 keeps relaxed SIMD (FMA) behind a flag; set it before the engine compiles the kernels.
setFlagsFromString('--experimental-wasm-relaxed-simd');
const E = await import('../engine/index');
const { createThreadedHeadRunner } = await import('./sparse-mla-threads');
const { loadNativeHeadRunner } = await import('../kernel/native/sparse-mla-native');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}
const ROUNDS = arg('rounds', 7);
const PREFILL_TOKENS = arg('prefill-tokens', 64);
const THREADS = arg('threads', 2);
const jsonAt = process.argv.indexOf('--json');
const JSON_OUT = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;
const PYTHON = process.env['SPARSE_MLA_PYTHON'] ?? '/usr/bin/python3';

const H = 64;
const D = 512;
const TOPK = 512;
const WINDOW = 128;
const COMPRESSED_ROWS = 4096;
const SWA_ROWS = 1024;

interface Problem {
  name: string;
  args: Parameters<typeof E.sparseMlaAttentionFast>[0];
  flopsPerStep: number;
  iters: number;
}

/** V4-Flash-shaped problem: per token 512 distinct compressed slots and a 128-slot SWA window. */
function makeProblem(name: string, T: number, seed: number, iters: number): Problem {
  const rng = new E.Rng(seed);
  const bf16 = (x: number) => E.roundBf16(x);
  const q = new Float32Array(T * H * D).map(() => bf16(rng.normal()));
  // The KV pools live in the kernels' memory, as a KV cache lives in device memory; the candidate
  // rows are gathered from them on every step (NumPy gathers from its own copy likewise).
  const kvC = E.allocateSparseMlaKv(COMPRESSED_ROWS, D);
  const kvS = E.allocateSparseMlaKv(SWA_ROWS, D);
  for (const kv of [kvC, kvS]) for (let i = 0; i < kv.length; i++) kv[i] = bf16(rng.normal());
  const slotsC = new Int32Array(T * TOPK);
  const slotsS = new Int32Array(T * WINDOW);
  for (let t = 0; t < T; t++) {
    const perm = Int32Array.from({ length: COMPRESSED_ROWS }, (_, i) => i);
    for (let i = 0; i < TOPK; i++) {
      const j = i + rng.int(COMPRESSED_ROWS - i);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      slotsC[t * TOPK + i] = perm[i]!;
    }
    const start = (t * 7) % (SWA_ROWS - WINDOW);
    for (let i = 0; i < WINDOW; i++) slotsS[t * WINDOW + i] = start + i;
  }
  const sink = Float32Array.from({ length: H }, () => rng.normal());
  const args = {
    q, numHeads: H, headDim: D, scale: 1 / Math.sqrt(D), sink,
    subsets: [
      { kv: kvC, candidates: { slots: slotsC, lens: new Int32Array(T).fill(TOPK), width: TOPK } },
      { kv: kvS, candidates: { slots: slotsS, lens: new Int32Array(T).fill(WINDOW), width: WINDOW } },
    ],
  };
  return { name, args, flopsPerStep: 4 * T * H * (TOPK + WINDOW) * D, iters };
}

function writeProblems(dir: string, problems: Problem[]): void {
  const meta: Record<string, unknown> = {};
  for (const p of problems) {
    const a = p.args;
    const files: Record<string, string> = {};
    const put = (key: string, arr: Float32Array | Int32Array) => {
      const file = `${p.name}.${key}.bin`;
      const copy = arr.slice(); // a plain (not shared) buffer for the file system
      writeFileSync(join(dir, file), new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength));
      files[key] = file;
    };
    put('q', a.q as Float32Array);
    put('sink', a.sink as Float32Array);
    a.subsets.forEach((s, j) => {
      put(`kv${j}`, s.kv as Float32Array);
      put(`slots${j}`, s.candidates.slots);
      put(`lens${j}`, s.candidates.lens);
    });
    meta[p.name] = { T: a.subsets[0]!.candidates.lens.length, H, D, scale: a.scale, widths: a.subsets.map((s) => s.candidates.width), files };
  }
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ problems: meta }));
}

function startNumpy(dir: string) {
  const child = spawn(PYTHON, [join(import.meta.dirname, 'sparse_mla_numpy.py'), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async ask(cmd: string): Promise<any> {
      child.stdin.write(cmd + '\n');
      const { value, done } = await lines.next();
      if (done) throw new Error(`NumPy peer exited (${PYTHON}); is python3-numpy installed?`);
      const reply = JSON.parse(value);
      if (reply.error) throw new Error(reply.error);
      return reply;
    },
    close() {
      child.stdin.write('quit\n');
      child.stdin.end();
    },
  };
}

function timeBlock(f: () => void, iters: number): number {
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) f();
  return (performance.now() - t0) / iters;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const problems = [makeProblem('decode', 1, 1, 20), makeProblem('prefill', PREFILL_TOKENS, 2, 1)];
const dir = mkdtempSync(join(tmpdir(), 'enginelab-sparse-mla-'));
writeProblems(dir, problems);
const numpy = startNumpy(dir);
const threaded = await createThreadedHeadRunner(THREADS);
const native1 = loadNativeHeadRunner({ threads: 1 });
const nativeN = loadNativeHeadRunner({ threads: THREADS });
if (native1.runner === null) console.log(`native kernels unavailable: ${native1.reason}`);
/** Our runners in timing order (null: the engine's single-thread wasm runner). */
type Runner = Parameters<typeof E.setSparseMlaHeadRunner>[0];
const ours: Array<[key: string, label: string, runner: Runner]> = [
  ['single', 'wasm, 1 thread', null],
  ['threads', `wasm, ${THREADS} threads`, threaded],
  ...(native1.runner && nativeN.runner
    ? [['native1', 'native, 1 thread', native1.runner], ['nativeN', `native, ${THREADS} threads`, nativeN.runner]] as Array<[string, string, Runner]>
    : []),
];
try {
  const info = await numpy.ask('info');
  const loadBefore = loadavg()[0]!;
  const variant = E.loadSparseMlaWasm()?.variant ?? 'reference';

  // Correctness first: ours vs NumPy on both problems, and the fast path vs the float64 reference on decode.
  const check: Record<string, number> = {};
  for (const p of problems) {
    await numpy.ask(`out ${p.name}`);
    const theirs = new Float32Array(readFileSync(join(dir, `${p.name}.numpy_out.f32`)).buffer.slice(0));
    for (const [key, , runner] of ours) {
      if (key === 'single') continue; // same kernels and bits as the threaded wasm runner
      E.setSparseMlaHeadRunner(runner);
      const out = E.sparseMlaAttentionFast(p.args).out;
      let m = 0;
      for (let i = 0; i < out.length; i++) m = Math.max(m, Math.abs(out[i]! - theirs[i]!));
      check[`${p.name}_${key === 'threads' ? 'wasm' : key}_max_abs_vs_numpy`] = m;
    }
  }
  E.setSparseMlaHeadRunner(null);
  const ref = E.sparseMlaAttention(problems[0]!.args).out;
  const fast = E.sparseMlaAttentionFast(problems[0]!.args).out;
  check['decode_max_abs_fast_vs_f64_reference'] = ref.reduce((m, v, i) => Math.max(m, Math.abs(v - fast[i]!)), 0);
  if (nativeN.runner) {
    E.setSparseMlaHeadRunner(nativeN.runner);
    const native = E.sparseMlaAttentionFast(problems[0]!.args).out;
    E.setSparseMlaHeadRunner(null);
    check['decode_max_abs_native_vs_f64_reference'] = ref.reduce((m, v, i) => Math.max(m, Math.abs(v - native[i]!)), 0);
  }

  const times: Record<string, Record<string, number[]>> = {};
  for (const p of problems) times[p.name] = Object.fromEntries([...ours.map(([k]) => [k, [] as number[]]), ['numpy', []]]);
  // Warm-up (JIT, page faults, BLAS thread start), then interleaved rounds.
  for (const p of problems) {
    for (const [, , runner] of ours) {
      E.setSparseMlaHeadRunner(runner);
      timeBlock(() => E.sparseMlaAttentionFast(p.args), p.iters);
    }
    await numpy.ask(`run ${p.name} ${p.iters}`);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const p of problems) {
      for (const [key, , runner] of ours) {
        E.setSparseMlaHeadRunner(runner);
        times[p.name]![key]!.push(timeBlock(() => E.sparseMlaAttentionFast(p.args), p.iters));
      }
      times[p.name]!['numpy']!.push((await numpy.ask(`run ${p.name} ${p.iters}`)).ms);
    }
  }
  E.setSparseMlaHeadRunner(null);

  const results: Record<string, unknown> = {};
  console.log(`sparse-MLA V4-Flash attention (H=${H}, D=${D}, ${TOPK}+${WINDOW} candidates/token, fp32, sink merge); ` +
    `ours: ${variant} and ${native1.runner ? "native-avx2" : `no native (${native1.reason})`}; NumPy ${info.numpy} (${info.numpy_path}), BLAS ${info.blas_libraries.join(', ') || 'unknown'}; ${ROUNDS} interleaved rounds`);
  for (const p of problems) {
    const t = times[p.name]!;
    const row = (k: string) => ({ median_ms: median(t[k]!), min_ms: Math.min(...t[k]!), gflops_at_median: p.flopsPerStep / median(t[k]!) / 1e6 });
    const res = Object.fromEntries([...ours.map(([k]) => [k, row(k)]), ['numpy', row('numpy')]]);
    const ratio = Object.fromEntries(ours.map(([k]) => [k, res['numpy']!.median_ms / res[k]!.median_ms]));
    results[p.name] = { ...res, numpy_over_ours: ratio, tokens: p.args.subsets[0]!.candidates.lens.length };
    const f = (x: { median_ms: number; min_ms: number; gflops_at_median: number }) =>
      `${x.median_ms.toFixed(3).padStart(8)} ms (min ${x.min_ms.toFixed(3)}, ${x.gflops_at_median.toFixed(1)} GFLOP/s)`;
    console.log(`${p.name} (${p.args.subsets[0]!.candidates.lens.length} token${p.name === 'decode' ? '' : 's'}):`);
    for (const [k, label] of ours) console.log(`  ${(`ours, ${label}:`).padEnd(28)}${f(res[k]!)}   NumPy/ours = ${ratio[k]!.toFixed(2)}`);
    console.log(`  ${'NumPy (OpenBLAS):'.padEnd(28)}${f(res['numpy']!)}`);
  }
  const load = { before: loadBefore, after: loadavg()[0]!, cpus: cpus().length };
  console.log(`1-minute load average ${load.before.toFixed(1)} → ${load.after.toFixed(1)} on ${load.cpus} CPUs (timings are only comparable within one run)`);
  console.log('agreement:', Object.entries(check).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', '));
  const report = { bench: 'sparse-mla', variant, native: native1.reason ?? 'native-avx2', threads: THREADS, rounds: ROUNDS, numpy: info, load, results, agreement: check };
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(report, null, 1));
} finally {
  numpy.close();
  await threaded.close();
  rmSync(dir, { recursive: true, force: true });
}
