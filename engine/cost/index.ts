/** Public pieces of engine/cost: CUDA-graph dispatch, named cost constants, the step-cost model and step timing. */
export {
  BACKEND_CUDAGRAPH_SUPPORT, backendCudagraphSupport, resolveCudagraphMode,
  computeCaptureSizes, padToCaptureSize, isUniformDecodeBatch, isUniformDecode, resolveCudagraphModeWithReasons, CUDAGRAPH_SUPPORT_LEVEL,
} from './cudagraph-mode';
export type { RuntimeGraphMode, CudagraphSupport, CaptureSizeOptions, CudagraphModeResolution } from './cudagraph-mode';
export { CudagraphDispatcher } from './cudagraph-dispatcher';
export type { CudagraphDispatcherOptions, GraphDispatch, BatchDescriptor, DispatchOptions } from './cudagraph-dispatcher';
export { DEFAULT_COST_CONSTANTS, withCostOverrides } from './cost-constants';
export type { CostConstants } from './cost-constants';
export { modelShapes, expectedExpertsTouched, weightBytesPerGpu } from './model-shapes';
export type { ModelShapes } from './model-shapes';
export { RooflineCostModel } from './step-cost-model';
export type { CostRequest, StepShape, StepCost, GpuCost, HostCost, CostModelOptions } from './step-cost-model';
export { stepTiming } from './step-timing';
export type { AsyncSpecHostSync, StepTimingOptions, StepTiming } from './step-timing';
export { EngineCostModel } from './engine-cost-model';
export type { EngineCostModelOptions, StepCostRecord } from './engine-cost-model';
export { costModelForConfig } from './cost-model-for-config';
export type { CostModelForConfigOptions } from './cost-model-for-config';
export { BACKEND_QUERY_LEN_SUPPORT, backendQueryLenSupport, decodeThreshold, numDecodeRequests } from './query-len-split';
export type { QueryLenSupport } from './query-len-split';
export { PersistentBatchOrder } from './persistent-batch-order';
export type { BatchRow } from './persistent-batch-order';
export { UNMEASURED_COST_CONSTANTS } from './cost-constants';
export { describeCostModel } from './describe-cost-model';
export type { CostModelRow } from './describe-cost-model';
export { costConstantProvenance, costConstantsProvenance, FITTED_TERMS } from './cost-provenance';
export type { Provenance, ProvenanceKind } from './cost-provenance';
export { gemmSeconds, elementwiseSeconds, decodeAttentionSeconds, prefillAttentionSeconds, moeExpertsSeconds, eagerStepSeconds, smoothMax } from './gpu-kernel-terms';
export { layerKernels } from './layer-kernels';
export type { LayerKernels, KernelGroup, GemmKernel } from './layer-kernels';
export { fitCalibration, FIT_START, FITTED_CONSTANT_NAMES } from './calibration/calibrated-constants';
export type { CalibrationFit, PointResult, TermResult } from './calibration/calibrated-constants';
export { H100_MEASUREMENTS, H100_FITTED_CONSTANTS } from './calibration/h100-measurements.generated';
export { measurementsFromScriptJson } from './calibration/from-script-json';
export type { CalibrationMeasurements } from './calibration/measurements';
export { predictDenseStep, denseStepCost } from './calibration/step-fits';
export { kernelFits } from './calibration/gpu-kernel-fits';
export { stepFits } from './calibration/step-fits';
export type { TermFit } from './calibration/gpu-kernel-fits';
