/**
 * Nelder–Mead simplex minimisation, deterministic (fixed initial simplex, fixed iteration budget),
 * for fitting a handful of cost-model parameters to measured kernel times. Parameters are searched in
 * log space by the callers, so every fitted constant stays positive.
 */

export interface MinimizeResult {
  readonly x: number[];
  readonly value: number;
  readonly iterations: number;
}

/** Minimises `f` from `x0`; `step` is the initial simplex edge per coordinate. */
export function nelderMead(f: (x: readonly number[]) => number, x0: readonly number[], step = 0.5, maxIterations = 4000, tolerance = 1e-12): MinimizeResult {
  const n = x0.length;
  let simplex: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] = p[i]! + step;
    simplex.push(p);
  }
  let values = simplex.map(f);
  let it = 0;
  for (; it < maxIterations; it++) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((p) => p[1]);
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    if (Math.abs(values[n]! - values[0]!) <= tolerance * (Math.abs(values[0]!) + tolerance)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]![j]! / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[n]![j]! - c));
    const reflected = along(-1);
    const fr = f(reflected);
    if (fr < values[0]!) {
      const expanded = along(-2);
      const fe = f(expanded);
      if (fe < fr) { simplex[n] = expanded; values[n] = fe; } else { simplex[n] = reflected; values[n] = fr; }
    } else if (fr < values[n - 1]!) {
      simplex[n] = reflected; values[n] = fr;
    } else {
      const contracted = fr < values[n]! ? along(-0.5) : along(0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, values[n]!)) {
        simplex[n] = contracted; values[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
          values[i] = f(simplex[i]!);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[best]!) best = i;
  return { x: simplex[best]!, value: values[best]!, iterations: it };
}

/**
 * The range a fitted parameter may take: any positive value; a fraction in (0, 1) (an efficiency
 * of a datasheet peak, an overlap share); or at least 1 (a smooth-maximum sharpness, where below 1
 * the combination would exceed the sum of its parts).
 */
export type ParamRange = 'positive' | 'fraction' | 'atLeastOne';

const fromFree: Record<ParamRange, (x: number) => number> = {
  positive: (x) => Math.exp(x),
  fraction: (x) => 1 / (1 + Math.exp(-x)),
  atLeastOne: (x) => 1 + Math.exp(x),
};
const toFree: Record<ParamRange, (p: number) => number> = {
  positive: (p) => Math.log(p),
  fraction: (p) => { const q = Math.min(1 - 1e-9, Math.max(1e-9, p)); return Math.log(q / (1 - q)); },
  atLeastOne: (p) => Math.log(Math.max(1e-9, p - 1)),
};

/** Fits parameters (each within its range) by minimising Σ log²(predicted / measured); restarts twice from the optimum. */
export function fitLogSquares<P extends string>(names: readonly P[], initial: Record<P, number>, predict: (p: Record<P, number>, i: number) => number, measured: readonly number[], range: (name: P) => ParamRange = () => 'positive'): Record<P, number> {
  const toParams = (x: readonly number[]) => Object.fromEntries(names.map((k, i) => [k, fromFree[range(k)](x[i]!)])) as Record<P, number>;
  const loss = (x: readonly number[]) => {
    const p = toParams(x);
    let s = 0;
    for (let i = 0; i < measured.length; i++) {
      const r = Math.log(predict(p, i) / measured[i]!);
      s += Number.isFinite(r) ? r * r : 1e6;
    }
    return s;
  };
  let x = names.map((k) => toFree[range(k)](initial[k]));
  for (let round = 0; round < 3; round++) x = nelderMead(loss, x, round === 0 ? 0.7 : 0.2).x;
  return toParams(x);
}
