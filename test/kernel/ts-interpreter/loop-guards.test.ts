// Interrupt guards in compiled cells: every loop kind gets one, on its own line, in erasable and
// re-emitted (enum/namespace/decorated) statements alike; without guardLoops nothing changes.
import { describe, expect, it } from 'vitest';
import { analyzeCell, compileCell } from '../../../kernel/ts-interpreter/cell-transform';
import { LOOP_GUARD } from '../../../kernel/ts-interpreter/loop-guards';

const guards = (js: string): number => js.split(`${LOOP_GUARD}();`).length - 1;
const compile = (code: string, guardLoops = true) => compileCell(analyzeCell(code), '__rt', undefined, guardLoops);

describe('loop guards', () => {
  it('puts one guard first in the body of each loop kind, on the line the body starts', () => {
    const code = [
      'let n: number = await Promise.resolve(0);',
      'while (n < 3) n++;',
      'do { n--; } while (n > 0)',
      'for (let i = 0; i < 2; i++) {',
      '  for (const k in { a: 1 }) n += k.length;',
      '}',
      'for (const v of [1, 2] as number[]) n += v;',
      'const f = (xs: number[]) => { for (;;) { if (xs.length) break; } };',
      'for (;;);',
    ].join('\n');
    const c = compile(code);
    expect(guards(c.js)).toBe(7);
    const lines = c.body.text.split('\n');
    expect(lines).toHaveLength(code.split('\n').length);
    expect(lines[1]).toBe(`while (n < 3) { ${LOOP_GUARD}(); n++; }`);
    expect(lines[2]).toBe(`do { ${LOOP_GUARD}(); n--; } while (n > 0)`);
    expect(lines[4]).toContain(`for (const k in { a: 1 }) { ${LOOP_GUARD}(); n += k.length; }`);
    expect(lines[8]).toBe(`for (;;){ ${LOOP_GUARD}(); ; }`);
    expect(guards(compile(code, false).js)).toBe(0);
  });

  it('in a synchronous cell (all of it under breakOnSigint) guards only loops inside functions and classes', () => {
    const code = [
      'let total = 0;',
      'for (let i = 0; i < 3; i++) total += i;',
      'function later(n: number) { while (n > 0) n--; return n; }',
      'class Spinner { static spin = () => { for (;;) { break; } }; run() { do {} while (false); } }',
      'setTimeout(() => { for (const x of [1]) total += x; }, 0);',
    ].join('\n');
    const lines = compile(code).body.text.split('\n');
    expect(lines[1]).toBe('for (let i = 0; i < 3; i++) total += i;');
    expect(lines[2]).toContain(`while (n > 0) { ${LOOP_GUARD}(); n--; }`);
    expect(lines[3]).toContain(`for (;;) { ${LOOP_GUARD}(); break; }`);
    expect(lines[3]).toContain(`do { ${LOOP_GUARD}();} while (false)`);
    expect(lines[4]).toContain(`for (const x of [1]) { ${LOOP_GUARD}(); total += x; }`);
    expect(guards(compile(code).js)).toBe(4);
  });

  it('guards loops in async cells, in classes and in statements the compiler re-emits', () => {
    const code = [
      'await 0;',
      'class Box { constructor(private xs: number[]) {} sum() { let s = 0; for (const x of this.xs) s += x; return s; } }',
      'namespace Ns { export function spin() { while (true) {} } }',
      'for await (const x of (async function* () { yield 1; })()) console.log(x);',
    ].join('\n');
    const c = compile(code);
    expect(c.isAsync).toBe(true);
    expect(guards(c.js)).toBe(3);
    // re-emitted statements may span more lines than written (as before); guards add none
    expect(c.body.text.split('\n')).toHaveLength(compile(code, false).body.text.split('\n').length);
    expect(c.body.text.split('\n').at(-1)).toContain(`console.log(x); }`);
  });

  it('runs: the guard is called once per iteration', () => {
    let calls = 0;
    const c = compile('function sums() {\n  let total = 0;\n  for (let i = 0; i < 5; i++) total += i;\n  let j = 0;\n  while (j < 3) { j++; }\n  return [total, j];\n}');
    const fn = new Function(LOOP_GUARD, `${c.js}\nreturn sums();`);
    expect(fn(() => calls++)).toEqual([10, 3]);
    expect(calls).toBe(8);
  });
});
