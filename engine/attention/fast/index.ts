/** Public pieces of engine/attention/fast: the WebAssembly SIMD sparse-MLA path, its head runners and the agreement check. */
export * from './sparse-mla-fast';
export * from './head-runner';
export * from './wasm-kernels';
export * from './agreement';
