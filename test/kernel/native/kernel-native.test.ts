/**
 * The real kernel (bin/enginelab.mjs, run headless on a one-cell notebook) installs the native
 * runner at start-up for the engine instance that cells use, and ENGINELAB_NATIVE=0 keeps the
 * WebAssembly kernels: the cell prints which runner and path the fast path took.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireAddon, skipNative } from './native-available';

const root = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'enginelab-native-kernel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runCell(env: NodeJS.ProcessEnv): string {
  const nb = join(dir, 'probe.ipynb');
  const source = 'const r = engine.sparseMlaAttentionFast(engine.randomSparseMlaProblem(1, 1, 4, 16, [5, 2]));\nconsole.log(`${engine.getSparseMlaHeadRunner().name} ${r.path} ${r.runner}`);';
  writeFileSync(nb, JSON.stringify({
    cells: [{ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source }],
    metadata: { kernelspec: { name: 'enginelab', display_name: 'enginelab', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5,
  }));
  const out = join(dir, 'out');
  const r = spawnSync(process.execPath, [join(root, 'bin/enginelab.mjs'), 'run', nb, '--out', out], { encoding: 'utf8', cwd: root, env: { ...process.env, ...env }, timeout: 90_000 });
  expect(r.status, r.stderr).toBe(0);
  const done = JSON.parse(readFileSync(join(out, 'probe.ipynb'), 'utf8')) as { cells: Array<{ outputs: Array<{ text?: string }> }> };
  return done.cells[0]!.outputs.map((o) => o.text ?? '').join('');
}

describe.skipIf(skipNative)('kernel start-up', () => {
  it('cells run the native kernels by default, with the thread count from ENGINELAB_NATIVE_THREADS', () => {
    requireAddon();
    expect(runCell({ ENGINELAB_NATIVE_THREADS: '2' }).trim()).toBe('native-avx2×2 native-avx2 native-avx2×2');
  }, 120_000);

  it('ENGINELAB_NATIVE=0 keeps the WebAssembly kernels', () => {
    expect(runCell({ ENGINELAB_NATIVE: '0' }).trim()).toBe('single-thread wasm-relaxed-simd single-thread');
  }, 120_000);
});
