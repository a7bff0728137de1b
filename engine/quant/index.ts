/** Public pieces of engine/quant: FP8/UE8M0/BF16 codecs and the fp8_ds_mla and indexer cache layouts. */
export * from './fp8-e4m3';
export * from './bf16';
export * from './ue8m0';
export * from './paged-layout';
export * from './v4-entry';
export * from './v4-paged-cache';
export * from './v32-entry';
export * from './indexer-cache';
