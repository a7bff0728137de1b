/**
 * An engine snapshot taken mid-run, saved to disk as a snapshot file, loaded into a fresh engine:
 * the continued trace is identical, step for step, to the engine that never stopped. Sync and
 * async scheduling, with MTP speculation, so in-flight batches and RNG state are in the file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, restoreEngine } from '../../../engine/index';
import type { EngineSnapshot } from '../../../engine/index';
import { loadSnapshotFile, saveSnapshotFile } from '../../../kernel/files/tensor-files';

describe('engine snapshot files', () => {
  for (const asyncScheduling of [false, true]) {
    it(`${asyncScheduling ? 'async' : 'sync'}: save mid-run, reload in a fresh engine, identical continued trace`, () => {
      const config = { asyncScheduling, seed: 11, speculative: { method: 'mtp' as const, numSpeculativeTokens: 2 }, blockSize: 4, numGpuBlocks: 64, maxModelLen: 96, maxNumBatchedTokens: 48, maxNumSeqs: 6 };
      const e = createEngine(config);
      for (let i = 0; i < 8; i++) e.addRequest({ promptLen: 9 + 3 * i, maxTokens: 20 + i, ignoreEos: true });
      for (let i = 0; i < 7; i++) e.step();
      const path = join(mkdtempSync(join(tmpdir(), 'snap-')), 'mid.elsnap');
      saveSnapshotFile(path, e.snapshot());
      const fresh = restoreEngine(loadSnapshotFile<EngineSnapshot>(path));
      let steps = 0;
      while (e.hasWork()) {
        expect(fresh.hasWork()).toBe(true);
        expect(JSON.stringify(fresh.step())).toBe(JSON.stringify(e.step()));
        steps++;
      }
      expect(fresh.hasWork()).toBe(false);
      expect(steps).toBeGreaterThan(5);
      expect(JSON.stringify(fresh.snapshot())).toBe(JSON.stringify(e.snapshot()));
    });
  }
});
