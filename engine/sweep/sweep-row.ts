/**
 * `runSweepConfig(config)`: one config through `simulateServe`, as one result row — the config's
 * identity (index, key), its varied values, `status` ('ok' or 'error') with the error's message,
 * and every scalar of vLLM's `--save-result` JSON (the bench metrics under vLLM's key names:
 * `output_throughput`, `mean_ttft_ms`, `p99_itl_ms`, `spec_decode_acceptance_length`, …) plus the
 * run's `num_steps` and `num_gpus`. A config that throws is a row with its error, never a thrown
 * sweep. Rows are plain JSON, so a worker can post one and a journal line can hold one.
 */
import { simulateServe } from '../serve-sim/simulate-serve';
import type { SweepConfig } from './expand-sweep';
import type { ParamValue } from './sweep-spec';

export type SweepStatus = 'ok' | 'error';

export interface SweepRow {
  readonly index: number;
  readonly key: string;
  readonly status: SweepStatus;
  /** `Name: message` of what the config threw; null when it ran. */
  readonly error: string | null;
  readonly columns: Readonly<Record<string, ParamValue>>;
  /** Metric name → value (null: not finite, or not reported by this run). Empty on error. */
  readonly metrics: Readonly<Record<string, number | null>>;
}

/**
 * Keys of the result JSON that restate the client line rather than measure the run (the varied
 * ones are config columns already); `date` is the caller's clock, `label` text, `rtfx` always 0 for text.
 */
const NOT_METRICS = new Set(['date', 'label', 'num_prompts', 'request_rate', 'burstiness', 'max_concurrency', 'rtfx']);

/** A fixed date: the JSON needs one, the row must not depend on the clock. */
const FIXED_DATE = '20000101-000000';

/** Runs one config; never throws for a config's own failure. */
export function runSweepConfig(config: SweepConfig): SweepRow {
  const { index, key, columns } = config;
  try {
    const r = simulateServe({ ...config.inputs });
    const json = r.resultJson(FIXED_DATE);
    const metrics: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(json)) {
      if (NOT_METRICS.has(k)) continue;
      if (typeof v === 'number') metrics[k] = Number.isFinite(v) ? v : null;
      else if (v === null) metrics[k] = null;
    }
    metrics.num_steps = r.numSteps;
    metrics.num_gpus = r.facts.numGpus;
    return { index, key, status: 'ok', error: null, columns, metrics };
  } catch (e) {
    const err = e instanceof Error ? `${e.name}: ${e.message}` : `thrown: ${String(e)}`;
    return { index, key, status: 'error', error: err, columns, metrics: {} };
  }
}
