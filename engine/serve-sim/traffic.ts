/**
 * Request release times of `vllm bench serve` (engine-semantics.md §12.2). `requestRate = inf`
 * releases everything at t = 0. Otherwise gaps are Gamma(shape = burstiness, scale =
 * 1/(rate·burstiness)) (burstiness 1 = Poisson; `inf` = constant gaps), cumulated and then rescaled so
 * the last request is released exactly at N / rate. `--max-concurrency` is applied by the client
 * loop, not here: a request's clock starts when it gets a slot.
 */
import { EngineError } from '../base/errors';
import { Rng } from '../base/rng';

export interface TrafficOptions {
  readonly numRequests: number;
  /** Requests per second; `Infinity` = all at once. */
  readonly requestRate: number;
  readonly burstiness: number;
  readonly seed: number;
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 via the U^(1/shape) boost). */
export function sampleGamma(shape: number, rng: Rng): number {
  if (!(shape > 0)) throw new EngineError(`shape: expected > 0, got ${shape}`, 'shape');
  if (shape < 1) return sampleGamma(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Release time (seconds from the benchmark start) of each request, non-decreasing. */
export function requestReleaseTimes(o: TrafficOptions): number[] {
  if (!Number.isInteger(o.numRequests) || o.numRequests < 1) throw new EngineError(`numRequests: expected an integer ≥ 1, got ${o.numRequests}`, 'numRequests');
  if (!(o.requestRate > 0)) throw new EngineError(`requestRate: expected > 0 (or inf), got ${o.requestRate}`, 'requestRate');
  if (!(o.burstiness > 0)) throw new EngineError(`burstiness: expected > 0, got ${o.burstiness}`, 'burstiness');
  const n = o.numRequests;
  if (o.requestRate === Infinity) return new Array<number>(n).fill(0);
  const rng = new Rng(o.seed);
  const times: number[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    const gap = o.burstiness === Infinity ? 1 / o.requestRate : sampleGamma(o.burstiness, rng) / (o.requestRate * o.burstiness);
    t += gap;
    times.push(t);
  }
  const scale = n / o.requestRate / times[n - 1]!;
  return times.map((x) => x * scale);
}
