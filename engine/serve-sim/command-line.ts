/**
 * POSIX-shell-like word splitting for pasted command lines: single quotes are literal, double
 * quotes allow `\"` and `\\`, a backslash outside quotes escapes the next character, and a
 * backslash-newline (a line continuation) disappears. No expansion of variables or globs.
 */
import { ConfigError } from '../base/errors';

export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const ch = line[i]!;
    if (ch === '\\') {
      const next = line[i + 1];
      if (next === '\n') i += 2;
      else if (next === '\r' && line[i + 2] === '\n') i += 3;
      else if (next !== undefined) {
        cur += next;
        has = true;
        i += 2;
      } else i++;
    } else if (ch === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new ConfigError([{ path: 'commandLine', message: `unterminated single quote at character ${i}` }]);
      cur += line.slice(i + 1, j);
      has = true;
      i = j + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new ConfigError([{ path: 'commandLine', message: 'unterminated double quote' }]);
        const c = line[i]!;
        if (c === '"') break;
        if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          cur += line[i + 1];
          i += 2;
        } else {
          cur += c;
          i++;
        }
      }
      has = true;
      i++;
    } else if (/\s/.test(ch)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
      i++;
    } else {
      cur += ch;
      has = true;
      i++;
    }
  }
  if (has) out.push(cur);
  return out;
}
