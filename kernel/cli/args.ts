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
