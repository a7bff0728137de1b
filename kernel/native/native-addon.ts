/**
 * Finds and loads the native sparse-MLA addon (build/sparse-mla-native.node, built from
 * native/sparse-mla by scripts/build-native.mjs during `npm ci`), refusing it when it would be
 * wrong to use: missing, built from other sources than the ones in this checkout (the source
 * hash compiled into it and recorded beside it must match the current C files), or on a CPU
 * without AVX2/FMA. Every refusal comes back as a reason, never as an exception.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions native/sparse-mla/addon.c exports. */
export interface SparseMlaNativeAddon {
  attendHeads(memory: Uint8Array, q: number, k: number, s: number, o: number, sink: number, stats: number,
    numHeadsPad: number, numCandidates: number, numFirstSubset: number, headDim: number, kStride: number,
    scale: number, threads: number): void;
  info(): { sourceHash: string; cpuSupported: boolean; maxThreads: number };
}

export type NativeAddonLoad = { readonly addon: SparseMlaNativeAddon; readonly reason: null } | { readonly addon: null; readonly reason: string };

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const NATIVE_SOURCE_DIR = join(root, 'native', 'sparse-mla');
export const NATIVE_BINARY = join(root, 'build', 'sparse-mla-native.node');
export const NATIVE_RECORD = join(root, 'build', 'sparse-mla-native.json');
const REBUILD = 'run npm run build:native';

/** sha256 over the kernel sources, exactly as scripts/build-native.mjs computes it. */
export function nativeSourceHash(dir = NATIVE_SOURCE_DIR): string {
  const h = createHash('sha256');
  for (const name of readdirSync(dir).filter((n) => /\.(c|h)$/.test(n)).sort()) {
    h.update(name + '\0');
    h.update(readFileSync(join(dir, name)));
    h.update('\0');
  }
  return h.digest('hex');
}

/** Where the loader looks (tests point it at copies to check the refusals). */
export interface NativeAddonPaths {
  readonly binary: string;
  readonly record: string;
  readonly sourceDir: string;
}
const DEFAULT_PATHS: NativeAddonPaths = { binary: NATIVE_BINARY, record: NATIVE_RECORD, sourceDir: NATIVE_SOURCE_DIR };

let cached: NativeAddonLoad | undefined;

/** The addon, or null with the reason it cannot be used here. Loaded once per process for the default paths. */
export function loadSparseMlaNativeAddon(paths?: NativeAddonPaths): NativeAddonLoad {
  if (paths !== undefined) return load(paths);
  cached ??= load(DEFAULT_PATHS);
  return cached;
}

function load({ binary, record, sourceDir }: NativeAddonPaths): NativeAddonLoad {
  const refuse = (reason: string): NativeAddonLoad => ({ addon: null, reason });
  if (process.platform !== 'linux' || process.arch !== 'x64') return refuse(`no native kernels for ${process.platform}-${process.arch}`);
  if (!existsSync(binary)) return refuse(`${binary} is missing (${REBUILD})`);
  let recorded: string | undefined;
  try {
    recorded = (JSON.parse(readFileSync(record, 'utf8')) as { sourceHash?: string }).sourceHash;
  } catch {
    return refuse(`${record} is missing or unreadable (${REBUILD})`);
  }
  let current: string;
  try {
    current = nativeSourceHash(sourceDir);
  } catch (e) {
    return refuse(`cannot read the native sources in ${sourceDir}: ${(e as Error).message}`);
  }
  if (recorded !== current) return refuse(`the native build is stale: built from other sources than ${sourceDir} (${REBUILD})`);
  let addon: SparseMlaNativeAddon;
  try {
    addon = createRequire(import.meta.url)(binary) as SparseMlaNativeAddon;
  } catch (e) {
    return refuse(`cannot load ${binary}: ${(e as Error).message.split('\n')[0]}`);
  }
  const info = addon.info();
  if (info.sourceHash !== current) return refuse(`${binary} was compiled from other sources than ${sourceDir} (${REBUILD})`);
  if (!info.cpuSupported) return refuse('this CPU lacks AVX2/FMA');
  return { addon, reason: null };
}
