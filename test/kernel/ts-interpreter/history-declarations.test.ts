import { describe, expect, it } from 'vitest';
import { inlineDeclarations } from '../../../kernel/ts-interpreter/history-declarations';

describe('inlineDeclarations', () => {
  it('splits a cell declaration file into per-name global statements without declare/export', () => {
    const dts = [
      'declare const a: number, b: string;',
      'declare let c: Rng;',
      'declare function f(x: number): string;',
      'declare function f(x: string): number;',
      'declare abstract class K<T> {',
      '    v: T;',
      '}',
      'interface I {',
      '    n: number;',
      '}',
      'export { a, b, c, f, K, I };',
      '',
    ].join('\n');
    const m = inlineDeclarations(dts)!;
    expect(m.get('a')).toEqual(['const a: number;']);
    expect(m.get('b')).toEqual(['const b: string;']);
    expect(m.get('c')).toEqual(['let c: Rng;']);
    expect(m.get('f')).toEqual(['function f(x: number): string;', 'function f(x: string): number;']);
    expect(m.get('K')).toEqual(['abstract class K<T> {\n    v: T;\n}']);
    expect(m.get('I')).toEqual(['interface I {\n    n: number;\n}']);
  });

  it('declines files that import (they stay in their own declaration file)', () => {
    expect(inlineDeclarations('import * as arrow from "apache-arrow";\nexport { arrow };\n')).toBeUndefined();
    expect(inlineDeclarations('declare const t: import("apache-arrow").Table;\nexport { t };\n')).toBeUndefined();
  });
});
