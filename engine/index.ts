/**
 * enginelab's public engine surface. Everything exported here is preloaded into every kernel
 * cell; kernel/, bench/ and notebooks import the engine only through this file.
 * Each line re-exports one subsystem's own barrel.
 */
export * from './base/index';
export * from './arrow/index';
export * from './quant/index';
export * from './math/index';
export * from './attention/index';
export * from './spec-decode/index';
export * from './cost/index';
export * from './presets/index';
export * from './api/index';
export * from './attention/fast/index';
export * from './io/index';
export * from './serve-sim/index';
export * from './sweep/index';
export * from './model/index';
export * from './runner/index';
export * as testing from './testing/index';
