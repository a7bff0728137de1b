/** Public pieces of engine/attention: candidate lists, sparse MLA attention, the dense reference, V4 candidates and the indexer. */
export * from './knobs';
export * from './candidate-list';
export * from './sparse-attention';
export * from './dense-reference';
export * from './v4-candidates';
export * from './prefill-candidates';
export * from './indexer';
export * from './decode-dispatch';
export * from './matmul-decode';
export * from './cache-subset';
