// The socket thread's cheap answers (used while the main thread is blocked) and the claim word
// that makes exactly one thread answer a prompt request.
import { describe, expect, it } from 'vitest';
import { lexicalIsComplete } from '../../../kernel/socket-thread/lexical-is-complete';
import { quickComplete } from '../../../kernel/socket-thread/quick-complete';
import { mainThreadTakes } from '../../../kernel/socket-thread/prompt-answers';
import { murmur2 } from '../../../kernel/debugger/murmur2';

describe('lexical is_complete', () => {
  it.each([
    ['1+1', 'complete'],
    ['x++', 'complete'],
    ['const re = /a}b/;', 'complete'],
    ['`a\nb`', 'complete'],
    ['const m = new Map<string, number>()', 'complete'],
    ['function f() {', 'incomplete'],
    ['foo(\n  1,', 'incomplete'],
    ['const a = `x${1', 'incomplete'],
    ['/* open', 'incomplete'],
    ['a +', 'incomplete'],
    ['}', 'invalid'],
    ['let s = "abc', 'invalid'],
  ])('%j is %s', (code, status) => {
    expect(lexicalIsComplete(code).status).toBe(status);
  });

  it('indents after an opener', () => {
    expect(lexicalIsComplete('  if (x) {')).toEqual({ status: 'incomplete', indent: '    ' });
  });
});

describe('quick completion', () => {
  it('completes members of standard objects and names in the cell, in code points', () => {
    expect(quickComplete('Math.ma', 7)).toEqual({ matches: ['max'], cursorStart: 5, cursorEnd: 7 });
    const r = quickComplete('const 🚀total = 1; 🚀to', 20);
    expect(r.cursorEnd).toBe(20);
    expect(quickComplete('const totalTokens = 1; tot', 26).matches).toContain('totalTokens');
    expect(quickComplete('someObject.fo', 13).matches).toEqual([]);
  });
});

describe('claim word', () => {
  it('lets the main thread take a message once and never after the socket thread claimed it', () => {
    const claim = new Int32Array(new SharedArrayBuffer(4));
    expect(mainThreadTakes({ claim })).toBe(true);
    expect(mainThreadTakes({ claim })).toBe(false);
    const taken = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(taken, 0, 2);
    expect(mainThreadTakes({ claim: taken })).toBe(false);
    expect(mainThreadTakes({})).toBe(true);
  });
});

describe('murmur2', () => {
  it('matches ipykernel’s murmur2_x86 with its seed (values computed by ipykernel.compiler)', () => {
    expect(murmur2('', 0xc70f6907)).toBe(3990065800);
    expect(murmur2('abc', 0xc70f6907)).toBe(3350977461);
    expect(murmur2('const x = 1;\nx + 1', 0xc70f6907)).toBe(2374132807);
    expect(murmur2('héllo ✓ 🚀', 0xc70f6907)).toBe(3876581340);
  });
});
