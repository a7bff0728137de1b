// parseSweepSpec: errors name the bad field; expandSweep: order, sampling, keys; shardConfigs.
import { describe, expect, it } from 'vitest';
import { EngineError, expandSweep, fromBenchArgs, fromVllmArgs, parseSweepSpec, shardConfigs } from '../../../engine/index';
import { BENCH, ENV, SERVE, smallSpec } from './fixtures';

function specError(spec: unknown): EngineError {
  try {
    parseSweepSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected parseSweepSpec to throw');
}

const base = { serve: SERVE, bench: BENCH, env: ENV };

describe('parseSweepSpec', () => {
  it('names the bad field', () => {
    expect(specError({ ...base, axes: [{ kind: 'grid', params: { '--max-concurency': [1] } }] }).argument).toBe('axes[0].params.--max-concurency');
    expect(specError({ ...base, axes: [{ kind: 'grid', params: { 'set:era': ['no-such-era'] } }] }).argument).toBe('axes[0].params.set:era[0]');
    expect(specError({ ...base, axes: [{ kind: 'grid', params: { 'set:bogusKnob': [1] } }] }).message).toContain('unknown setting');
    expect(specError({ ...base, axes: [{ kind: 'grid', params: { '--async-scheduling': ['yes'] } }] }).argument).toBe('axes[0].params.--async-scheduling[0]');
    expect(specError({ ...base, axes: [{ kind: 'lhs', samples: 0, params: { 'set:acceptanceDispersion': { min: 0, max: 1 } } }] }).argument).toBe('axes[0].samples');
    expect(specError({ ...base, axes: [{ kind: 'random', samples: 2, params: { 'set:acceptanceDispersion': { min: 1, max: 0 } } }] }).argument).toBe('axes[0].params.set:acceptanceDispersion');
    expect(specError({ ...base, axes: [{ kind: 'cube', params: {} }] }).argument).toBe('axes[0].kind');
    expect(specError({ ...base, axes: [{ kind: 'list', points: [{ era: 'current' }, { hardware: 'H200' }] }] }).argument).toBe('axes[0].points[0].hardware');
    expect(specError({ ...base, axes: [{ kind: 'grid', params: { '--seed': [1] } }] }).message).toContain('serve:--seed or bench:--seed');
    expect(specError({ ...base, axes: [{ kind: 'grid', params: { era: ['current'] } }, { kind: 'grid', params: { 'set:era': ['current'] } }] }).argument).toBe('axes[1].set:era');
    expect(specError({ serve: SERVE, axes: [] }).argument).toBe('bench');
    expect(specError({ ...base, serve: 'vllm serve x --max-num-seqs banana', axes: [] }).argument).toBe('serve');
    expect(specError({ ...base, axes: [], extra: 1 }).argument).toBe('extra');
    expect(specError('{ not json').argument).toBe('(file)');
  });

  it('accepts every axis kind and the parameter families', () => {
    const s = parseSweepSpec({
      ...base, set: { era: 'current' },
      axes: [
        { kind: 'grid', params: { '--max-concurrency': [8, 64], '--async-scheduling': [true, false] } },
        { kind: 'list', points: [{ hardware: 'B200', '--num-speculative-tokens': 1 }, { hardware: 'H200', '--num-speculative-tokens': 0 }] },
        { kind: 'random', samples: 3, seed: 4, params: { 'set:acceptanceDispersion': { min: 0, max: 0.3 } } },
        { kind: 'latin-hypercube', samples: 2, params: { '--max-num-batched-tokens': { min: 2048, max: 16384, integer: true, log: true }, 'env:VLLM_X': { values: ['a', 'b'] } } },
      ],
    });
    expect(s.axes.map((a) => a.kind)).toEqual(['grid', 'list', 'random', 'lhs']);
    expect(expandSweep(s)).toHaveLength(4 * 2 * 3 * 2);
  });
});

describe('expandSweep', () => {
  it('crosses the axes with the last fastest, and applies each value to the lines', () => {
    const s = parseSweepSpec({
      ...base, axes: [
        { kind: 'grid', params: { '--async-scheduling': [true, false] } },
        { kind: 'grid', params: { '--max-concurrency': [4, 32], '--num-speculative-tokens': [1, 0] } },
      ],
    });
    const cs = expandSweep(s);
    expect(cs.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(cs.map((c) => [c.columns.async_scheduling, c.columns.max_concurrency, c.columns.num_speculative_tokens])).toEqual([
      [true, 4, 1], [true, 4, 0], [true, 32, 1], [true, 32, 0], [false, 4, 1], [false, 4, 0], [false, 32, 1], [false, 32, 0],
    ]);
    const c5 = cs[5]!;
    const serve = fromVllmArgs(c5.inputs.serve, { VLLM_ATTENTION_BACKEND: 'FLASHINFER_MLA' }).config;
    expect(serve.asyncScheduling).toBe(false);
    expect(serve.speculative).toBeNull();
    expect(serve.maxNumBatchedTokens).toBe(8192);
    expect(fromBenchArgs(c5.inputs.bench).maxConcurrency).toBe(4);
    expect(fromVllmArgs(cs[0]!.inputs.serve).config.speculative?.numSpeculativeTokens).toBe(1);
    expect(new Set(cs.map((c) => c.key)).size).toBe(8);
  });

  it('is deterministic, keys follow the inputs (not the position), and the seed moves random samples', () => {
    const spec = (seed: number) => ({ ...base, axes: [{ kind: 'random', samples: 4, seed, params: { 'set:acceptanceDispersion': { min: 0, max: 0.3 } } }] });
    const a = expandSweep(parseSweepSpec(spec(1)));
    expect(expandSweep(parseSweepSpec(spec(1)))).toEqual(a);
    expect(expandSweep(parseSweepSpec(spec(2))).map((c) => c.columns.acceptanceDispersion)).not.toEqual(a.map((c) => c.columns.acceptanceDispersion));
    // A grid value added in front shifts indices, not keys: a journal of the old sweep still matches.
    const before = expandSweep(parseSweepSpec({ ...base, axes: [{ kind: 'grid', params: { '--max-concurrency': [8, 16] } }] }));
    const after = expandSweep(parseSweepSpec({ ...base, axes: [{ kind: 'grid', params: { '--max-concurrency': [4, 8, 16] } }] }));
    expect(after.slice(1).map((c) => c.key)).toEqual(before.map((c) => c.key));
  });

  it('puts one Latin-hypercube sample in each stratum of every parameter', () => {
    const n = 10;
    const cs = expandSweep(parseSweepSpec({ ...base, axes: [{ kind: 'lhs', samples: n, seed: 9, params: { 'set:acceptanceDispersion': { min: 0, max: 1 }, 'set:uniformQueryLenSplit': { values: [true, false] } } }] }));
    const strata = cs.map((c) => Math.floor((c.columns.acceptanceDispersion as number) * n)).sort((x, y) => x - y);
    expect(strata).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(cs.filter((c) => c.columns.uniformQueryLenSplit === true)).toHaveLength(n / 2);
  });
});

describe('shardConfigs', () => {
  it('deals the configs round-robin: the shards are disjoint and their union is the whole', () => {
    const cs = expandSweep(parseSweepSpec({ ...smallSpec(), axes: [{ kind: 'grid', params: { '--max-concurrency': [1, 2, 3, 4, 5, 6, 7] } }] }));
    const shards = [0, 1, 2].map((i) => shardConfigs(cs, i, 3));
    expect(shards.map((s) => s.map((c) => c.index))).toEqual([[0, 3, 6], [1, 4], [2, 5]]);
    expect(shards.flat().map((c) => c.key).sort()).toEqual(cs.map((c) => c.key).sort());
    expect(() => shardConfigs(cs, 3, 3)).toThrow(EngineError);
  });
});
