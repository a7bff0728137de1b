import { describe, expect, it } from 'vitest';
import { DEEPSEEK_MTP_ACCEPTANCE_RATES, PerPositionAcceptance } from '../../../engine/spec-decode/acceptance-model';
import { DispersedAcceptance } from '../../../engine/spec-decode/dispersed-acceptance';
import { Rng } from '../../../engine/base/rng';

const RATES = DEEPSEEK_MTP_ACCEPTANCE_RATES.slice(0, 3);

describe('DispersedAcceptance (per-request acceptance)', () => {
  it('σ = 0 is exactly the per-position model, whatever the request key', () => {
    const base = new PerPositionAcceptance(RATES);
    const d = new DispersedAcceptance(RATES, 0);
    const rng = new Rng(5);
    for (let t = 0; t < 500; t++) {
      const u = [rng.next(), rng.next(), rng.next()];
      expect(d.numAccepted(3, (i) => u[i]!, t * 7919)).toBe(base.numAccepted(3, (i) => u[i]!));
    }
  });

  it('each request keeps one factor; factors are log-normal with the configured σ; conditionals stay ≤ 1', () => {
    const d = new DispersedAcceptance(RATES, 0.1);
    expect(d.factorFor(12345)).toBe(d.factorFor(12345));
    const logs: number[] = [];
    for (let key = 1; key <= 4000; key++) logs.push(Math.log(d.factorFor(key * 2654435761 >>> 0)));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(sd).toBeGreaterThan(0.09);
    expect(sd).toBeLessThan(0.11);
    const big = new DispersedAcceptance(RATES, 2);
    for (let key = 1; key < 200; key++) expect(big.conditionalAt(0, key)).toBeLessThanOrEqual(1);
  });

  it('requests differ: a request’s empirical acceptance follows its own factor', () => {
    const d = new DispersedAcceptance(RATES, 0.3);
    const keys = Array.from({ length: 200 }, (_, i) => (i + 1) * 40503);
    const lo = keys.reduce((a, k) => (d.factorFor(k) < d.factorFor(a) ? k : a));
    const hi = keys.reduce((a, k) => (d.factorFor(k) > d.factorFor(a) ? k : a));
    const rng = new Rng(9);
    const meanAccepted = (key: number) => {
      let s = 0;
      for (let t = 0; t < 3000; t++) s += d.numAccepted(3, () => rng.next(), key);
      return s / 3000;
    };
    expect(meanAccepted(hi)).toBeGreaterThan(meanAccepted(lo) + 0.5);
  });

  it('bad dispersion is refused with the argument named', () => {
    expect(() => new DispersedAcceptance(RATES, -0.1)).toThrow(/acceptanceDispersion/);
    expect(() => new DispersedAcceptance(RATES, Number.NaN)).toThrow(/acceptanceDispersion/);
  });
});
