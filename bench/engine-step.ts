/**
 * Scheduler throughput: 1,280 requests, 1,024-token prompts, 1,024 output tokens (ignore_eos),
 * at most 256 running (max_num_seqs 256; all requests queued up front), synthetic executor, no
 * cost model. Reports request-steps per second and the whole run's wall time (goal < 1 s), for
 * the sync and the async loop side by side, with prefix caching off and on.
 * Run: npx tsx bench/engine-step.ts [repeats]
 */
import { performance } from 'node:perf_hooks';
import { createEngine, type PartialEngineConfig } from '../engine/index';

interface Result {
  readonly label: string;
  readonly wallMs: number;
  /** CPU time of this process during the run (user + system): robust to other load on the machine. */
  readonly cpuMs: number;
  readonly steps: number;
  readonly requestSteps: number;
  readonly generated: number;
}

function runOnce(label: string, config: PartialEngineConfig): Result {
  const engine = createEngine(config, { costModel: null });
  for (let i = 0; i < 1280; i++) engine.addRequest({ promptLen: 1024, maxTokens: 1024, ignoreEos: true });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let steps = 0;
  while (engine.hasWork()) {
    engine.step();
    steps++;
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  const s = engine.stats;
  if (s.numFinished !== 1280 || s.numGeneratedTokens !== 1280 * 1024) throw new Error(`${label}: run incomplete (${s.numFinished} finished)`);
  return { label, wallMs, cpuMs, steps, requestSteps: s.numRequestSteps, generated: s.numGeneratedTokens };
}

const base: PartialEngineConfig = {
  maxNumSeqs: 256,
  maxNumBatchedTokens: 8192,
  maxModelLen: 2176,
  blockSize: 16,
  // 256 × 2,048 tokens / 16 = 32,768 blocks + the null block: no preemption at full concurrency.
  numGpuBlocks: 32769,
};

const repeats = Number(process.argv[2] ?? 1);
const cases: [string, PartialEngineConfig][] = [
  ['sync, prefix caching off', { ...base, enablePrefixCaching: false }],
  ['async, prefix caching off', { ...base, enablePrefixCaching: false, asyncScheduling: true }],
  ['sync, prefix caching on', { ...base, enablePrefixCaching: true }],
  ['async + MTP k=3, caching off', { ...base, enablePrefixCaching: false, asyncScheduling: true, speculative: { method: 'mtp', numSpeculativeTokens: 3 } }],
];

runOnce('warm-up', cases[0]![1]);
for (const [label, cfg] of cases) {
  // Best of `repeats` runs (argv[2], default 1): the machine may be shared.
  let r = runOnce(label, cfg);
  for (let i = 1; i < repeats; i++) {
    const again = runOnce(label, cfg);
    if (again.wallMs < r.wallMs) r = again;
  }
  const rate = r.requestSteps / (r.wallMs / 1000);
  console.log(`${label.padEnd(30)} wall ${r.wallMs.toFixed(0).padStart(5)} ms  cpu ${r.cpuMs.toFixed(0).padStart(5)} ms  steps ${String(r.steps).padStart(5)}  request-steps ${r.requestSteps}  → ${(rate / 1e6).toFixed(2)} M request-steps/s`);
}
