/**
 * `withCostModel`: wraps any executor so its step times come from a `StepCostModel` instead of
 * its own. The composition root applies it once, so every runner (synthetic, numeric, future)
 * advances the virtual clock by the same rule; the inner executor's tokens are untouched.
 */
import type { Executor, StepCostModel } from '../contracts/executor';

/** An executor whose step times come from `costModel` (overriding the inner executor's own). */
export function withCostModel(inner: Executor, costModel: StepCostModel): Executor {
  return {
    execute(out) {
      const r = inner.execute(out);
      return { output: r.output, stepTimeUs: costModel.stepTimeUs(out) };
    },
    snapshotState: () => inner.snapshotState(),
    restoreState: (s) => inner.restoreState(s),
  };
}
