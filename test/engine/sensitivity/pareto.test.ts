// The Pareto front of serving points, and a run's position on the per-GPU / per-user plane.
import { describe, expect, it } from 'vitest';
import { paretoFront, servingPoint } from '../../../engine/sensitivity/pareto';

describe('paretoFront', () => {
  it('keeps exactly the points no other point beats on both axes, by increasing x', () => {
    const pts = [{ x: 1, y: 10 }, { x: 2, y: 8 }, { x: 2, y: 5 }, { x: 3, y: 9 }, { x: 4, y: 2 }, { x: 0.5, y: 9.5 }, { x: 4, y: 2 }];
    // (2,8) and (2,5) lose to (3,9); (0.5,9.5) loses to (1,10); the two (4,2) tie and both stay.
    expect(paretoFront(pts)).toEqual([0, 3, 4, 6].sort((a, b) => pts[a]!.x - pts[b]!.x || a - b));
    expect(paretoFront([{ x: 1, y: 1 }])).toEqual([0]);
    expect(paretoFront([])).toEqual([]);
    expect(() => paretoFront([{ x: NaN, y: 1 }])).toThrow(/point 0/);
  });
});

describe('servingPoint', () => {
  it('divides output throughput by the GPUs the server holds and inverts mean TPOT', () => {
    const p = servingPoint({
      metrics: { outputThroughput: 16000, tpot: { meanMs: 20 } },
      engineConfig: { tensorParallelSize: 8, pipelineParallelSize: 1, dataParallelSize: 2 },
      config: { maxConcurrency: 64 },
    });
    expect(p).toEqual({ numGpus: 16, outputThroughputPerGpu: 1000, tokensPerSecondPerUser: 50, maxConcurrency: 64 });
  });
});
