/**
 * Reads the JSON `fixtures/calibration/h100/measure.py` writes (snake_case, failed points carry an
 * `error`) into `CalibrationMeasurements`. Pure: the caller reads the file. A section that failed as a
 * whole, or a point without a time, is left out; a missing required section is an error naming it.
 */
import { EngineError } from '../../base/errors';
import type { CalibrationMeasurements } from './measurements';

type Json = Record<string, unknown>;

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function rows(doc: Json, section: string, timeKey: string): Json[] {
  const v = doc[section];
  if (!Array.isArray(v)) throw new EngineError(`calibration JSON: section '${section}' is missing or failed (${JSON.stringify(v)?.slice(0, 200)})`, section);
  return (v as Json[]).filter((r) => typeof r[timeKey] === 'number' && Number.isFinite(r[timeKey]) && (r[timeKey] as number) > 0)
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, x]) => [camel(k), x])));
}

function pick<T>(r: Json, keys: readonly string[]): T {
  return Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])) as T;
}

export function measurementsFromScriptJson(doc: Json): CalibrationMeasurements {
  const meta = (doc.meta ?? {}) as Json;
  const ceil = (doc.ceilings ?? {}) as Json;
  const launch = Object.fromEntries(Object.entries((doc.launch ?? {}) as Json).map(([k, v]) => [camel(k), v]));
  return {
    meta: {
      gpuName: String(meta.gpu_name), smCount: Number(meta.sm_count), torch: String(meta.torch), triton: String(meta.triton),
      cuda: String(meta.cuda), clocks: (meta.nvidia_smi_before ?? {}) as Record<string, string>, started: String(meta.started), script: String(doc.script),
    },
    ceilings: { copyBytesPerS: Number(ceil.copy_bytes_per_s), bf16GemmFlopsPerS: Number(ceil.bf16_gemm_8192_flops_per_s), fp8GemmFlopsPerS: Number(ceil.fp8_gemm_8192_flops_per_s) },
    launch: pick(launch, ['graphTorchAddUs', 'graphTritonRmsnormUs', 'eagerTorchAddGpuUs', 'eagerTorchAddHostUs', 'eagerTritonGpuUs', 'eagerTritonHostUs', 'graphReplayOneKernelGpuUs', 'graphReplayHostUs']),
    gemm: rows(doc, 'gemm', 'us').map((r) => pick(r, ['model', 'layer', 'dtype', 'M', 'N', 'K', 'us'])),
    decodeAttention: rows(doc, 'decode_attention', 'us').map((r) => pick(r, ['config', 'kind', 'dtype', 'batch', 'ctx', 'kvBytes', 'qHeads', 'kvHeads', 'us'])),
    prefillAttention: rows(doc, 'prefill_attention', 'us').map((r) => pick(r, ['config', 'tokens', 'qHeads', 'kvHeads', 'dQk', 'dV', 'flops', 'us'])),
    elementwise: rows(doc, 'elementwise', 'us').map((r) => pick(r, ['kernel', 'tokens', 'hidden', 'bytes', 'us'])),
    sampling: rows(doc, 'sampling', 'us_eager').map((r) => pick(r, ['method', 'batch', 'vocab', 'usEager', 'usGraph', 'hostUs'])),
    moe: rows(doc, 'moe', 'us_layer').map((r) => pick(r, ['model', 'tokens', 'experts', 'topk', 'hidden', 'inter', 'expertsTouched', 'usLayer', 'usExperts'])),
    denseStep: rows(doc, 'dense_step', 'us').map((r) => pick(r, ['phase', 'mode', 'batch', 'ctx', 'tokens', 'us', 'hostUs'])),
  };
}
