/** GENERATED bootstrap: do not edit. */
import type { CalibrationMeasurements } from './measurements';

export const H100_MEASUREMENTS: CalibrationMeasurements = {"meta":{"gpuName":"none","smCount":0,"torch":"","triton":"","cuda":"","clocks":{},"started":"","script":""},"ceilings":{"copyBytesPerS":0,"bf16GemmFlopsPerS":0,"fp8GemmFlopsPerS":0},"launch":{"graphTorchAddUs":0,"graphTritonRmsnormUs":0,"eagerTorchAddGpuUs":0,"eagerTorchAddHostUs":0,"eagerTritonGpuUs":0,"eagerTritonHostUs":0,"graphReplayOneKernelGpuUs":0,"graphReplayHostUs":0},"gemm":[],"decodeAttention":[],"prefillAttention":[],"elementwise":[],"sampling":[],"moe":[],"denseStep":[]};

export const H100_FITTED_CONSTANTS = {
 "memoryBandwidthEfficiency": 0.85,
 "gemmComputeEfficiency": 0.7,
 "gemmFixedSeconds": 0.000003,
 "gemmMinRows": 32,
 "gemmSharpness": 3,
 "fp8GemmMemoryEfficiency": 0.85,
 "fp8GemmComputeEfficiency": 0.6,
 "fp8GemmFixedSeconds": 0.000003,
 "fp8GemmMinRows": 32,
 "fp8GemmSharpness": 3,
 "attentionComputeEfficiency": 0.5,
 "prefillAttentionHalfTokens": 300,
 "prefillAttentionFixedSeconds": 0.000005,
 "gqaDecodeFixedSeconds": 0.000005,
 "mlaDecodeFixedSeconds": 0.000005,
 "gqaKvReadEfficiency": 0.8,
 "gqaKvReadEfficiencyFp8": 0.7,
 "mlaKvReadEfficiency": 0.8,
 "mlaKvReadEfficiencyFp8": 0.7,
 "elementwiseFixedSeconds": 0.000002,
 "elementwiseBandwidthEfficiency": 0.8,
 "moeFixedSeconds": 0.00002,
 "moeBandwidthEfficiency": 0.7,
 "moeComputeEfficiency": 0.3,
 "moeRoutingSeconds": 0.00003,
 "samplerBaseSeconds": 0.0001,
 "samplerPerTokenSeconds": 0.000002,
 "fullGraphLaunchSeconds": 0.00001,
 "eagerPerKernelSeconds": 0.00001,
 "eagerLaunchOverlap": 0.9
};
