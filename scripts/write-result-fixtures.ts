/**
 * Writes fixtures/results/: result files in the exact layouts of vLLM's two writers, so readers
 * and notebooks load the real format. The numbers come from an enginelab simulation of a small
 * version of the DeepSeek-R1 report workload (16 prompts, 256 in / 64 out) — they are fixtures,
 * not measurements. Run: `npx tsx scripts/write-result-fixtures.ts` (deterministic output).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateServe } from '../engine/index';

const dir = join(import.meta.dirname, '..', 'fixtures', 'results');
const SERVE = String.raw`export VLLM_ATTENTION_BACKEND=FLASHINFER_MLA VLLM_USE_FLASHINFER_MOE_FP8=1
vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-model-len 2176 --kv-cache-dtype fp8 --no-enable-prefix-caching \
  --speculative-config '{"method":"mtp","num_speculative_tokens":3}' --async-scheduling`;
const CLIENTS: [string, string][] = [
  ['benchmark_serving-format.json', 'python3 bench_serving/benchmark_serving.py --backend vllm --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random '
    + '--random-input-len 256 --random-output-len 64 --random-range-ratio 1.0 --num-prompts 16 --max-concurrency 8 --ignore-eos --save-result --save-detailed'],
  ['vllm-bench-serve-format.json', 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 256 '
    + '--random-output-len 64 --num-prompts 16 --max-concurrency 8 --ignore-eos --save-result --save-detailed --percentile-metrics ttft,tpot,itl,e2el --metric-percentiles 50,90,99'],
];
for (const [file, bench] of CLIENTS) {
  const r = simulateServe({ serve: SERVE, bench, set: { hardware: 'B200', era: 'report-2025-11-28' } });
  const j = r.resultJson('20251128-120000');
  delete j.enginelab; // vLLM's own writers have no such key
  writeFileSync(join(dir, file), JSON.stringify(j) + '\n');
  console.log(`${file}: ${Object.keys(j).length} keys`);
}
