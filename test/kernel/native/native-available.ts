/**
 * Test helper: the native sparse-MLA addon for tests. Outside CI a machine without the build
 * (no gcc, no AVX2) skips the native tests; under CI=true the addon must be there (npm ci
 * builds it through package.json's install script), so its absence fails instead.
 */
import { setFlagsFromString } from 'node:v8';
import { loadSparseMlaNativeAddon } from '../../../kernel/native/native-addon';

// Node 20 keeps relaxed SIMD behind a V8 flag; set before the wasm kernels are first compiled so
// that the comparisons run against the same FMA build the kernel uses.
setFlagsFromString('--experimental-wasm-relaxed-simd');

export const isCI = process.env.CI === 'true';
export const nativeLoad = loadSparseMlaNativeAddon();
/** True when the native tests should skip (addon unusable here and not in CI). */
export const skipNative = nativeLoad.addon === null && !isCI;

/** The addon, or a failure naming why it is missing (reached only in CI or when it is present). */
export function requireAddon() {
  if (nativeLoad.addon === null) throw new Error(`the native sparse-MLA addon is required${isCI ? ' in CI' : ''}: ${nativeLoad.reason}`);
  return nativeLoad.addon;
}
