import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../engine/base/errors';
import { hardwarePreset, modelPreset, withHardwareOverrides, MODEL_PRESETS, HARDWARE_PRESETS } from '../../../engine/presets/index';

describe('model presets', () => {
  it('resolves canonical names, HF ids and local paths case-insensitively', () => {
    expect(modelPreset('deepseek-ai/DeepSeek-R1-0528').name).toBe('deepseek-r1');
    expect(modelPreset('DEEPSEEK-V3.2').name).toBe('deepseek-v3.2');
    expect(modelPreset('/models/DeepSeek-R1-0528').name).toBe('deepseek-r1');
    expect(modelPreset('deepseek-ai/DeepSeek-V4-Flash').numLayers).toBe(43);
    expect(modelPreset('meta-llama/Llama-3.1-8B-Instruct').attention.kind).toBe('gqa');
  });

  it('covers every model family the issue names', () => {
    const names = MODEL_PRESETS.map((m) => m.name);
    for (const n of ['deepseek-r1', 'deepseek-v3', 'deepseek-v3.2', 'deepseek-v4-flash', 'deepseek-v4-pro']) expect(names).toContain(n);
    expect(MODEL_PRESETS.some((m) => m.moe === undefined)).toBe(true);
  });

  it('keeps DeepSeek-V3 dimensions from the config (61 layers, 3 dense, 256 experts top-8, MTP 1)', () => {
    const m = modelPreset('deepseek-r1');
    expect([m.numLayers, m.hiddenSize, m.numDenseLayers, m.moe?.numRoutedExperts, m.moe?.topK, m.numMtpLayers]).toEqual([61, 7168, 3, 256, 8, 1]);
    // fp8 MLA: 61 x 576 = 35,136 B per token (hardware-and-models.md §3).
    expect(m.attention.kind === 'mla' && m.numLayers * m.attention.kvBytesPerTokenFp8).toBe(35_136);
  });

  it('an unknown model throws an EngineError listing the known models', () => {
    let err: unknown;
    try { modelPreset('gpt-5'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(EngineError);
    const msg = (err as Error).message;
    expect(msg).toContain("unknown model 'gpt-5'");
    for (const m of MODEL_PRESETS) expect(msg).toContain(m.name);
    expect((err as EngineError).argument).toBe('model');
  });
});

describe('hardware presets', () => {
  it('has the five GPUs with dense peaks and bandwidths from the doc', () => {
    expect(HARDWARE_PRESETS.map((h) => h.name)).toEqual(['B200', 'H100', 'H200', 'RTX-PRO-6000', 'GB10']);
    expect(hardwarePreset('b200').memoryBandwidth).toBe(8e12);
    expect(hardwarePreset('H200').peakFlops.fp8).toBe(1979e12);
    expect(hardwarePreset('dgx-spark').name).toBe('GB10');
    expect(hardwarePreset('RTX PRO 6000 Blackwell').memoryBandwidth).toBe(1.792e12);
  });

  it('an unknown GPU throws an EngineError listing the known ones', () => {
    expect(() => hardwarePreset('A100')).toThrowError(/unknown hardware 'A100'; known hardware: B200, H100, H200, RTX-PRO-6000, GB10/);
    expect(() => hardwarePreset('')).toThrowError(EngineError);
  });

  it('overrides replace a field and reject unknown fields by name', () => {
    const h = withHardwareOverrides(hardwarePreset('B200'), { memoryBandwidth: 4e12 });
    expect(h.memoryBandwidth).toBe(4e12);
    expect(hardwarePreset('B200').memoryBandwidth).toBe(8e12);
    expect(() => withHardwareOverrides(hardwarePreset('B200'), { bogus: 1 } as never)).toThrowError(/unknown field 'bogus'/);
  });
});
