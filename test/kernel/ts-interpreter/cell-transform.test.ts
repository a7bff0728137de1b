import { describe, expect, it } from 'vitest';
import vm from 'node:vm';
import { analyzeCell, compileCell } from '../../../kernel/ts-interpreter/cell-transform';
import { EditedText } from '../../../kernel/ts-interpreter/edit-map';

function compile(code: string) {
  return compileCell(analyzeCell(code), '__rt_test');
}

describe('analyzeCell', () => {
  it('finds declared names of every kind, top-level await and whether a result exists', () => {
    const a = analyzeCell('import def, { a as b, type T } from "m";\nconst { x, y: [z] } = o;\nlet w;\nfunction f() {}\nclass C {}\nenum E { A }\ninterface I {}\ntype U = 1;\nawait f();\nx + 1');
    expect(a.names.map((n) => `${n.kind}:${n.name}`)).toEqual(['import:def', 'import:b', 'type:T', 'const:x', 'const:z', 'let:w', 'function:f', 'class:C', 'enum:E', 'type:I', 'type:U']);
    expect(a.hasImports).toBe(true);
    expect(a.hasTopLevelAwait).toBe(true);
    expect(a.hasResult).toBe(true);
    expect(analyzeCell('async function g() { await 1 }').hasTopLevelAwait).toBe(false);
    expect(analyzeCell('x = 5').hasResult).toBe(false);
  });
});

describe('compileCell', () => {
  it('blanks types without moving any line or column', () => {
    const code = 'let n: number = (x as any)!;\nfunction id<T>(v: T, o?: string): T { return v; }\nclass P<T> implements Q { private readonly v!: T; }\nid<string>("a")';
    const c = compile(code);
    expect(c.isAsync).toBe(false);
    const lines = c.body.text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('var n         = (x       ) ;');
    expect(lines[1]).toBe('function id   (v   , o         )    { return v; }');
    expect(lines[3]).toBe('id        ("a")');
    // columns map one to one on erased lines
    expect(c.body.toOriginalPosition(4, 11)).toEqual({ line: 4, column: 11 });
  });

  it('produces scripts whose bindings land on the global object and can be declared again', () => {
    const g = globalThis as Record<string, unknown>;
    const first = compile('const redecl = 1;\nclass K { v = 2 }\nfunction fn() { return redecl }\nfn() + new K().v');
    expect(new vm.Script(first.js).runInThisContext()).toBe(3);
    const second = compile('const redecl = "again";\nclass K { v = 5 }\nnew K().v');
    expect(new vm.Script(second.js).runInThisContext()).toBe(5);
    expect(g.redecl).toBe('again');
    expect((g.fn as () => unknown)()).toBe('again');
  });

  it('wraps a top-level-await cell and returns its last value', async () => {
    const c = compile('const later = await Promise.resolve(4);\nfunction viaAwait() { return later }\nlater * 2');
    expect(c.isAsync).toBe(true);
    const r = (await new vm.Script(c.js).runInThisContext()) as { value: unknown };
    expect(r).toEqual({ value: 8 });
    expect((globalThis as unknown as Record<string, () => unknown>).viaAwait!()).toBe(4);
  });

  it('transpiles enums and parameter properties statement by statement', () => {
    const c = compile('enum Dir { Up = 3, Down }\nclass Holder { constructor(public held: number) {} }\nnew Holder(Dir.Down).held');
    expect(new vm.Script(c.js).runInThisContext()).toBe(4);
  });
});

describe('EditedText', () => {
  it('maps positions inside replacements to the replaced start and after them by offset', () => {
    const e = new EditedText('abc\ndef\nghi', [
      { start: 4, end: 7, text: 'XXXXXX\nYY' },
      { start: 0, end: 0, text: '>>' },
    ]);
    expect(e.text).toBe('>>abc\nXXXXXX\nYY\nghi');
    expect(e.toOriginalPosition(1, 3)).toEqual({ line: 1, column: 1 }); // 'a'
    expect(e.toOriginalPosition(3, 1)).toEqual({ line: 2, column: 1 }); // inside the replacement
    expect(e.toOriginalPosition(4, 2)).toEqual({ line: 3, column: 2 }); // 'h' moved down a line
    expect(() => new EditedText('abc', [{ start: 0, end: 2, text: '' }, { start: 1, end: 3, text: '' }])).toThrow(/overlapping/);
  });
});

describe('re-running `let x;`', () => {
  it('resets the binding to undefined, as a fresh let would', () => {
    new vm.Script(compile('let resetMe = 5;').js).runInThisContext();
    new vm.Script(compile('let resetMe;').js).runInThisContext();
    expect((globalThis as Record<string, unknown>).resetMe).toBeUndefined();
  });
});
