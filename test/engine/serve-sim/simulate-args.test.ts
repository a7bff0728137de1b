import { describe, expect, it } from 'vitest';
import { parseSimulateArgs } from '../../../engine/serve-sim/index';
import { ConfigError } from '../../../engine/base/errors';

describe('parseSimulateArgs (enginelab simulate)', () => {
  it('collects serve, bench, env, typed --set values and the JSON path', () => {
    const c = parseSimulateArgs([
      '--serve', 'vllm serve deepseek-ai/DeepSeek-R1 -tp 8', '--bench=vllm bench serve --num-prompts 8', '--env', 'A=1', '--env', 'B=2',
      '--set', 'era=report-2025-11-28', '--set', 'piecewisePerLayerSeconds=6e-5', '--set', 'asyncScheduling=true', '--json', 'out/r.json',
    ]);
    expect(c.options).toEqual({
      serve: 'vllm serve deepseek-ai/DeepSeek-R1 -tp 8', bench: 'vllm bench serve --num-prompts 8', env: 'A=1 B=2',
      set: { era: 'report-2025-11-28', piecewisePerLayerSeconds: 6e-5, asyncScheduling: true },
    });
    expect(c.jsonPath).toBe('out/r.json');
  });

  it('a stray word (an unquoted command line) is named as an unexpected argument, not an option', () => {
    try {
      parseSimulateArgs(['--serve', 'vllm', 'serve', 'm', '--bench', 'vllm bench serve']);
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).issues.map((x) => x.path)).toEqual(['serve', 'm']);
      expect((e as Error).message).toContain('serve: unexpected argument; quote each whole command line');
    }
  });

  it('reports missing and unknown options together', () => {
    let err: unknown;
    try { parseSimulateArgs(['--sett', 'x', '--set', 'novalue']); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(['--sett', 'x', '--set', '--serve', '--bench']);
  });
});
