/** Shared workloads for the numeric-engine tests: small seeded prompts, one long enough for C128A. */
import type { PartialEngineConfig } from '../../../engine/config/engine-config';
import { createNumericEngine, type NumericEngine, type NumericEngineOptions } from '../../../engine/api/numeric-engine';

/** A repetitive prompt (so n-gram drafts get accepted) of `n` tokens. */
export function prompt(n: number, salt: number): number[] {
  return Array.from({ length: n }, (_, j) => (j * 37 + salt * 11) % 512);
}

export const PROMPT_LENS = [30, 41, 135];

export interface RunResult {
  readonly outputs: number[][];
  readonly ne: NumericEngine;
  readonly sawPrefillChunk: boolean;
}

/** Runs the standard three requests to completion. */
export function runWorkload(config: PartialEngineConfig = {}, options: NumericEngineOptions = {}, maxTokens = 14): RunResult {
  const ne = createNumericEngine({ seed: 3, ...config }, { keepSteps: 0, ...options });
  PROMPT_LENS.forEach((n, i) => ne.engine.addRequest({ requestId: `r${i}`, promptTokenIds: prompt(n, i), maxTokens }));
  let sawPrefillChunk = false;
  while (ne.engine.hasWork()) {
    const rec = ne.engine.step();
    if (rec.schedule?.requests.some((s) => s.isPrefillChunk)) sawPrefillChunk = true;
  }
  return { outputs: PROMPT_LENS.map((_, i) => ne.engine.request(`r${i}`).outputTokenIds.slice()), ne, sawPrefillChunk };
}
