/**
 * What the kernel benches share: their positive-integer flags, ipykernel as the peer kernel
 * (Debian's python3-ipykernel, launched the way its kernelspec does), and a quantile.
 */
import { spawnSync } from 'node:child_process';

/** `--name N` from the command line: a positive integer, else `fallback`. */
export function positiveIntArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

// debugpy inside ipykernel warns about frozen modules unless told not to validate.
const IPYKERNEL_ENV = { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' };

/** How to launch ipykernel here (argv with `{connection_file}`, env), or undefined without it. */
export function ipykernelLaunch(): { readonly argv: string[]; readonly env: NodeJS.ProcessEnv } | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import ipykernel'], { env: IPYKERNEL_ENV }).status === 0) {
      return { argv: [py, '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], env: IPYKERNEL_ENV };
    }
  }
  console.log('ipykernel not found (apt install python3-ipykernel): measuring enginelab alone');
  return undefined;
}

/** The q-quantile of `xs` (nearest rank, no interpolation). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
