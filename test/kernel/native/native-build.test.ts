/**
 * The native build's bookkeeping: the binary in build/ was compiled from the C sources in this
 * checkout (hash recorded beside it and compiled into it), scripts/build-native.mjs skips with
 * one line when it cannot build, the loader refuses missing or stale builds with a reason that
 * says how to fix them, and the kernel's start-up wiring installs the runner or keeps wasm.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SparseMlaHeadRunner } from '../../../engine/attention/fast/head-runner';
import { loadSparseMlaNativeAddon, NATIVE_BINARY, NATIVE_RECORD, NATIVE_SOURCE_DIR, nativeSourceHash } from '../../../kernel/native/native-addon';
import { installNativeSparseMla } from '../../../kernel/native/install-native-runner';
import { requireAddon, skipNative } from './native-available';

const root = resolve(__dirname, '../../..');
const script = join(root, 'scripts', 'build-native.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'enginelab-native-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the C sources with one comment line appended to one file. */
function editedSources(): string {
  const dir = join(tmp, `src-${Math.random().toString(36).slice(2)}`);
  cpSync(NATIVE_SOURCE_DIR, dir, { recursive: true });
  const f = join(dir, 'attend-heads.c');
  writeFileSync(f, readFileSync(f, 'utf8') + '/* edited */\n');
  return dir;
}

describe.skipIf(skipNative)('the built binary matches the C sources', () => {
  it('recorded hash = hash of the current sources = hash compiled into the binary', () => {
    const addon = requireAddon();
    const record = JSON.parse(readFileSync(NATIVE_RECORD, 'utf8')) as { sourceHash: string; flags: string[] };
    const current = nativeSourceHash();
    expect(current).toMatch(/^[0-9a-f]{64}$/);
    expect(record.sourceHash).toBe(current);
    expect(addon.info().sourceHash).toBe(current);
    expect(record.flags).toEqual(expect.arrayContaining(['-mavx2', '-mfma', '-O3', '-ffp-contract=off']));
  });

  it('the hash covers every .c and .h file: an edit changes it', () => {
    expect(nativeSourceHash(editedSources())).not.toBe(nativeSourceHash());
  });

  it('--check says the build is up to date and builds nothing', () => {
    const before = statSync(NATIVE_BINARY).mtimeMs;
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8', cwd: root });
    expect(r.stdout).toMatch(/up to date/);
    expect(r.status).toBe(0);
    expect(statSync(NATIVE_BINARY).mtimeMs).toBe(before);
  });

  it('a forced build by hand (into another folder) takes under 10 s and yields a loadable binary of the current sources', () => {
    const out = join(tmp, 'fresh-build');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [script, '--force', '--out', out], { encoding: 'utf8', cwd: root });
    expect(r.status, r.stderr).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.stdout).toMatch(/^build-native: built .*fresh-build\/sparse-mla-native\.node/);
    const loaded = loadSparseMlaNativeAddon({ binary: join(out, 'sparse-mla-native.node'), record: join(out, 'sparse-mla-native.json'), sourceDir: NATIVE_SOURCE_DIR });
    expect(loaded.reason).toBeNull();
    expect(loaded.addon!.info().sourceHash).toBe(nativeSourceHash());
    const check = spawnSync(process.execPath, [script, '--check', '--out', join(tmp, 'empty')], { encoding: 'utf8', cwd: root });
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/missing \(run npm run build:native\)/);
  });

  it('the loader refuses sources that differ from the build, saying how to fix it', () => {
    const r = loadSparseMlaNativeAddon({ binary: NATIVE_BINARY, record: NATIVE_RECORD, sourceDir: editedSources() });
    expect(r.addon).toBeNull();
    expect(r.reason).toMatch(/stale.*run npm run build:native/);
  });

  it('the loader refuses a binary whose compiled-in hash differs from a matching record', () => {
    const src = editedSources();
    const record = join(tmp, 'forged.json');
    writeFileSync(record, JSON.stringify({ sourceHash: nativeSourceHash(src) }));
    const r = loadSparseMlaNativeAddon({ binary: NATIVE_BINARY, record, sourceDir: src });
    expect(r.addon).toBeNull();
    expect(r.reason).toMatch(/compiled from other sources.*run npm run build:native/);
  });
});

describe('build script and loader without a usable build', () => {
  it('a missing compiler: one line, exit 0 (the wasm kernels stay in use)', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', cwd: root, env: { ...process.env, CC: join(tmp, 'no-such-gcc') } });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^build-native: skipped \(.*\); the WebAssembly sparse-MLA kernels stay in use$/);
  });

  it('the loader names a missing binary and a missing record', () => {
    const noBinary = loadSparseMlaNativeAddon({ binary: join(tmp, 'none.node'), record: NATIVE_RECORD, sourceDir: NATIVE_SOURCE_DIR });
    expect(noBinary.addon).toBeNull();
    expect(noBinary.reason).toMatch(/none\.node is missing \(run npm run build:native\)/);
    const bin = join(tmp, 'copy.node');
    writeFileSync(bin, 'not an ELF file');
    const noRecord = loadSparseMlaNativeAddon({ binary: bin, record: join(tmp, 'none.json'), sourceDir: NATIVE_SOURCE_DIR });
    expect(noRecord.reason).toMatch(/none\.json is missing or unreadable/);
  });

  it('the loader turns an unloadable binary into a reason, not an exception', () => {
    const bin = join(tmp, 'garbage.node');
    writeFileSync(bin, 'not an ELF file');
    const record = join(tmp, 'ok.json');
    writeFileSync(record, JSON.stringify({ sourceHash: nativeSourceHash() }));
    const r = loadSparseMlaNativeAddon({ binary: bin, record, sourceDir: NATIVE_SOURCE_DIR });
    expect(r.addon).toBeNull();
    expect(r.reason).toMatch(/cannot load .*garbage\.node/);
  });
});

describe('kernel start-up wiring (installNativeSparseMla)', () => {
  function host() {
    const set: Array<SparseMlaHeadRunner | null> = [];
    return { set, setSparseMlaHeadRunner: (r: SparseMlaHeadRunner | null) => (set.push(r), r as SparseMlaHeadRunner) };
  }

  it('ENGINELAB_NATIVE=0 keeps the wasm runner and logs nothing', () => {
    const h = host();
    const log: string[] = [];
    const r = installNativeSparseMla(h, { ENGINELAB_NATIVE: '0' }, (l) => log.push(l));
    expect(r).toEqual({ installed: null, reason: 'disabled by ENGINELAB_NATIVE=0' });
    expect(h.set).toEqual([]);
    expect(log).toEqual([]);
  });

  it('a bad ENGINELAB_NATIVE_THREADS logs one line and keeps the wasm runner', () => {
    const h = host();
    const log: string[] = [];
    const r = installNativeSparseMla(h, { ENGINELAB_NATIVE_THREADS: 'many' }, (l) => log.push(l));
    expect(r.installed).toBeNull();
    expect(h.set).toEqual([]);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^enginelab: sparse-MLA stays on WebAssembly: ENGINELAB_NATIVE_THREADS must be a positive integer/);
  });

  it.skipIf(skipNative)('installs the native runner with the requested threads', () => {
    requireAddon();
    const h = host();
    const log: string[] = [];
    const r = installNativeSparseMla(h, { ENGINELAB_NATIVE_THREADS: '3' }, (l) => log.push(l));
    expect(r).toEqual({ installed: 'native-avx2×3', reason: null });
    expect(h.set).toHaveLength(1);
    expect(h.set[0]!.path).toBe('native-avx2');
    expect(log).toEqual([]);
  });
});
