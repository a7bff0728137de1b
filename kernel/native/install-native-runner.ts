/**
 * Start-up wiring of the native sparse-MLA kernels into an engine instance: installs the
 * native head runner when the addon is built and usable, otherwise leaves the WebAssembly runner
 * in place and says why in one line. Never throws: a kernel must start even when the native
 * build is missing, stale or broken.
 *   ENGINELAB_NATIVE=0            keep the WebAssembly kernels
 *   ENGINELAB_NATIVE_THREADS=N    threads per attention call (default: the CPUs available, at most 4)
 */
import { availableParallelism } from 'node:os';
import type { SparseMlaHeadRunner } from '../../engine/index';
import { loadNativeHeadRunner } from './sparse-mla-native';

/** The slice of the engine this needs (the instance that cells use may be a CommonJS copy). */
export interface HeadRunnerHost {
  setSparseMlaHeadRunner(runner: SparseMlaHeadRunner | null): SparseMlaHeadRunner;
}

export interface NativeInstallResult {
  /** The runner's name when installed, else null. */
  readonly installed: string | null;
  /** Why not (null when installed). */
  readonly reason: string | null;
}

export function installNativeSparseMla(engine: HeadRunnerHost, env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => process.stderr.write(line + '\n')): NativeInstallResult {
  if (env['ENGINELAB_NATIVE'] === '0') return { installed: null, reason: 'disabled by ENGINELAB_NATIVE=0' };
  try {
    const raw = env['ENGINELAB_NATIVE_THREADS'];
    const threads = raw === undefined || raw === '' ? Math.min(4, availableParallelism()) : Number(raw);
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`ENGINELAB_NATIVE_THREADS must be a positive integer, got ${JSON.stringify(raw)}`);
    const { runner, reason } = loadNativeHeadRunner({ threads });
    if (runner === null) {
      log(`enginelab: sparse-MLA stays on WebAssembly: ${reason}`);
      return { installed: null, reason };
    }
    engine.setSparseMlaHeadRunner(runner);
    return { installed: runner.name, reason: null };
  } catch (e) {
    const reason = (e as Error).message;
    log(`enginelab: sparse-MLA stays on WebAssembly: ${reason}`);
    return { installed: null, reason };
  }
}
