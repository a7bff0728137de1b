/**
 * The two axes public serving benchmarks trade off — throughput per GPU (output tokens/s over the
 * GPUs the server holds) and tokens/s per user (1 / mean TPOT, how fast one stream reads) — for a
 * simulated run, and the Pareto front of a set of such points: the points no other point beats on
 * both axes at once (higher is better on both).
 */
import { EngineError } from '../base/errors';

/** The parts of a simulateServe result the axes need. */
export interface ServingRunLike {
  readonly metrics: { readonly outputThroughput: number; readonly tpot: { readonly meanMs: number } };
  readonly engineConfig: { readonly tensorParallelSize: number; readonly pipelineParallelSize: number; readonly dataParallelSize: number };
  readonly config?: { readonly maxConcurrency: number | null };
}

export interface ServingPoint {
  readonly numGpus: number;
  readonly outputThroughputPerGpu: number;
  /** 1000 / mean TPOT (ms): output tokens per second one request sees after its first token. */
  readonly tokensPerSecondPerUser: number;
  readonly maxConcurrency: number | null;
}

/** A run's position on the throughput-per-GPU / tokens-per-user plane. */
export function servingPoint(run: ServingRunLike): ServingPoint {
  const c = run?.engineConfig;
  if (!c || !run.metrics) throw new EngineError('servingPoint: expected a simulateServe result (metrics, engineConfig)', 'run');
  const numGpus = c.tensorParallelSize * c.pipelineParallelSize * c.dataParallelSize;
  const tpot = run.metrics.tpot.meanMs;
  return {
    numGpus,
    outputThroughputPerGpu: run.metrics.outputThroughput / numGpus,
    tokensPerSecondPerUser: tpot > 0 ? 1000 / tpot : 0,
    maxConcurrency: run.config?.maxConcurrency ?? null,
  };
}

/**
 * Indices of the Pareto-optimal points (maximising both `x` and `y`), by increasing x (ties by index).
 * A point is dropped when another has x ≥ and y ≥ with one of them strictly greater; equal
 * points are all kept. Non-finite coordinates throw.
 */
export function paretoFront(points: readonly { readonly x: number; readonly y: number }[]): number[] {
  points.forEach((p, i) => {
    if (!Number.isFinite(p?.x) || !Number.isFinite(p?.y)) throw new EngineError(`paretoFront: point ${i} needs finite x and y`, 'points');
  });
  // Sweep from the largest x down, keeping a point when its y reaches the best y seen so far.
  const order = points.map((_, i) => i).sort((a, b) => points[b]!.x - points[a]!.x || points[b]!.y - points[a]!.y || a - b);
  const front: number[] = [];
  let bestY = -Infinity, bestYx = Infinity;
  for (const i of order) {
    const p = points[i]!;
    if (p.y > bestY || (p.y === bestY && p.x === bestYx)) {
      front.push(i);
      if (p.y > bestY) bestYx = p.x;
      bestY = p.y;
    }
  }
  return front.sort((a, b) => points[a]!.x - points[b]!.x || a - b);
}
