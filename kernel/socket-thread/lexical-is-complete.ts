/**
 * is_complete without a parser: a scan of brackets, strings, template literals, comments and
 * regular expressions, cheap enough for the socket thread, which answers is_complete while the
 * main thread is blocked (warm-up, type checking). Rules: an unmatched closer or an unterminated
 * '…'/"…" string is invalid; an open bracket, template or block comment, or a line ending in an
 * operator, is incomplete (indent: the last line's, plus two after an opener); else complete.
 * The main thread's parser-based check (ts-interpreter/is-complete.ts) is stricter; both agree
 * on what matters to a console: whether Enter runs the cell or opens a new line.
 */
import type { IsCompleteResult } from '../interpreter';
import { incompleteWithIndent } from '../ts-interpreter/continuation-indent';

const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
/** After these (or at the start) a '/' begins a regular expression, not a division. */
const REGEX_AFTER = /[(,=:[!&|?{};+\-*%<>~^]$/;
/** Binary operators and separators that cannot end a statement (`x++`, `a!`, `T>` can). */
const TRAILING_OPERATOR = /(?:(?<![+-])[+-]|[=*%&|^?:,.]|(?<![\w$)\]]\s*)\/|=>)\s*$/;

export function lexicalIsComplete(code: string): IsCompleteResult {
  if (code.trim() === '') return { status: 'complete' };
  const stack: string[] = [];
  let i = 0;
  let lastSignificant = '';
  while (i < code.length) {
    const c = code[i]!;
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      while (i < code.length && code[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      if (end < 0) return incompleteWithIndent(code);
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < code.length && code[i] !== c) {
        if (code[i] === '\n') return { status: 'invalid' };
        i += code[i] === '\\' ? 2 : 1;
      }
      if (i >= code.length) return { status: 'invalid' };
      i++;
      lastSignificant = c;
      continue;
    }
    if (c === '`' || (c === '}' && stack[stack.length - 1] === '${')) {
      if (c === '}') stack.pop();
      i++;
      let closed = false;
      while (i < code.length) {
        if (code[i] === '\\') i += 2;
        else if (code[i] === '`') {
          closed = true;
          i++;
          break;
        } else if (code[i] === '$' && code[i + 1] === '{') {
          stack.push('${');
          i += 2;
          break;
        } else i++;
      }
      if (!closed && stack[stack.length - 1] !== '${') return incompleteWithIndent(code);
      lastSignificant = '`';
      continue;
    }
    if (c === '/' && (lastSignificant === '' || REGEX_AFTER.test(lastSignificant) || /\b(return|typeof|case|in|of)$/.test(code.slice(0, i).trimEnd()))) {
      i++;
      let inClass = false;
      while (i < code.length && (code[i] !== '/' || inClass)) {
        if (code[i] === '\n') return { status: 'invalid' };
        if (code[i] === '[') inClass = true;
        else if (code[i] === ']') inClass = false;
        i += code[i] === '\\' ? 2 : 1;
      }
      i++;
      lastSignificant = 'a';
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== PAIRS[c]) return { status: 'invalid' };
    }
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  if (stack.length > 0 || TRAILING_OPERATOR.test(stripLineComment(code))) return incompleteWithIndent(code);
  return { status: 'complete' };
}

function stripLineComment(code: string): string {
  const lines = code.trimEnd().split('\n');
  const last = lines[lines.length - 1]!;
  const at = last.indexOf('//');
  return at >= 0 && !/["'`]/.test(last.slice(0, at)) ? lines.slice(0, -1).concat(last.slice(0, at)).join('\n') : code;
}
