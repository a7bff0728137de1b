/**
 * The one shell-word splitter for pasted command lines (`vllm serve`, `vllm bench serve`,
 * `benchmark_serving.py`, `export …` lines). It follows a POSIX shell for what recipes contain:
 * single and double quotes, backslash escapes, backslash-newline continuations, `#` comments at
 * word starts, and command separators (an unquoted newline, `;`, `&&`, `||`). Nothing is expanded.
 */
import { EngineError } from '../base/errors';

/** One simple command: its words in order (env assignments and `export` included). */
export type ShellCommand = string[];

/** Every command of a pasted text, in order; blank lines and comments give no command. */
export function shellCommands(text: string): ShellCommand[] {
  if (typeof text !== 'string') throw new EngineError('expected the command line as a string', 'commandLine');
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let cur = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(cur);
    cur = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === '\n') i += 2;
      else if (next === '\r' && text[i + 2] === '\n') i += 3;
      else {
        if (next !== undefined) cur += next;
        inWord = true;
        i += 2;
      }
      continue;
    }
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new EngineError('unterminated single quote in the command line', 'commandLine');
      cur += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        const n = text[i + 1];
        if (text[i] === '\\' && (n === '"' || n === '\\' || n === '$' || n === '`')) {
          cur += n;
          i += 2;
        } else if (text[i] === '\\' && n === '\n') i += 2;
        else cur += text[i++];
      }
      if (i >= text.length) throw new EngineError('unterminated double quote in the command line', 'commandLine');
      inWord = true;
      i++;
      continue;
    }
    if (ch === '\n' || ch === ';') {
      endCommand();
      i++;
      continue;
    }
    if ((ch === '&' || ch === '|') && text[i + 1] === ch) {
      endCommand();
      i += 2;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      endWord();
      i++;
      continue;
    }
    if (ch === '#' && !inWord) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    cur += ch;
    inWord = true;
    i++;
  }
  endCommand();
  return commands;
}

/** All words of a pasted line, separators dropped (one command's words for a single line). */
export function shellWords(line: string): string[] {
  return shellCommands(line).flat();
}

/** `NAME=value` (a shell variable assignment)? */
export function isAssignment(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);
}

/** Splits `NAME=value` at the first `=`. */
export function splitAssignment(word: string): [string, string] {
  const eq = word.indexOf('=');
  return [word.slice(0, eq), word.slice(eq + 1)];
}
