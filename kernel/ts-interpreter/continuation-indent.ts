/**
 * The `incomplete` answer of is_complete_request: the indent for the next line is the last
 * non-blank line's, one level deeper after an opener (`{`, `(`, `[`, `=>`). Shared by the type
 * checker's answer (is-complete.ts) and the socket thread's lexical one, so both indent alike;
 * it imports nothing heavy, since the socket thread must not load TypeScript.
 */
import type { IsCompleteResult } from '../interpreter';

const OPENERS = /[{([]\s*$|=>\s*$/;

export function incompleteWithIndent(code: string): IsCompleteResult {
  const lines = code.split('\n');
  let lastLine = '';
  for (let i = lines.length - 1; i >= 0 && lastLine === ''; i--) if (lines[i]!.trim() !== '') lastLine = lines[i]!;
  const base = /^\s*/.exec(lastLine)![0];
  return { status: 'incomplete', indent: OPENERS.test(lastLine) ? base + '  ' : base };
}
