import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa);
  });

  it('restores exactly from state, including a pending normal draw', () => {
    const a = new Rng(7);
    a.normal();
    const snap = JSON.parse(JSON.stringify(a.state()));
    const b = new Rng(snap);
    expect([a.normal(), a.next(), a.nextU32()]).toEqual([b.normal(), b.next(), b.nextU32()]);
  });

  it('fork does not advance the parent and gives distinct streams', () => {
    const a = new Rng(1), b = new Rng(1);
    const f = a.fork('x'), g = a.fork('y');
    expect(a.nextU32()).toBe(b.nextU32());
    expect(f.nextU32()).not.toBe(g.nextU32());
  });

  it('next() is in [0,1) with a plausible mean', () => {
    const r = new Rng(3);
    let s = 0;
    for (let i = 0; i < 20000; i++) { const x = r.next(); expect(x >= 0 && x < 1).toBe(true); s += x; }
    expect(Math.abs(s / 20000 - 0.5)).toBeLessThan(0.01);
  });
});
