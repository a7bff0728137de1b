/** Public pieces of engine/runner: the synthetic and numeric executors, the numeric inspector, the cost-model wrapper. */
export { SyntheticExecutor, syntheticProposer } from './synthetic-executor';
export { NumericExecutor } from './numeric-executor';
export type { NumericExecutorOptions, NumericStepRecord, SampledRecord, StepTokenRecord } from './numeric-executor';
export { ModelInspector } from './model-inspector';
export type { SlotView, TokenView } from './model-inspector';
export { withCostModel } from './with-cost-model';
