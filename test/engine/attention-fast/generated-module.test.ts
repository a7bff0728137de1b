/**
 * The committed WebAssembly (embedded in sparse-mla-wasm.generated.ts) must equal a fresh build
 * of engine/attention/fast/assembly/ with the pinned AssemblyScript, so source and binary never
 * drift; and the embedded bytes must be what the module's recorded hashes say.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SPARSE_MLA_WASM_RELAXED_BASE64,
  SPARSE_MLA_WASM_SHA256,
  SPARSE_MLA_WASM_SIMD_BASE64,
  SPARSE_MLA_WASM_SOURCE_SHA256,
} from '../../../engine/attention/fast/sparse-mla-wasm.generated';

const root = join(__dirname, '../../..');
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('generated wasm module', () => {
  it('records the hash of the current AssemblyScript source', () => {
    expect(SPARSE_MLA_WASM_SOURCE_SHA256).toBe(sha(readFileSync(join(root, 'engine/attention/fast/assembly/sparse-mla.ts'), 'utf8')));
  });

  it('embeds binaries whose hashes match the record and start with the wasm magic', () => {
    for (const [b64, want] of [[SPARSE_MLA_WASM_SIMD_BASE64, SPARSE_MLA_WASM_SHA256.simd], [SPARSE_MLA_WASM_RELAXED_BASE64, SPARSE_MLA_WASM_SHA256.relaxedSimd]] as const) {
      const bytes = Buffer.from(b64, 'base64');
      expect(sha(bytes)).toBe(want);
      expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
    }
    expect(SPARSE_MLA_WASM_SHA256.simd).not.toBe(SPARSE_MLA_WASM_SHA256.relaxedSimd);
  });

  it('equals a fresh build (scripts/build-wasm.mjs --check)', () => {
    const out = execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/matches a fresh build/);
  });
});
