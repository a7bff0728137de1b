import { describe, expect, it } from 'vitest';
import { computeKVCapacity, pageSizeBytes } from '../../../engine/kv/capacity';
import { EngineError } from '../../../engine/base/errors';

const GIB = 1024 ** 3;

describe('num_gpu_blocks from the memory budget', () => {
  it('Llama-3.1-8B bf16 (spec §6 worked example): 64 KiB pages, 25,600 blocks for 50 GiB', () => {
    const layout = { kind: 'attention', numKvHeadsPerRank: 8, headSizeK: 128, headSizeV: 128 } as const;
    expect(pageSizeBytes(layout, 16, 2)).toBe(65536);
    const cap = computeKVCapacity({
      totalDeviceMemoryBytes: 80 * GIB, gpuMemoryUtilization: 1, weightsBytes: 30 * GIB, peakActivationBytes: 0, nonTorchBytes: 0,
      cudagraphBytes: 0, layout, kvDtypeBytes: 2, numLayersOnWorker: 32, blockSize: 16, maxModelLen: 8192,
    });
    expect(cap.availableKvBytes).toBe(50 * GIB);
    expect(cap.numGpuBlocks).toBe(25600);
    expect(cap.kvCacheTokens).toBe(409600);
    expect(cap.maxConcurrency).toBe(50);
    expect(cap.fitsMaxModelLen).toBe(true);
  });

  it('DeepSeek MLA with fp8 KV: 576 B per token per layer; explains a max_model_len that does not fit', () => {
    const layout = { kind: 'mla', headSize: 576 } as const;
    expect(pageSizeBytes(layout, 64, 1)).toBe(36864);
    const cap = computeKVCapacity({
      totalDeviceMemoryBytes: 80 * GIB, gpuMemoryUtilization: 0.9, weightsBytes: 60 * GIB, peakActivationBytes: 1 * GIB, nonTorchBytes: 0.5 * GIB,
      cudagraphBytes: 0.5 * GIB, layout, kvDtypeBytes: 1, numLayersOnWorker: 61, blockSize: 64, maxModelLen: 1048576,
    });
    const requested = Math.ceil(80 * GIB * 0.9);
    expect(cap.requestedBytes).toBe(requested);
    expect(cap.availableKvBytes).toBe(requested - 62 * GIB);
    expect(cap.numGpuBlocks).toBe(Math.floor((requested - 62 * GIB) / 36864 / 61));
    expect(cap.bytesPerToken).toBe(576 * 61);
    expect(cap.fitsMaxModelLen).toBe(false);
    expect(cap.bytesForMaxModelLen).toBe(1048576 * 576 * 61);
    expect(cap.explanation).toMatch(/max_model_len 1048576 needs 34\.31 GiB of KV cache, more than the available 10\.00 GiB/);
  });

  it('kv_cache_memory_bytes bypasses the utilisation arithmetic; overrides replace the count', () => {
    const base = {
      totalDeviceMemoryBytes: 80 * GIB, gpuMemoryUtilization: 0.92, weightsBytes: 0, peakActivationBytes: 0, nonTorchBytes: 0, cudagraphBytes: 0,
      layout: { kind: 'bytes_per_token', bytes: 656 } as const, kvDtypeBytes: 1, numLayersOnWorker: 1, blockSize: 64, maxModelLen: 4096,
    };
    expect(computeKVCapacity({ ...base, kvCacheMemoryBytes: 656 * 64 * 10 }).numGpuBlocks).toBe(10);
    expect(computeKVCapacity({ ...base, numGpuBlocksOverride: 7 }).numGpuBlocks).toBe(7);
  });

  it('hybrid groups are padded to the largest group: blocks = available / page / max(group layers)', () => {
    const cap = computeKVCapacity({
      totalDeviceMemoryBytes: 10 * GIB, gpuMemoryUtilization: 1, weightsBytes: 0, peakActivationBytes: 0, nonTorchBytes: 0, cudagraphBytes: 0,
      layout: { kind: 'attention', numKvHeadsPerRank: 8, headSizeK: 128, headSizeV: 128 }, kvDtypeBytes: 2, numLayersOnWorker: 48,
      blockSize: 16, maxModelLen: 4096, hybridGroupLayers: [8, 40],
    });
    expect(cap.numGpuBlocks).toBe(Math.floor((10 * GIB) / 65536 / 40));
    expect(cap.explanation).toMatch(/largest hybrid group/);
  });

  it('rejects bad inputs naming the argument', () => {
    const bad = () => computeKVCapacity({
      totalDeviceMemoryBytes: 1, gpuMemoryUtilization: 1.5, weightsBytes: 0, peakActivationBytes: 0, nonTorchBytes: 0, cudagraphBytes: 0,
      layout: { kind: 'mla', headSize: 576 }, kvDtypeBytes: 1, numLayersOnWorker: 1, blockSize: 16, maxModelLen: 16,
    });
    expect(bad).toThrow(EngineError);
    expect(bad).toThrow(/gpuMemoryUtilization/);
  });
});
