/**
 * Numeric-engine step rate: the tiny DeepSeek-V4-style model (4 layers SWA/C4A/C128A/C4A, hidden
 * 256, 4 heads × 512, vocab 512) with 16 running requests (prompts of 160 tokens, so every layer
 * type has compressed entries to read), on the numeric engine's default config (32-token budget).
 * Times decode steps (the prefill runs first) and reports steps/s and tokens/s, beside the
 * synthetic executor on the same scheduler (the peer: same config, no math), for sync greedy, sync
 * with inspection traces kept, async, and the fp32 WebAssembly SIMD attention path. It also
 * reports the slowest step of each run (every prefill chunk and every timed decode step):
 * the number a notebook user waits for, beside the same run with a 128-token budget (the peer:
 * the chunk size the notebooks used before the 32-token default).
 * Run: npx tsx bench/numeric-step.ts [decodeSteps]
 */
import { performance } from 'node:perf_hooks';
import { createEngine, createNumericEngine, numericEngineConfig, type Engine, type PartialEngineConfig } from '../engine/index';

const NUM_REQUESTS = 16;
const PROMPT_LEN = 160;
const decodeSteps = Number(process.argv[2] ?? 20);
if (!Number.isInteger(decodeSteps) || decodeSteps < 1) throw new Error('decodeSteps must be a positive integer');
/** No request may finish before the last prompt is prefilled (≤ 16·160/16 steps) and the timed decode ends. */
const MAX_TOKENS = NUM_REQUESTS * PROMPT_LEN + decodeSteps;

interface Result {
  readonly label: string;
  readonly steps: number;
  readonly tokens: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Slowest step of the whole run (prefill included) and its scheduled tokens. */
  readonly maxStepMs: number;
  readonly maxStepTokens: number;
  readonly numRunSteps: number;
}

/** Every step's wall time over a run, for the slowest-step column. */
class StepClock {
  maxMs = 0;
  maxTokens = 0;
  numSteps = 0;

  step(engine: Engine): void {
    const t0 = performance.now();
    const rec = engine.step();
    const ms = performance.now() - t0;
    this.numSteps++;
    if (ms > this.maxMs) {
      this.maxMs = ms;
      this.maxTokens = rec.schedule?.totalNumScheduledTokens ?? 0;
    }
  }
}

function fill(engine: Engine, clock: StepClock): void {
  for (let i = 0; i < NUM_REQUESTS; i++) {
    engine.addRequest({ requestId: `r${i}`, promptTokenIds: Array.from({ length: PROMPT_LEN }, (_, j) => (j * 37 + i * 11) % 512), maxTokens: MAX_TOKENS, ignoreEos: true });
  }
  // Prefill (only in the slowest-step column) until every request is decoding. With the 32-token
  // budget the prompts are prefilled one chunk at a time beside the decodes of the earlier ones.
  while (engine.running.length < NUM_REQUESTS || engine.running.some((r) => r.numOutputTokens === 0)) clock.step(engine);
}

function timeDecode(label: string, engine: Engine): Result {
  const clock = new StepClock();
  fill(engine, clock);
  const g0 = engine.stats.numGeneratedTokens;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < decodeSteps; s++) clock.step(engine);
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (engine.running.length !== NUM_REQUESTS) throw new Error(`${label}: ${engine.running.length} running, expected ${NUM_REQUESTS}`);
  const tokens = engine.stats.numGeneratedTokens - g0;
  return { label, steps: decodeSteps, tokens, wallMs, cpuMs: (c.user + c.system) / 1000, maxStepMs: clock.maxMs, maxStepTokens: clock.maxTokens, numRunSteps: clock.numSteps };
}

const base: PartialEngineConfig = { seed: 1, maxNumSeqs: NUM_REQUESTS, numGpuBlocks: 65 };

console.log(`numeric-step: ${NUM_REQUESTS} running requests, prompts ${PROMPT_LEN}, ${decodeSteps} timed decode steps each; max step over the full run`);
console.log(['case'.padEnd(40), 'steps/s'.padStart(10), 'tokens/s'.padStart(10), 'ms/step'.padStart(9), 'cpu ms/step'.padStart(12), 'run steps'.padStart(10), 'max step ms'.padStart(12), '(tokens)'.padStart(9)].join(' '));

/** Prints each case as soon as it ran (a full run of the numeric engine takes tens of seconds). */
function report(r: Result): void {
  console.log([
    r.label.padEnd(40),
    (r.steps / (r.wallMs / 1000)).toFixed(1).padStart(10),
    (r.tokens / (r.wallMs / 1000)).toFixed(0).padStart(10),
    (r.wallMs / r.steps).toFixed(2).padStart(9),
    (r.cpuMs / r.steps).toFixed(2).padStart(12),
    String(r.numRunSteps).padStart(10),
    r.maxStepMs.toFixed(0).padStart(12),
    `(${r.maxStepTokens})`.padStart(9),
  ].join(' '));
}

report(timeDecode('synthetic executor (peer), sync', createEngine(numericEngineConfig(base), { costModel: null })));
report(timeDecode('tiny V4 numeric, sync, greedy', createNumericEngine(base, { keepSteps: 0 }).engine));
report(timeDecode('tiny V4 numeric, sync, traces kept', createNumericEngine(base, { keepSteps: 4 }).engine));
report(timeDecode('tiny V4 numeric, async', createNumericEngine({ ...base, asyncScheduling: true }, { keepSteps: 0 }).engine));
report(timeDecode('tiny V4 numeric, sync, fast attention', createNumericEngine(base, { keepSteps: 0, attention: 'fast' }).engine));
report(timeDecode('tiny V4 numeric, sync, 128-token budget', createNumericEngine({ ...base, maxNumBatchedTokens: 128 }, { keepSteps: 0 }).engine));
