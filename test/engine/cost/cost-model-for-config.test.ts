import { describe, expect, it } from 'vitest';
import { costModelForConfig } from '../../../engine/cost/index';
import { createEngine } from '../../../engine/api/create-engine';
import { resolveConfig } from '../../../engine/config/validate';

describe('costModelForConfig: the cost model as the engine clock', () => {
  const cfg = resolveConfig({
    model: 'deepseek-ai/DeepSeek-R1-0528', tensorParallelSize: 8, kvCacheDtype: 'fp8', maxNumSeqs: 64, maxModelLen: 4096,
    speculative: { method: 'mtp', numSpeculativeTokens: 3 }, asyncScheduling: true,
  });

  it('the engine clock equals the sum of modelled step times, with a graph mode per batch', () => {
    const cost = costModelForConfig(cfg, { hardware: 'B200' });
    const engine = createEngine(cfg, { costModel: cost });
    for (let i = 0; i < 4; i++) engine.addRequest({ promptLen: 200, maxTokens: 20, ignoreEos: true });
    engine.run();
    const total = cost.records.reduce((a, r) => a + r.stepUs, 0);
    expect(engine.clockUs).toBeCloseTo(total, 3);
    expect(cost.records.length).toBeGreaterThan(5);
    expect(cost.records.some((r) => r.graphMode === 'FULL' && r.uniformDecode)).toBe(true);
    expect(cost.roofline.model.name).toBe('deepseek-r1');
  });

  it('slower hardware makes the same run take longer on the engine clock', () => {
    const time = (hardware: string) => {
      const engine = createEngine(cfg, { costModel: costModelForConfig(cfg, { hardware }) });
      for (let i = 0; i < 4; i++) engine.addRequest({ promptLen: 200, maxTokens: 20, ignoreEos: true });
      engine.run();
      return engine.clockUs;
    };
    expect(time('H100')).toBeGreaterThan(time('B200'));
  });
});
