/**
 * Validation of request content fields: bad input from a frontend becomes a TypeError naming
 * the field, which the core turns into an error reply.
 */

export function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new TypeError(`${name} must be a string`);
  return v;
}

export function optStr(v: unknown, name: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, name);
}

/** `cursor_pos` in code points; defaults to the end of the code. */
export function cursorArg(v: unknown, code: string): number {
  if (v === undefined || v === null) return [...code].length;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError('cursor_pos must be a non-negative integer');
  return v;
}

export function userExpressionsArg(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new TypeError('user_expressions must be an object of strings');
  for (const [k, e] of Object.entries(v)) if (typeof e !== 'string') throw new TypeError(`user_expressions.${k} must be a string`);
  return v as Record<string, string>;
}
