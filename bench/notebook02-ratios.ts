/**
 * Notebook 02's key ratios with the cost model's current (calibrated) constants: report-era async ÷
 * sync, current async ÷ report-era sync, current async ÷ current sync, on the full #29657 workload.
 *   npx tsx bench/notebook02-ratios.ts
 */
import { simulateServe } from '../engine/index';

const SERVE_SYNC = `vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 --no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config '{"max_cudagraph_capture_size":2048}' --speculative-config '{"method":"mtp","num_speculative_tokens":3}' --no-async-scheduling`;
const SERVE_ASYNC = SERVE_SYNC.replace('--no-async-scheduling', '--async-scheduling');
const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 1024 --random-output-len 1024 --num-prompts 1280 --max-concurrency 256 --ignore-eos';
const ENV = 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA';
const ERA = 'report-2025-11-28';
const run = (serve: string, set: Record<string, string | number | boolean>) => simulateServe({ serve, bench: BENCH, env: ENV, set: { era: ERA, ...set } });
const sync = run(SERVE_SYNC, {});
const asy = run(SERVE_ASYNC, {});
const cur = run(SERVE_ASYNC, { maxTokensCapPolicy: 'skip_29759', asyncSpecHostSync: 'zero_bubble_32951' });
const curSync = run(SERVE_SYNC, { maxTokensCapPolicy: 'skip_29759' });
const tp = (r: typeof sync) => r.metrics.outputThroughput;
console.log(JSON.stringify({
  reportAsyncOverSync: +(tp(asy) / tp(sync)).toFixed(3),
  currentAsyncOverReportSync: +(tp(cur) / tp(sync)).toFixed(3),
  currentSyncOverReportSync: +(tp(curSync) / tp(sync)).toFixed(3),
  currentAsyncOverCurrentSync: +(tp(cur) / tp(curSync)).toFixed(3),
  meanTpotMs: { reportSync: +sync.metrics.tpot.meanMs.toFixed(2), reportAsync: +asy.metrics.tpot.meanMs.toFixed(2), currentAsync: +cur.metrics.tpot.meanMs.toFixed(2) },
}));
