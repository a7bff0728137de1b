/** Public pieces of engine/base: errors and the seeded RNG. */
export { EngineError, ConfigError, InvariantError, assert } from './errors';
export type { ConfigIssue } from './errors';
export { Rng, hashString, fmix32 } from './rng';
export type { RngState } from './rng';
