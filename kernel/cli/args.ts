/**
 * A small argv parser for the subcommands: known flags only, values for options that take one,
 * and errors that name the argument.
 */

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Set<string>;
  readonly values: Map<string, string>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: readonly string[], spec: { flags?: readonly string[]; values?: readonly string[] }, command: string): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  const knownFlags = new Set(spec.flags ?? []);
  const knownValues = new Set(spec.values ?? []);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (knownFlags.has(name) && eq < 0) flags.add(name);
    else if (knownValues.has(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${command}: ${name} needs a value`);
      values.set(name, v);
    } else throw new UsageError(`${command}: unknown option ${name}`);
  }
  return { positional, flags, values };
}

/**
 * A numeric option's value, range-checked: `Number()` accepts "1e400" (Infinity) and "0x10", so
 * the text must be a plain decimal number and the result finite and within [min, max].
 */
export function numberArg(value: string, name: string, command: string, range: { readonly min: number; readonly max: number; readonly what: string }): number {
  const n = /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < range.min || n > range.max) throw new UsageError(`${command}: ${name} must be ${range.what}, got ${JSON.stringify(value)}`);
  return n;
}
