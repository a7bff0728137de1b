/**
 * Times the simulated `vllm bench serve` of the DeepSeek-R1 report's full workload (1,280 prompts,
 * random 1024/1024, max concurrency 256, MTP k = 3, 8×B200 TP8) through the engine with the
 * roofline cost model, sync vs async, in the report's era and in current vLLM. Goal: each run
 * under 2 s of wall time. Prints wall time, process CPU time (the wall time an idle core would
 * give; the shared machine is often oversubscribed), simulated time, simulated/wall, and output
 * throughput.
 * Run: npx tsx bench/simulate-serve.ts [numPrompts]
 */
import { simulateServe } from '../engine/index';

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config \'{"max_cudagraph_capture_size":2048}\' '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const numPrompts = Number(process.argv[2] ?? 1280);
const BENCH = `vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 1024 --random-output-len 1024 --num-prompts ${numPrompts} --max-concurrency 256 --ignore-eos`;
const ENV = 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA';

// Warm the JIT on a small run so the timed runs measure steady-state code.
simulateServe({ serve: `${SERVE} --async-scheduling`, bench: BENCH.replace(/--num-prompts \d+/, '--num-prompts 64'), env: ENV });

const rows: string[] = [];
for (const era of ['report-2025-11-28', 'current']) {
  for (const mode of ['--no-async-scheduling', '--async-scheduling']) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = simulateServe({ serve: `${SERVE} ${mode}`, bench: BENCH, env: ENV, set: { era } });
    const wall = (performance.now() - t0) / 1000;
    const c1 = process.cpuUsage(c0);
    // CPU time of this process: what the wall time would be on an otherwise idle core.
    const cpu = (c1.user + c1.system) / 1e6;
    rows.push([
      era.padEnd(18), (r.engineConfig.asyncScheduling ? 'async' : 'sync').padEnd(6), wall.toFixed(2).padStart(7), cpu.toFixed(2).padStart(6), r.simulatedSeconds.toFixed(1).padStart(9),
      (r.simulatedSeconds / wall).toFixed(1).padStart(8), r.metrics.outputThroughput.toFixed(0).padStart(9), String(r.numSteps).padStart(6),
    ].join(' '));
  }
}
console.log(`workload: ${numPrompts} prompts, 1024/1024, concurrency 256, MTP 3, DeepSeek-R1 on 8xB200`);
console.log('era                mode   wall_s  cpu_s  simulated_s  sim/wall  out_tok/s  steps');
for (const r of rows) console.log(r);
