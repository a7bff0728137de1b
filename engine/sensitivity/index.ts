/** Public pieces of engine/sensitivity: assumed ranges, one-at-a-time sensitivity, ensembles, the Pareto front of serving runs. */
export { checkKnobRange, knobEnds, knobAt, formatKnobValue } from './knob-range';
export type { KnobRange, NumberRange, ChoiceRange, VectorRange } from './knob-range';
export { assumedRanges, assumedRange, assumedCostRanges, SIMULATION_ASSUMED_RANGES, NOT_ASSUMED } from './assumed-ranges';
export { variantOptions, evaluateMetric, throughputRatio, ASYNC_VS_SYNC } from './variant-runs';
export type { SensitivityRun, RunVariant, VariantResults, Metric, Simulate, SettingMap } from './variant-runs';
export { sensitivity, resolveKnobs } from './sensitivity';
export type { SensitivityOptions, SensitivityRow, SensitivityResult } from './sensitivity';
export { ensemble, ensembleSamples, summarizeEnsemble, quantileSorted } from './ensemble';
export type { EnsembleOptions, EnsembleResult, EnsembleSample, EnsembleSummary, SamplingMethod } from './ensemble';
export { servingPoint, paretoFront } from './pareto';
export type { ServingPoint, ServingRunLike } from './pareto';
