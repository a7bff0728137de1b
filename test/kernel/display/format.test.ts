import { describe, expect, it } from 'vitest';
import { format, type DisplayFormatter } from '../../../kernel/display/format';
import { JUPYTER_DISPLAY } from '../../../kernel/display/mime';

const toDisplayBundle = (v: unknown, options?: Parameters<typeof format>[2]) => format(v, [], options);

describe('format', () => {
  it('always gives text/plain via util.inspect without colours', () => {
    const b = toDisplayBundle({ a: [1, { b: 2 }] });
    expect(b.data['text/plain']).toBe('{ a: [ 1, { b: 2 } ] }');
    expect(b.data['text/plain']).not.toMatch(/\x1b\[/);
    expect(toDisplayBundle('str').data['text/plain']).toBe("'str'");
    expect(toDisplayBundle(new Map([[1, 2]])).data).toEqual({ 'text/plain': 'Map(1) { 1 => 2 }' });
  });

  it('adds application/json only for plain JSON data (objects, not strings)', () => {
    expect(toDisplayBundle({ x: 1, y: [true, null] }).data['application/json']).toEqual({ x: 1, y: [true, null] });
    expect(toDisplayBundle(new Date(0)).data['application/json']).toBeUndefined();
    expect(toDisplayBundle({ n: NaN }).data['application/json']).toBeUndefined();
    expect(toDisplayBundle(42).data['application/json']).toBeUndefined();
  });

  it('recognises PNG bytes by their magic number', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]);
    expect(toDisplayBundle(png).data['image/png']).toBe(Buffer.from(png).toString('base64'));
    expect(toDisplayBundle(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])).data['image/png']).toBeUndefined();
  });

  it('passes a raw bundle through exactly, JSON types as objects', () => {
    const bundle = { data: { 'application/vnd.custom+json': { k: [1] }, 'text/html': '<b>x</b>' }, metadata: { m: 1 } };
    expect(toDisplayBundle(bundle, { raw: true })).toEqual(bundle);
    expect(toDisplayBundle({ 'text/markdown': '# hi' }, { raw: true })).toEqual({ data: { 'text/markdown': '# hi' }, metadata: {} });
    expect(() => toDisplayBundle('nope', { raw: true })).toThrow(/raw: true/);
  });

  it('lets the Jupyter.display symbol win over the formatter list and defaults', () => {
    const all: DisplayFormatter[] = [{ test: () => true, format: () => ({ 'text/html': '<i>formatter</i>' }) }];
    const own = { [JUPYTER_DISPLAY]: () => ({ 'text/html': '<b>own</b>' }) };
    const b = format(own, all);
    expect(b.data['text/html']).toBe('<b>own</b>');
    expect(typeof b.data['text/plain']).toBe('string');
    const withMeta = { [JUPYTER_DISPLAY]: () => ({ data: { 'text/plain': 'P' }, metadata: { isolated: true } }) };
    expect(format(withMeta, all)).toEqual({ data: { 'text/plain': 'P' }, metadata: { isolated: true } });
    expect(format('plain', all).data['text/html']).toBe('<i>formatter</i>');
  });

  it('tries the list in order before the defaults, the first that answers wins, skipping undefined results', () => {
    class Fig {
      traces = 2;
    }
    const plotly: DisplayFormatter = { test: (v) => v instanceof Fig, format: () => ({ 'application/vnd.plotly.v1+json': { data: [] } }) };
    const declines: DisplayFormatter = { test: (v) => v instanceof Fig, format: () => undefined };
    const text: DisplayFormatter = { test: (v) => v instanceof Fig, format: () => ({ 'text/plain': 'Figure(2 traces)' }) };
    const throwing: DisplayFormatter = { test: () => { throw new Error('bad test'); }, format: () => ({ 'text/plain': 'never' }) };
    const b = format(new Fig(), [throwing, declines, plotly, text]);
    expect(b.data['application/vnd.plotly.v1+json']).toEqual({ data: [] });
    expect(b.data['text/plain']).toBe('Fig { traces: 2 }');
    expect(format(new Fig(), [text, plotly]).data).toEqual({ 'text/plain': 'Figure(2 traces)' });
    expect(format(new Fig(), []).data).toEqual({ 'text/plain': 'Fig { traces: 2 }' }); // a class instance is not plain JSON
    expect(format({ x: 1 }, [plotly]).data['application/json']).toEqual({ x: 1 }); // no match: the defaults
    expect(() => format(new Fig(), [{} as never])).toThrow(/test\(value\) and format\(value\)/);
  });

  it('keeps no state between calls: a list given once is not used by the next call', () => {
    const html: DisplayFormatter = { test: () => true, format: () => ({ 'text/html': '<b>x</b>' }) };
    expect(format(1, [html]).data['text/html']).toBe('<b>x</b>');
    expect(format(1).data).toEqual({ 'text/plain': '1' });
  });
});
