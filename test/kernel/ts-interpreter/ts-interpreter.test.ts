import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from 'tsx/cjs/api';
import path from 'node:path';
import { createTsInterpreter, type TsInterpreter } from '../../../kernel/ts-interpreter/index';
import { plain, recordingIO, run } from './helpers';

const root = path.resolve(__dirname, '../../..');
let interp: TsInterpreter;
let unregister: () => void;

beforeAll(() => {
  unregister = register();
  interp = createTsInterpreter({ projectRoot: root, cwd: path.join(root, 'notebooks'), engineModule: 'engine/base/index.ts', catchAsyncErrors: false, handleSigint: false });
  interp.prepare();
});
afterAll(async () => {
  await interp.shutdown();
  unregister();
});

describe('evaluation', () => {
  it('returns the last expression as text/plain and nothing for statements or undefined', async () => {
    expect(plain(await run(interp, '1 + 1'))).toBe('2');
    expect(plain(await run(interp, 'const unusedA = 3;'))).toBeUndefined();
    expect(plain(await run(interp, 'undefined'))).toBeUndefined();
    expect(plain(await run(interp, '[1, 2].map((v: number) => v * 2)'))).toBe('[ 2, 4 ]');
  });

  it('keeps bindings across cells and lets let/const/class/function be declared again', async () => {
    expect(plain(await run(interp, 'const a: number = 40;\nlet b = 2;\na + b'))).toBe('42');
    expect(plain(await run(interp, 'a * b'))).toBe('80');
    // re-running the same cell and re-declaring with another type both work
    expect(plain(await run(interp, 'const a: number = 40;\nlet b = 2;\na + b'))).toBe('42');
    expect(plain(await run(interp, 'const a = "text";\na.toUpperCase()'))).toBe("'TEXT'");
    expect(plain(await run(interp, 'a.length'))).toBe('4');
    expect(plain(await run(interp, 'class Point { constructor(public x: number) {} }\nfunction twice(p: Point) { return p.x * 2 }\ntwice(new Point(4))'))).toBe('8');
    expect(plain(await run(interp, 'class Point { y = 7 }\nfunction twice(p: Point) { return p.y * 2 }\ntwice(new Point())'))).toBe('14');
    expect(plain(await run(interp, 'b = 5; b'))).toBe('5');
  });

  it('type-checks against earlier cells: a later cell sees the declared types', async () => {
    await run(interp, 'const typedLater: { n: number } = { n: 1 };');
    const o = await run(interp, 'const s: string = typedLater.n;');
    expect(o.status).toBe('error');
    if (o.status === 'error') expect(o.evalue).toMatch(/number.*not assignable.*string/);
  });

  it('supports top-level await, keeping its bindings', async () => {
    expect(plain(await run(interp, 'const waited = await new Promise<number>((r) => setTimeout(() => r(21), 5));\nwaited * 2'))).toBe('42');
    expect(plain(await run(interp, 'waited + 1'))).toBe('22');
    expect(plain(await run(interp, 'async function later() { return 3 }\nconst got = await later();\nlater.name + got'))).toBe("'later3'");
    expect(plain(await run(interp, 'later.name'))).toBe("'later'");
  });

  it('handles enums, namespaces and parameter properties (non-erasable syntax)', async () => {
    expect(plain(await run(interp, 'enum Color { Red, Green }\nColor.Green'))).toBe('1');
    expect(plain(await run(interp, 'Color[0]'))).toBe("'Red'");
    expect(plain(await run(interp, 'namespace Geo { export const zero = 0 }\nGeo.zero'))).toBe('0');
  });

  it('reports type errors with the cell line and column and does not run the cell', async () => {
    await run(interp, 'let sideEffect = 0;');
    const o = await run(interp, 'sideEffect = 1;\nconst n: number = 1;\nconst bad: string = n;');
    expect(o.status).toBe('error');
    if (o.status !== 'error') return;
    expect(o.ename).toBe('TypeScriptError');
    expect(o.evalue).toContain('line 3, column 7');
    expect(o.traceback.join('\n')).toContain('const bad: string = n;');
    expect(plain(await run(interp, 'sideEffect'))).toBe('0');
  });

  it('reports syntax errors as SyntaxError', async () => {
    const o = await run(interp, 'const = 4');
    expect(o.status === 'error' && o.ename).toBe('SyntaxError');
  });

  it('maps runtime error frames to the cell own line numbers', async () => {
    const o = await run(interp, 'function thrower(x: number): number {\n  if (x > 1) {\n    throw new RangeError("too big: " + x);\n  }\n  return x;\n}\n\nthrower(5)');
    expect(o.status).toBe('error');
    if (o.status !== 'error') return;
    expect(o.ename).toBe('RangeError');
    expect(o.evalue).toBe('too big: 5');
    const tb = o.traceback.join('\n');
    expect(tb).toMatch(/at thrower \(Cell In\[\d+\]:3:11\)/);
    expect(tb).toMatch(/Cell In\[\d+\]:8:1/);
    expect(tb).not.toContain('ts-interpreter');
    // in a top-level-await cell too
    const o2 = await run(interp, 'await Promise.resolve();\n\n(null as any).boom;');
    expect(o2.status === 'error' && o2.traceback.join('\n')).toMatch(/Cell In\[\d+\]:3:/);
  });

  it('keeps working after a cell throws a non-Error value', async () => {
    const o = await run(interp, 'throw { code: 7 }');
    expect(o.status === 'error' && o.evalue).toBe('{"code":7}');
    expect(plain(await run(interp, '2 + 2'))).toBe('4');
  });
});

