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
