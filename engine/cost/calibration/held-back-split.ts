/**
 * The fitted / held-back split of a calibration run: within each sweep (points that differ only in
 * the swept size — M of a GEMM, batch of a decode, tokens of a prefill), points alternate, the first
 * fitted, the next held back. The fit sees only the fitted half; errors are reported for both.
 */

export type Half = 'fitted' | 'heldBack';

/** Tags each point by its index within its series (`seriesKey`), ordered by `size`. */
export function splitHalves<T>(points: readonly T[], seriesKey: (p: T) => string, size: (p: T) => number): Half[] {
  const bySeries = new Map<string, number[]>();
  points.forEach((p, i) => {
    const k = seriesKey(p);
    const list = bySeries.get(k) ?? [];
    list.push(i);
    bySeries.set(k, list);
  });
  const out: Half[] = new Array<Half>(points.length).fill('fitted');
  for (const list of bySeries.values()) {
    list.sort((a, b) => size(points[a]!) - size(points[b]!) || a - b);
    list.forEach((idx, j) => { out[idx] = j % 2 === 0 ? 'fitted' : 'heldBack'; });
  }
  return out;
}

export interface ErrorSummary {
  readonly count: number;
  /** Mean and largest |predicted / measured − 1|. */
  readonly meanAbs: number;
  readonly maxAbs: number;
}

export function errorSummary(rel: readonly number[]): ErrorSummary {
  if (rel.length === 0) return { count: 0, meanAbs: 0, maxAbs: 0 };
  const abs = rel.map(Math.abs);
  return { count: rel.length, meanAbs: abs.reduce((a, b) => a + b, 0) / abs.length, maxAbs: Math.max(...abs) };
}