describe('imports and globals', () => {
  it('imports an npm package and keeps the binding typed in later cells', async () => {
    expect(plain(await run(interp, 'import { tableFromArrays } from "apache-arrow";\nconst table = tableFromArrays({ x: new Float64Array([1, 2, 3]) });\ntable.numRows'))).toBe('3');
    expect(plain(await run(interp, 'table.getChild("x")!.get(2)'))).toBe('3');
    const o = await run(interp, 'const wrong: string = table.numRows;');
    expect(o.status).toBe('error');
    expect(plain(await run(interp, 'import * as arrowNs from "apache-arrow";\ntypeof arrowNs.Table'))).toBe("'function'");
  });

  it('imports a project module relative to the project root', async () => {
    expect(plain(await run(interp, 'import { hashString } from "../engine/base/rng";\nhashString("abc") === engine.hashString("abc")'))).toBe('true');
    expect(plain(await run(interp, 'import { hashString as h2 } from "./engine/base/rng";\ntypeof h2'))).toBe("'function'");
  });

  it('exposes the engine exports as typed globals without an import', async () => {
    expect(plain(await run(interp, 'const rng = new Rng(42);\nconst first: number = rng.nextU32();\ntypeof first'))).toBe("'number'");
    expect(plain(await run(interp, 'engine.Rng === Rng'))).toBe('true');
    const o = await run(interp, 'rng.noSuchMethod()');
    expect(o.status === 'error' && o.ename).toBe('TypeScriptError');
    const o2 = await run(interp, 'const st: RngState = rng.state();');
    // RngState is a type-only export: usable as a global type
    expect(o2.status === 'error' ? o2.evalue : 'ok').not.toMatch(/Cannot find name 'RngState'/);
  });

  it('types values given to defineGlobals, and `any` when no type is given', async () => {
    interp.defineGlobals({ answer: 42, loose: { a: 1 } }, { answer: 'number' });
    expect(plain(await run(interp, 'answer + 1'))).toBe('43');
    const o = await run(interp, 'const wrongAnswer: string = answer;');
    expect(o.status).toBe('error');
    expect(plain(await run(interp, 'loose.anything === undefined'))).toBe('true');
    expect(() => interp.defineGlobals({ 'not valid': 1 })).toThrow(/not a valid identifier/);
  });
});

describe('output', () => {
  it('routes console and process.stdout/stderr writes to the running cell', async () => {
    const io = recordingIO();
    await run(interp, 'console.log("hello", { a: 1 });\nconsole.error("oops");\nprocess.stdout.write("raw\\n");', io);
    expect(io.text('stdout')).toBe('hello { a: 1 }\nraw\n');
    expect(io.text('stderr')).toBe('oops\n');
  });

  it('sends late output to the most recent cell and survives a closed stream', async () => {
    const first = recordingIO();
    await run(interp, 'setTimeout(() => console.log("late"), 20);', first);
    const second = recordingIO();
    await run(interp, '1', second);
    second.closed = true;
    await new Promise((r) => setTimeout(r, 60));
    expect(first.text()).toBe('');
    expect(plain(await run(interp, '"alive"'))).toBe("'alive'");
  });

  it('formats results with the display formatter and honours silent', async () => {
    const o = await run(interp, '({ a: [1, 2], b: "x" })');
    expect(o.status === 'ok' && o.result?.data['application/json']).toEqual({ a: [1, 2], b: 'x' });
    const silent = await run(interp, '5', recordingIO(), { silent: true });
    expect(silent.status === 'ok' && silent.result).toBeUndefined();
  });

  it('evaluates user_expressions', async () => {
    const o = await run(interp, 'const ue = 6;', recordingIO(), { userExpressions: { double: 'ue * 2', broken: 'nope.nope' } });
    expect(o.status).toBe('ok');
    if (o.status !== 'ok') return;
    expect(o.userExpressions.double).toEqual({ status: 'ok', data: { 'text/plain': '12' }, metadata: {} });
    expect(o.userExpressions.broken?.status).toBe('error');
  });
});

