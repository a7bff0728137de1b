/** Public pieces of engine/math: the online-softmax state and the sink-aware LSE merge. */
export * from './online-softmax';
export * from './sink-merge';
