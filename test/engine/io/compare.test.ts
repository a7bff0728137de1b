import { describe, expect, it } from 'vitest';
import { compare, maxErrorAlong, numberToF16Bits, unravelIndex } from '../../../engine/io/compare';
import { f16ToNumber, makeTensor } from '../../../engine/io/dtype';

describe('compare', () => {
  const ref = makeTensor('F32', [2, 3, 4], Float32Array.from({ length: 24 }, (_, i) => i / 4 - 3));

  it('identical tensors: nothing differs, all close, zero errors', () => {
    const r = compare(ref, ref);
    const t = r.tensors[0]!;
    expect(r.allClose).toBe(true);
    expect(t.numDiffering).toBe(0);
    expect(t.firstDiff).toBeUndefined();
    expect(t.maxAbsError!.value).toBe(0);
    expect(t.plot.absError.length).toBe(24);
  });

  it('reports the first differing element by multi-index and the max errors where they are', () => {
    const a = Float32Array.from(ref.data);
    a[13] = a[13]! + 0.5; // index [1, 0, 1]
    a[22] = Math.fround(a[22]! * (1 + 2 ** -20)); // a few ulps at [1, 2, 2]
    const r = compare(makeTensor('F32', [2, 3, 4], a), ref, { atol: 1e-3 });
    const t = r.tensors[0]!;
    expect(t.numDiffering).toBe(2);
    expect(t.firstDiff).toMatchObject({ flatIndex: 13, index: [1, 0, 1], b: ref.data[13], a: ref.data[13]! + 0.5 });
    expect(t.maxAbsError).toMatchObject({ flatIndex: 13, value: 0.5 });
    expect(t.maxRelError!.flatIndex).toBe(13);
    expect(t.numBeyondTolerance).toBe(1);
    expect(t.firstBeyondTolerance!.index).toEqual([1, 0, 1]);
    expect(t.allClose).toBe(false);
    expect(t.plot.ulpError[22]).toBe(10); // 2.5·2^-20 off, and float32 spacing at 2.5 is 2^-22 → 10 ulps
    expect(t.plot.absError[0]).toBe(0);
  });

  it('counts ULPs in the requested format', () => {
    expect(compare([1], [1 + 2 ** -52], { ulpDType: 'F64' }).tensors[0]!.maxUlpError!.value).toBe(1);
    expect(compare([1], [1 + 2 ** -23], { ulpDType: 'F32' }).tensors[0]!.maxUlpError!.value).toBe(1);
    expect(compare([1], [1 + 2 ** -7], { ulpDType: 'BF16' }).tensors[0]!.maxUlpError!.value).toBe(1);
    expect(compare([1], [1 + 2 ** -10], { ulpDType: 'F16' }).tensors[0]!.maxUlpError!.value).toBe(1);
    expect(compare([-(2 ** -24)], [2 ** -24], { ulpDType: 'F16' }).tensors[0]!.maxUlpError!.value).toBe(2); // across zero
    const bf = makeTensor('BF16', [2], Uint16Array.from([0x3f80, 0x3f81]));
    expect(compare(makeTensor('BF16', [2], Uint16Array.from([0x3f81, 0x3f81])), bf).tensors[0]!.maxUlpError).toMatchObject({ value: 1, flatIndex: 0 });
  });

  it('numberToF16Bits rounds to nearest even and round-trips every finite half', () => {
    const bad: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const v = f16ToNumber(h);
      if (!Number.isNaN(v) && numberToF16Bits(v) !== h) bad.push(h);
    }
    expect(bad).toEqual([]);
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(numberToF16Bits(70000)).toBe(0x7c00);
  });

  it('NaN handling: equal by default, differing on request; NaN against a number is an infinite error', () => {
    expect(compare([NaN, 1], [NaN, 1]).allClose).toBe(true);
    expect(compare([NaN, 1], [NaN, 1], { equalNan: false }).tensors[0]!.numBeyondTolerance).toBe(1);
    const t = compare([1, NaN], [1, 2], { atol: 10 }).tensors[0]!;
    expect(t.firstDiff!.index).toEqual([1]);
    expect(t.maxAbsError!.value).toBe(Infinity);
    expect(t.allClose).toBe(false);
  });

  it('uses numpy allclose semantics |a-b| <= atol + rtol*|b|', () => {
    expect(compare([1.01], [1], { rtol: 0.011 }).allClose).toBe(true);
    expect(compare([1.01], [1], { rtol: 0.009 }).allClose).toBe(false);
    expect(compare([0.02], [0], { rtol: 1 }).allClose).toBe(false);
    expect(compare([0.02], [0], { atol: 0.03 }).allClose).toBe(true);
  });

  it('named sets: pairs by name, reports missing names and shape mismatches', () => {
    const r = compare({ x: [1, 2], y: [1, 2, 3], z: [0] }, new Map([['x', [1, 2]], ['y', [1, 2]], ['w', [5]]]));
    expect(r.missingInA).toEqual(['w']);
    expect(r.missingInB).toEqual(['z']);
    const y = r.tensors.find((t) => t.name === 'y')!;
    expect(y.shapeMismatch).toEqual({ a: [3], b: [2] });
    expect(r.tensors.find((t) => t.name === 'x')!.allClose).toBe(true);
    expect(r.allClose).toBe(false);
  });

  it('rejects bad arguments by name', () => {
    expect(() => compare([1], [1], { atol: -1 })).toThrow(/atol/);
    expect(() => compare([1], [1], { rtol: NaN })).toThrow(/rtol/);
    expect(() => compare([1], { x: [1] })).toThrow(/both/);
    expect(() => compare(5 as never, [1])).toThrow(/a must be/);
  });

  it('maxErrorAlong reduces the error to the kept axes for plots', () => {
    const b = makeTensor('F32', [2, 3, 2], new Float32Array(12));
    const a = new Float32Array(12);
    a[1 * 6 + 2 * 2 + 1] = 0.25; // [1, 2, 1]
    a[0 * 6 + 1 * 2 + 0] = -0.5; // [0, 1, 0]
    const t = compare(makeTensor('F32', [2, 3, 2], a), b).tensors[0]!;
    expect(maxErrorAlong(t, [0, 1])).toEqual({ shape: [2, 3], values: Float64Array.from([0, 0.5, 0, 0, 0, 0.25]) });
    expect([...maxErrorAlong(t, [2]).values]).toEqual([0.5, 0.25]);
    expect([...maxErrorAlong(t, [1, 0]).values]).toEqual([0, 0, 0.5, 0, 0, 0.25]);
    expect(() => maxErrorAlong(t, [3])).toThrow(/keepAxes/);
  });

  it('unravelIndex is C order', () => {
    expect(unravelIndex(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unravelIndex(0, [])).toEqual([]);
  });
});
