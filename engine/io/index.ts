/** Public pieces of engine/io: tensor file readers/writers (safetensors, .npy), the vLLM sparse-MLA dump, compare, snapshot files, replay. */
export { DTYPES, itemSize, makeTensor, tensorToFloat64, f16ToNumber, bf16ToNumber, e4m3ToNumber } from './dtype';
export type { DType, Tensor, TensorData, StorageOf } from './dtype';
export { TensorFormatError } from './format-error';
export type { FileFormat } from './format-error';
export { readSafetensors, writeSafetensors, SAFETENSORS_MAX_HEADER_BYTES } from './safetensors';
export type { SafetensorsFile, WriteSafetensorsOptions } from './safetensors';
export { readNpy, writeNpy } from './npy';
export type { NpyFile, WriteNpyOptions } from './npy';
export { parseTensorSummary, isContiguousLayout, TORCH_DTYPES } from './tensor-summary';
export type { TensorSummary, TorchDType } from './tensor-summary';
export { readSparseMlaDump, writeSparseMlaDump, parseSparseMlaDumpRecord } from './vllm-dump';
export type { SparseMlaDumpRecord, DumpPhase, DecodeFields, PrefillFields, SwaMetadataSummary, FlashMlaMetadataSummary } from './vllm-dump';
export { compare, unravelIndex } from './compare';
export type { CompareOptions, CompareReport, TensorComparison, ElementError, Comparable, ComparableSet } from './compare';
export { encodeSnapshotFile, decodeSnapshotFile, SNAPSHOT_FILE_MAGIC, SNAPSHOT_FILE_VERSION } from './snapshot-file';
export type { SnapshotFileContents } from './snapshot-file';
export { crc32 } from './crc32';
