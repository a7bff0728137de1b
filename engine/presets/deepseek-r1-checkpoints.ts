/**
 * DeepSeek-R1(-0528) as its three published checkpoints: DeepSeek's own block-FP8 weights and
 * NVIDIA's NVFP4 re-quantizations `nvidia/DeepSeek-R1-0528-FP4` and `-FP4-v2`. The NVFP4 cards
 * quantize only the routed-expert linear layers to FP4 (E2M1 values with one FP8-E4M3 scale per 16
 * values: 0.5 + 1/16 = 0.5625 bytes per weight); attention, the dense layers and the shared expert
 * stay FP8, so the decode step reads 0.5625/1 of the routed-expert bytes of the FP8 checkpoint.
 * Published sizes: FP8 ≈ 640 GB, NVIDIA FP4 ≈ 400 GB (hardware-and-models.md §3, TRT-LLM blog 3).
 */
import type { ModelPreset } from './model-types';

/** NVFP4 bytes per weight: 4-bit values plus an 8-bit scale per 16-value block [src: NVFP4 format]. */
export const NVFP4_BYTES_PER_WEIGHT = 0.5 + 1 / 16;

/** The three checkpoints, built on the shared DeepSeek-V3 architecture. */
export function DEEPSEEK_R1_CHECKPOINTS(base: Omit<ModelPreset, 'name' | 'aliases'>): ModelPreset[] {
  const fp4 = (name: string, aliases: string[], note: string): ModelPreset => ({
    ...base,
    name,
    aliases,
    moe: { ...base.moe!, expertWeightBytes: NVFP4_BYTES_PER_WEIGHT },
    checkpoint: {
      quantization: 'modelopt_fp4',
      experts: 'NVFP4 (routed experts)',
      attention: 'FP8 (attention, dense layers, shared expert)',
      moePath: 'FlashInfer NVFP4 MoE (TRT-LLM/CUTLASS kernels; VLLM_USE_FLASHINFER_MOE_FP4=1)',
      publishedBytes: 400e9,
      source: `${note}; ≈ 400 GB [src: hardware-and-models.md §3, TRT-LLM blog 3]; shared expert kept FP8 [assumed from "MoE linear operators" wording]`,
    },
    source: `${base.source}; NVFP4 layout from the nvidia model card`,
  });
  return [
    {
      ...base,
      name: 'deepseek-r1',
      aliases: ['deepseek-ai/DeepSeek-R1', 'deepseek-ai/DeepSeek-R1-0528', 'DeepSeek-R1-0528'],
      checkpoint: {
        quantization: 'fp8',
        experts: 'FP8 e4m3, 128×128 block scales',
        attention: 'FP8 e4m3, 128×128 block scales',
        moePath: 'block-FP8 fused MoE (FlashInfer FP8 MoE with VLLM_USE_FLASHINFER_MOE_FP8=1, else Triton/DeepGEMM)',
        publishedBytes: 640e9,
        source: 'DeepSeek-R1 config.json quantization_config (fp8, weight_block_size [128,128]); ≈ 640 GB [src: hardware-and-models.md §3]',
      },
    },
    fp4('deepseek-r1-fp4', ['nvidia/DeepSeek-R1-0528-FP4', 'nvidia/DeepSeek-R1-FP4', 'DeepSeek-R1-0528-FP4'], 'nvidia/DeepSeek-R1-0528-FP4 model card'),
    fp4('deepseek-r1-fp4-v2', ['nvidia/DeepSeek-R1-0528-FP4-v2', 'DeepSeek-R1-0528-FP4-v2'],
      'nvidia/DeepSeek-R1-0528-FP4-v2 model card (a re-calibrated NVFP4 export; same layer layout as -FP4 [assumed: the card lists the same quantized operators])'),
  ];
}
