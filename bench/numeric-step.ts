/**
 * Numeric-engine step rate: the tiny DeepSeek-V4-style model (4 layers SWA/C4A/C128A/C4A, hidden
 * 256, 4 heads × 512, vocab 512) with 16 running requests (prompts of 160 tokens, so every layer
 * type has compressed entries to read). Times decode steps only (the prefill runs first, untimed)
 * and reports steps/s and tokens/s, beside the synthetic executor on the same scheduler (the peer:
 * same config, no math), for sync greedy, sync with inspection traces kept, async, and the fp32
 * WebAssembly SIMD attention path.
 * Run: npx tsx bench/numeric-step.ts [decodeSteps]
 */
import { performance } from 'node:perf_hooks';
import { createEngine, createNumericEngine, numericEngineConfig, type Engine, type PartialEngineConfig } from '../engine/index';

const NUM_REQUESTS = 16;
const PROMPT_LEN = 160;
const decodeSteps = Number(process.argv[2] ?? 20);
if (!Number.isInteger(decodeSteps) || decodeSteps < 1) throw new Error('decodeSteps must be a positive integer');

interface Result {
  readonly label: string;
  readonly steps: number;
  readonly tokens: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

function fill(engine: Engine): void {
  for (let i = 0; i < NUM_REQUESTS; i++) {
    engine.addRequest({ requestId: `r${i}`, promptTokenIds: Array.from({ length: PROMPT_LEN }, (_, j) => (j * 37 + i * 11) % 512), maxTokens: decodeSteps + 8, ignoreEos: true });
  }
  // Prefill (untimed) until every request is decoding.
  while (engine.running.length < NUM_REQUESTS || engine.running.some((r) => r.numOutputTokens === 0)) engine.step();
}

function timeDecode(label: string, engine: Engine): Result {
  fill(engine);
  const g0 = engine.stats.numGeneratedTokens;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < decodeSteps; s++) engine.step();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (engine.running.length !== NUM_REQUESTS) throw new Error(`${label}: ${engine.running.length} running, expected ${NUM_REQUESTS}`);
  return { label, steps: decodeSteps, tokens: engine.stats.numGeneratedTokens - g0, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

const base: PartialEngineConfig = { seed: 1, maxNumSeqs: NUM_REQUESTS, maxNumBatchedTokens: 4096, numGpuBlocks: 65 };
const results: Result[] = [];
results.push(timeDecode('synthetic executor (peer), sync', createEngine(numericEngineConfig(base), { costModel: null })));
results.push(timeDecode('tiny V4 numeric, sync, greedy', createNumericEngine(base, { keepSteps: 0 }).engine));
results.push(timeDecode('tiny V4 numeric, sync, traces kept', createNumericEngine(base, { keepSteps: 4 }).engine));
results.push(timeDecode('tiny V4 numeric, async', createNumericEngine({ ...base, asyncScheduling: true }, { keepSteps: 0 }).engine));
results.push(timeDecode('tiny V4 numeric, sync, fast attention', createNumericEngine(base, { keepSteps: 0, attention: 'fast' }).engine));

console.log(`numeric-step: ${NUM_REQUESTS} running requests, prompts ${PROMPT_LEN}, ${decodeSteps} timed decode steps each`);
console.log(['case'.padEnd(40), 'steps/s'.padStart(10), 'tokens/s'.padStart(10), 'ms/step'.padStart(9), 'cpu ms/step'.padStart(12)].join(' '));
for (const r of results) {
  console.log([
    r.label.padEnd(40),
    (r.steps / (r.wallMs / 1000)).toFixed(1).padStart(10),
    (r.tokens / (r.wallMs / 1000)).toFixed(0).padStart(10),
    (r.wallMs / r.steps).toFixed(2).padStart(9),
    (r.cpuMs / r.steps).toFixed(2).padStart(12),
  ].join(' '));
}
