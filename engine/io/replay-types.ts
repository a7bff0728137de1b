/**
 * Options and result of `replayDump` (shared by the decode and prefill replays).
 */
import type { SparseMlaKnobs } from '../attention/index';
import type { Tensor } from './dtype';
import type { SuppliedTensors } from './replay-inputs';

export interface ReplayOptions {
  /** Seed for every value not supplied (default 0). */
  readonly seed?: number;
  readonly tensors?: SuppliedTensors;
  /** Real heads (≤ H_pad); heads beyond are padding with zero output. Default: leading finite sink entries. */
  readonly numHeads?: number;
  /** The Triton knobs of the run being reproduced (chunk sizes shape the reference's loops). */
  readonly knobs?: Partial<SparseMlaKnobs>;
  /** Whether the bf16 matmul decode path was enabled (SM12x default: true); only affects `dispatch`. */
  readonly matmulDecode?: boolean;
  /**
   * Decode only: read a cache with a different page stride than recorded, to reproduce (or plant)
   * the layout mistake sparse-mla.md §4.1 warns about — e.g. E·584 instead of the real padded
   * stride. The cache bytes stay as they are; only the reader's stride changes.
   */
  readonly readPageStride?: { readonly swa_cache?: number; readonly kv_cache?: number };
  /** Prefill only: replay query tokens [start, end) of the chunk (default: all). */
  readonly tokenRange?: readonly [number, number];
}

export interface ReplayResult {
  readonly phase: 'prefill' | 'decode';
  readonly prefix: string;
  readonly compressRatio: number;
  readonly numTokens: number;
  readonly numHeads: number;
  readonly paddedHeads: number;
  /** The vLLM kernel path this record would take (sparse-mla.md §8.2/§8.3). */
  readonly dispatch: string;
  readonly knobs: SparseMlaKnobs;
  /** Every tensor the replay used, by field name (plus schedule tensors when synthesised). */
  readonly inputs: ReadonlyMap<string, Tensor>;
  /** Names of `inputs` generated from the seed rather than supplied. */
  readonly synthesized: readonly string[];
  /** `[T, H_pad, 512]` float32 (the fp32 reference) and its bf16 store, as the kernel writes it. */
  readonly output: Tensor<'F32'>;
  readonly outputBf16: Tensor<'BF16'>;
  /** Per subset (`compressed`, `swa` for decode; `combined` for prefill): LSE `[T, numHeads]`. */
  readonly subsetLse: ReadonlyMap<string, Float64Array>;
}
