/**
 * The tornado and the ensemble of notebook 06, timed: report-era async ÷ sync output throughput of
 * DeepSeek-R1 on 8×B200 (MTP 3) with every assumed knob varied alone, then an ensemble of all knobs
 * together, on the reduced workload the notebook uses (640 prompts, 1024 in / 512 out, concurrency
 * 256) or on the full seed workload (`full`: 1,280 prompts, 1024 / 1024).
 * Run: npx tsx bench/sensitivity.ts [reduced|full] [samples]
 */
import { ASYNC_VS_SYNC, ensemble, formatKnobValue, sensitivity, throughputRatio } from '../engine/index';

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config \'{"max_cudagraph_capture_size":2048}\' '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const full = process.argv[2] === 'full';
const samples = Number(process.argv[3] ?? 40);
const BENCH = `vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 1024 --random-output-len ${full ? 1024 : 512} --num-prompts ${full ? 1280 : 640} --max-concurrency 256 --ignore-eos`;
const run = { serve: SERVE, bench: BENCH, env: 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA', set: { era: 'report-2025-11-28' }, variants: ASYNC_VS_SYNC };
const metric = throughputRatio('async', 'sync');
const slower = (m: number) => m < 1;

let t0 = performance.now();
const s = sensitivity(run, { metric, conclusion: slower });
const tSens = (performance.now() - t0) / 1000;
console.log(`workload: ${full ? 'full seed (1280 prompts, 1024/1024)' : 'reduced (640 prompts, 1024/512)'}, concurrency 256, report era`);
console.log(`sensitivity: ${s.numEvaluations} evaluations (${2 * s.numEvaluations} runs) in ${tSens.toFixed(1)} s wall; base async/sync = ${s.metricBase.toFixed(3)}; flips: ${s.flips.join(', ') || 'none'}`);
for (const r of s.rows) console.log(`  ${r.knob.padEnd(30)} ${formatKnobValue(r.low).padStart(16)} → ${r.metricLow.toFixed(3)}   ${formatKnobValue(r.high).padStart(16)} → ${r.metricHigh.toFixed(3)}   swing ${r.swing.toFixed(3)}`);
t0 = performance.now();
const e = ensemble(run, { samples, seed: 1, metric, conclusion: slower });
const tEns = (performance.now() - t0) / 1000;
console.log(`ensemble: ${samples} samples (${2 * samples} runs) in ${tEns.toFixed(1)} s wall; mean ${e.mean.toFixed(3)}, p5 ${e.quantiles.p5.toFixed(3)}, p50 ${e.quantiles.p50.toFixed(3)}, p95 ${e.quantiles.p95.toFixed(3)}`);
console.log(`async slower than sync in ${(100 * e.share!).toFixed(0)} % of plausible settings (${e.numHolding} of ${e.numSamples})`);
