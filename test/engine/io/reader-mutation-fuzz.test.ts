// The reader mutation fuzzer (issue 17, "Must show" 2): 3,000 seeded mutants per format — Arrow
// IPC file and stream, engine snapshot files, safetensors, npy and the vLLM sparse-MLA dump —
// from bit flips, interesting bytes, truncations, insertions, deletions and length-field edits
// (mutations.ts), each read in a worker with a capped heap and a hang detector
// (mutation-harness.ts, which documents the time and memory bounds). Every read gives the
// original data, the format's typed error (ArrowFormatError / TensorFormatError) or — in a
// format without a checksum — other data that is whole (mutation-readers.ts); the snapshot file
// has CRCs, so there a mutant that reads as other data fails the test. Mutant i of seed s is
// reproduced by mutant(base, s, i).
import { describe, expect, it } from 'vitest';
import { stepTraceTable, toArrowIPC } from '../../../engine/index';
import { makeTensor } from '../../../engine/io/dtype';
import { encodeSnapshotFile } from '../../../engine/io/snapshot-file';
import { writeNpy } from '../../../engine/io/npy';
import { sampleSteps } from '../arrow/samples';
import { fixtureBytes } from './fixtures';
import { runJob } from './mutation-harness';
import type { ReaderFormat } from './mutation-readers';

const N = 3000;
const SEED = 17;

const steps = stepTraceTable(sampleSteps(6));
const bases: ReadonlyArray<readonly [ReaderFormat, string, Uint8Array]> = [
  ['arrow-file', 'step trace (file)', toArrowIPC(steps, 'file')],
  ['arrow-stream', 'step trace (stream)', toArrowIPC(steps, 'stream')],
  ['snapshot', 'engine snapshot', encodeSnapshotFile({ version: 1, clockUs: 12.5, requests: [{ id: 'r0', tokens: [1, 2, 3] }, { id: 'r1', tokens: [] }], cache: Uint8Array.from([1, 2, 3, 4, 5]), sink: Float32Array.from([0.5, -Infinity]), big: 2n ** 70n, n: NaN })],
  ['safetensors', 'torch-dtypes.safetensors', fixtureBytes('torch-dtypes.safetensors')],
  ['npy', 'f4_fortran_v1.npy', fixtureBytes('npy', 'f4_fortran_v1.npy')],
  ['npy', 'written i32 v3', writeNpy(makeTensor('I32', [2, 3], Int32Array.from([1, 2, 3, 4, 5, 6])), { version: 3 })],
  ['vllm-dump', 'vllm-dump.jsonl', fixtureBytes('vllm-dump.jsonl')],
];

describe(`reader mutation fuzzer: ${N} seeded mutants per file, read in a capped worker`, () => {
  for (const [format, label, base] of bases) {
    it(`${format}: ${label} (${base.length} bytes)`, async () => {
      const { tally, failures } = await runJob({ format, base, mode: 'seeded', seed: SEED, start: 0, count: N });
      expect(failures, JSON.stringify(failures, null, 1)).toEqual([]);
      expect(tally.other + tally.unstable).toBe(0);
      if (format === 'snapshot') expect(tally.different).toBe(0);
      expect(tally.equal + tally.typed + tally.different).toBe(N);
      // Not only bouncing off the first check: most mutants are refused, some read back.
      expect(tally.typed).toBeGreaterThan(N / 4);
      expect(tally.equal + tally.different).toBeGreaterThan(0);
      console.log(`${format} ${label}: ${JSON.stringify(tally)}`);
    }, 600_000);
  }
});
