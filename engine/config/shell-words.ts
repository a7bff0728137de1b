/**
 * Splits a pasted shell command line into words the way a POSIX shell would for the cases that
 * appear in `vllm serve` recipes: single and double quotes, backslash escapes, backslash-newline
 * continuations, and `#` comments at word starts. No expansion is performed.
 */
import { EngineError } from '../base/errors';

export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '\\') {
      const next = line[i + 1];
      if (next === '\n') {
        i += 2;
        continue;
      }
      if (next === '\r' && line[i + 2] === '\n') {
        i += 3;
        continue;
      }
      if (next !== undefined) cur += next;
      inWord = true;
      i += 2;
      continue;
    }
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new EngineError('unterminated single quote in the command line', 'commandLine');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\' || line[i + 1] === '$' || line[i + 1] === '`')) {
          cur += line[i + 1];
          i += 2;
        } else if (line[i] === '\\' && line[i + 1] === '\n') {
          i += 2;
        } else {
          cur += line[i];
          i++;
        }
      }
      if (i >= line.length) throw new EngineError('unterminated double quote in the command line', 'commandLine');
      inWord = true;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    if (ch === '#' && !inWord) {
      while (i < line.length && line[i] !== '\n') i++;
      continue;
    }
    cur += ch;
    inWord = true;
    i++;
  }
  if (inWord) words.push(cur);
  return words;
}
