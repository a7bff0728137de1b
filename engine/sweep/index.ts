/** Public pieces of engine/sweep: sweep specs, their expansion into configs, one config's result row, the result table. */
export { parseSweepSpec, axisSize, MAX_SWEEP_CONFIGS } from './sweep-spec';
export type { SweepSpec, SweepAxis, ParamDomain, ParamValue } from './sweep-spec';
export { parseParam, applyParams, shellQuote } from './sweep-params';
export type { SweepParam, RunInputs, ParamTarget } from './sweep-params';
export { expandSweep, shardConfigs, configKey, axisPoints, sampleDomain } from './expand-sweep';
export type { SweepConfig } from './expand-sweep';
export { runSweepConfig } from './sweep-row';
export type { SweepRow, SweepStatus } from './sweep-row';
export { sweepTable } from './sweep-table';
export type { SweepTableResult } from './sweep-table';