describe('completion and inspection', () => {
  it('completes members of engine objects and earlier-cell bindings', async () => {
    await run(interp, 'const myRng = new Rng(1);');
    const code = 'myRng.ne';
    const r = await interp.complete(code, code.length);
    expect(r.matches).toEqual(expect.arrayContaining(['next', 'nextU32']));
    expect(r.matches.every((m) => m.startsWith('ne'))).toBe(true);
    expect(r.cursorStart).toBe(6);
    expect(r.cursorEnd).toBe(8);
    const g = await interp.complete('myR', 3);
    expect(g.matches).toContain('myRng');
    const e = await interp.complete('engine.', 7);
    expect(e.matches).toEqual(expect.arrayContaining(['Rng', 'hashString']));
  });

  it('counts cursor positions in code points', async () => {
    const code = 'const emoji = "😀"; myRng.nextU';
    const cp = [...code].length;
    const r = await interp.complete(code, cp);
    expect(r.matches).toEqual(['nextU32']);
    expect(r.cursorEnd).toBe(cp);
    expect(r.cursorStart).toBe(cp - 5);
  });

  it('inspects with signature and doc comment', async () => {
    const code = 'myRng.nextU32';
    const r = await interp.inspect(code, code.length, 0);
    expect(r.found).toBe(true);
    expect(r.data['text/plain']).toContain('nextU32(): number');
    expect(r.data['text/plain']).toContain('Uniform 32-bit unsigned integer');
    expect(r.data['text/markdown']).toContain('```typescript');
    const none = await interp.inspect('   ', 1, 0);
    expect(none.found).toBe(false);
    await expect(interp.inspect('x', -1, 0)).rejects.toThrow(/cursorPos/);
  });

  it('answers is_complete', () => {
    expect(interp.isComplete('1 + 1')).toEqual({ status: 'complete' });
    expect(interp.isComplete('function f() {')).toEqual({ status: 'incomplete', indent: '  ' });
    expect(interp.isComplete('if (x) {\n    foo(')).toEqual({ status: 'incomplete', indent: '      ' });
    expect(interp.isComplete('const t = `abc')).toEqual({ status: 'incomplete', indent: '' });
    expect(interp.isComplete('1 +* 2')).toEqual({ status: 'invalid' });
    expect(interp.isComplete('const s = "abc')).toEqual({ status: 'invalid' });
  });

  it('reports kernel info for TypeScript', () => {
    const info = interp.info();
    expect(info.languageInfo.name).toBe('typescript');
    expect(info.languageInfo.file_extension).toBe('.ts');
  });
});

describe('fast completion path', () => {
  it('agrees with the language service on members and identifiers', async () => {
    await run(interp, 'const fastRng = new Rng(3);\nlet fastCount = 1;');
    await run(interp, 'fastCount + 1'); // leaves a current program behind
    const types = (interp as unknown as { types: import('../../../kernel/ts-interpreter/type-service').TypeService }).types;
    for (const code of ['fastRng.', 'fastRng.ne', 'engine.h', 'fastC', 'Math.ma', '[1, 2].fi', 'const local = 1;\nloc']) {
      types.warm();
      const fast = types.fastCompletions(code, code.length);
      expect(fast, code).toBeDefined();
      let start = code.length;
      while (start > 0 && /[\w$]/.test(code[start - 1]!)) start -= 1;
      const prefix = code.slice(start);
      const slow = (types.completions(code, code.length)?.entries ?? []).map((e) => e.name).filter((n) => n.startsWith(prefix) && !n.startsWith('__'));
      expect(new Set(fast!.names), code).toEqual(new Set(slow));
    }
    // strings and comments are left to the language service
    types.warm();
    expect(types.fastCompletions('"abc', 4)).toBeUndefined();
  });
});

describe('fast inspect path', () => {
  it('gives kind, owner, signature and doc comment from the current checker', async () => {
    await run(interp, 'fastCount + 2');
    const types = (interp as unknown as { types: import('../../../kernel/ts-interpreter/type-service').TypeService }).types;
    const m = types.fastQuickInfo('fastRng.nextU32', 12);
    expect(m?.signature).toBe('(method) Rng.nextU32(): number');
    expect(m?.documentation).toBe('Uniform 32-bit unsigned integer.');
    expect(types.fastQuickInfo('fastCount', 9)?.signature).toBe('(variable) fastCount: number');
    expect(types.fastQuickInfo('Rng', 3)?.signature).toBe('class Rng');
    expect(types.fastQuickInfo('1 + 1', 2)).toBeUndefined();
    const r = await interp.inspect('fastRng.nextU32()', 10, 1);
    expect(r.data['text/markdown']).toBe('```typescript\n(method) Rng.nextU32(): number\n```\n\nUniform 32-bit unsigned integer.');
  });
});
