/**
 * Completion without the type checker, for the socket thread to answer while the main thread
 * is blocked: `Std.pre` completes members of JavaScript's standard objects (the socket thread's
 * realm has the same ones as the cells'), a bare prefix completes keywords, standard globals
 * and identifiers that already appear in the cell. Positions count code points (protocol 5.2).
 */
import { codePointsToUtf16, utf16ToCodePoints } from '../protocol/code-points';

const STANDARD_OBJECTS = new Set(['Math', 'JSON', 'Object', 'Number', 'String', 'Array', 'Promise', 'Reflect', 'Intl', 'Date', 'Symbol', 'BigInt', 'Atomics', 'console', 'Map', 'Set', 'Error', 'RegExp']);
const KEYWORDS = ['await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null', 'return', 'switch', 'this', 'throw', 'true', 'try', 'type', 'typeof', 'undefined', 'var', 'void', 'while', 'yield'];

export interface QuickCompletion {
  readonly matches: string[];
  readonly cursorStart: number;
  readonly cursorEnd: number;
}

function membersOf(value: unknown): string[] {
  const names = new Set<string>();
  for (let o: unknown = value; o !== null && o !== undefined && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const n of Object.getOwnPropertyNames(o)) if (/^[A-Za-z_$][\w$]*$/.test(n) && n !== 'constructor') names.add(n);
  }
  return [...names];
}

/** `cursorPos` in code points; the result's positions too. */
export function quickComplete(code: string, cursorPos: number): QuickCompletion {
  const cursor = codePointsToUtf16(code, cursorPos);
  let start = cursor;
  while (start > 0 && /[\w$]/.test(code[start - 1]!)) start--;
  const prefix = code.slice(start, cursor);
  let candidates: string[];
  if (code[start - 1] === '.') {
    const chain = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\.$/.exec(code.slice(0, start))?.[1];
    const parts = chain?.split('.') ?? [];
    let value: unknown = parts.length > 0 && STANDARD_OBJECTS.has(parts[0]!) ? (globalThis as Record<string, unknown>)[parts[0]!] : undefined;
    for (const p of parts.slice(1)) value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[p];
    candidates = value === undefined ? [] : membersOf(value);
  } else {
    const inCell = code.match(/[A-Za-z_$][\w$]*/g) ?? [];
    candidates = [...KEYWORDS, ...Object.getOwnPropertyNames(globalThis).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)), ...inCell];
  }
  const matches = [...new Set(candidates)].filter((n) => n.startsWith(prefix) && n !== prefix).sort();
  return { matches, cursorStart: utf16ToCodePoints(code, start), cursorEnd: cursorPos };
}
