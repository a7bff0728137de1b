/** Public pieces of engine/presets: model shapes and GPU figures as data. */
export { MODEL_PRESETS, modelPreset, knownModelNames, withModelOverrides } from './model-presets';
export type { ModelPreset, MlaAttention, GqaAttention, MoeFfn, CheckpointFacts } from './model-presets';
export { NVFP4_BYTES_PER_WEIGHT } from './deepseek-r1-checkpoints';
export { HARDWARE_PRESETS, hardwarePreset, knownHardwareNames, withHardwareOverrides } from './hardware-presets';
export type { HardwarePreset } from './hardware-presets';
