// Every unsourced knob declares a plausible range with its reason, and every range names a knob
// simulateServe's `set:` accepts and acts on.
import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_CONSTANTS, type CostConstants } from '../../../engine/cost/cost-constants';
import { costConstantProvenance } from '../../../engine/cost/cost-provenance';
import { resolveSettings } from '../../../engine/serve-sim/serve-settings';
import { assumedRange, assumedRanges, NOT_ASSUMED, SIMULATION_ASSUMED_RANGES } from '../../../engine/sensitivity/assumed-ranges';
import { checkKnobRange, formatKnobValue, knobAt, knobEnds, type KnobRange } from '../../../engine/sensitivity/knob-range';

const ranges = assumedRanges();
const byName = new Map(ranges.map((r) => [r.name, r]));

describe('assumed ranges', () => {
  it('covers every cost constant tagged assumed, with a finite range containing its default and a reason', () => {
    const assumed = (Object.keys(DEFAULT_COST_CONSTANTS) as (keyof CostConstants)[]).filter((n) => costConstantProvenance(n).kind === 'assumed');
    expect(assumed.length).toBeGreaterThan(5);
    for (const name of assumed) {
      const p = costConstantProvenance(name);
      expect(p.range, name).toBeDefined();
      const r = byName.get(name);
      expect(r, name).toBeDefined();
      if (r!.kind !== 'number') throw new Error(`${name} should be a number range`);
      expect([r!.low, r!.high]).toEqual([...p.range!]);
      expect(Number.isFinite(r!.low) && Number.isFinite(r!.high) && r!.low < r!.high).toBe(true);
      expect(r!.base).toBe(DEFAULT_COST_CONSTANTS[name]);
      expect(r!.base).toBeGreaterThanOrEqual(r!.low);
      expect(r!.base).toBeLessThanOrEqual(r!.high);
      expect(r!.reason.length).toBeGreaterThan(10);
    }
    // Measured and sourced constants are not ranged as assumptions.
    for (const r of ranges.filter((x) => x.origin === 'cost constant')) expect(costConstantProvenance(r.name as keyof CostConstants).kind).toBe('assumed');
  });

  it('declares the simulation assumptions the issue names, each with a reason', () => {
    for (const name of ['acceptanceDispersion', 'uniformQueryLenSplit', 'acceptanceRates', 'nonKvReserveBytes']) {
      const r = assumedRange(name);
      expect(r.origin).toBe('simulation');
      expect(r.reason.length).toBeGreaterThan(40);
    }
    expect(knobEnds(assumedRange('uniformQueryLenSplit'))).toEqual([false, true]);
    expect(knobEnds(assumedRange('acceptanceDispersion'))).toEqual([0, 0.25]);
    for (const r of SIMULATION_ASSUMED_RANGES) expect(() => checkKnobRange(r)).not.toThrow();
  });

  it('every range names a knob resolveSettings accepts, and both ends change the resolved settings', () => {
    const base = JSON.stringify(resolveSettings({}, 3));
    for (const r of ranges) {
      for (const v of knobEnds(r)) {
        const s = resolveSettings({ [r.name]: v }, 3);
        const isBase = JSON.stringify(v) === JSON.stringify(r.base);
        if (!isBase) expect(JSON.stringify(s), `${r.name} = ${String(v)}`).not.toBe(base);
      }
    }
    for (const name of Object.keys(NOT_ASSUMED)) {
      const v = name === 'era' ? 'current' : name === 'maxTokensCapPolicy' ? 'skip_29759' : name === 'asyncSpecHostSync' ? 'zero_bubble_32951' : true;
      expect(() => resolveSettings({ [name]: v }, 3), name).not.toThrow();
      expect(byName.has(name), `${name} is both ranged and not assumed`).toBe(false);
    }
  });

  it('refuses malformed ranges, naming the knob', () => {
    const bad: KnobRange[] = [
      { kind: 'number', origin: 'simulation', name: 'x', low: 2, high: 1, base: 1.5, reason: 'r' },
      { kind: 'number', origin: 'simulation', name: 'x', low: 0, high: 1, base: 2, reason: 'r' },
      { kind: 'number', origin: 'simulation', name: 'x', low: 0, high: 1, base: 0.5, reason: ' ' },
      { kind: 'choice', origin: 'simulation', name: 'x', values: [true], base: true, reason: 'r' },
      { kind: 'vector', origin: 'simulation', name: 'x', low: [0, 0], high: [1], base: [0, 0], reason: 'r' },
    ];
    for (const r of bad) expect(() => checkKnobRange(r)).toThrow(/knob range 'x'/);
    expect(() => assumedRange('noSuchKnob')).toThrow(/acceptanceDispersion/);
  });

  it('knobAt spans a range: linear, log, choice and vector', () => {
    const lin: KnobRange = { kind: 'number', origin: 'simulation', name: 'a', low: 1, high: 3, base: 2, reason: 'r' };
    const log: KnobRange = { ...lin, scale: 'log', low: 1, high: 100, base: 10 };
    expect(knobAt(lin, 0)).toBe(1);
    expect(knobAt(lin, 0.5)).toBe(2);
    expect(knobAt(log, 0.5)).toBeCloseTo(10, 10);
    expect(knobAt(assumedRange('uniformQueryLenSplit'), 0.49)).toBe(false);
    expect(knobAt(assumedRange('uniformQueryLenSplit'), 0.5)).toBe(true);
    const v = knobAt(assumedRange('acceptanceRates'), 0.5) as number[];
    expect(v).toHaveLength(3);
    expect(v[0]).toBeCloseTo((0.5 + 0.762) / 2, 10);
    expect(() => knobAt(lin, 1)).toThrow(/\[0, 1\)/);
  });

  it('formats knob values for labels', () => {
    expect([6e9, 1.5e-5, 0.25, 0, 12, false].map((v) => formatKnobValue(v))).toEqual(['6e9', '1.5e-5', '0.25', '0', '12', 'false']);
    expect(formatKnobValue([0.762, 0.616, 0.5131])).toBe('0.762,0.616,0.5131');
  });
});
