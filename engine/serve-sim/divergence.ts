/**
 * The first batch at which two simulated runs schedule different work, and why. Two runs of the
 * same benchmark (same request ids `bench-<i>`) are compared batch by batch on what each request
 * got: skipped in one run, fewer drafts than `k` (a `max_tokens` cap), or a different graph mode
 * (one non-uniform request demotes the whole step from FULL, engine-semantics.md §10.4).
 */
import { EngineError } from '../base/errors';
import { numSpeculativeTokens } from '../config/engine-config';
import type { SimulateServeResult, TimelineRow } from './simulate-serve';

export interface RequestDifference {
  readonly reqId: string;
  /** Tokens scheduled in run A / run B (0 = not scheduled in that batch). */
  readonly numTokensA: number;
  readonly numTokensB: number;
}

export interface Divergence {
  /** Index of the batch (0-based launch order) where the runs first differ. */
  readonly batchIndex: number;
  readonly a: TimelineRow;
  readonly b: TimelineRow;
  readonly requests: readonly RequestDifference[];
  /** Plain-language reasons, one per kind of difference found. */
  readonly reasons: readonly string[];
}

export function firstDivergence(a: SimulateServeResult, b: SimulateServeResult): Divergence | null {
  if (a.batches === null || b.batches === null) {
    throw new EngineError('firstDivergence needs runs made with simulateServe({ …, keepBatches: true })', 'keepBatches');
  }
  const k = numSpeculativeTokens(a.engineConfig);
  const n = Math.min(a.batches.length, b.batches.length);
  for (let i = 0; i < n; i++) {
    const ma = new Map(a.batches[i]!.requests.map((r) => [r.reqId, r.numScheduledTokens]));
    const mb = new Map(b.batches[i]!.requests.map((r) => [r.reqId, r.numScheduledTokens]));
    const admitted = new Set([...a.batches[i]!.requests, ...b.batches[i]!.requests].filter((r) => r.kind === 'new').map((r) => r.reqId));
    const diffs: RequestDifference[] = [];
    for (const id of new Set([...ma.keys(), ...mb.keys()])) {
      const x = ma.get(id) ?? 0;
      const y = mb.get(id) ?? 0;
      if (x !== y) diffs.push({ reqId: id, numTokensA: x, numTokensB: y });
    }
    const ta = a.timeline[i]!;
    const tb = b.timeline[i]!;
    if (diffs.length === 0 && ta.graphMode === tb.graphMode) continue;
    const reasons: string[] = [];
    const q = 1 + k;
    const absent = diffs.filter((d) => d.numTokensA === 0 || d.numTokensB === 0);
    const late = absent.filter((d) => admitted.has(d.reqId));
    const skipped = absent.filter((d) => !admitted.has(d.reqId));
    if (late.length > 0) {
      const mode = (r: SimulateServeResult) => (r.engineConfig.asyncScheduling ? 'async' : 'sync');
      reasons.push(`${late.length} new request(s) admitted in one run only (e.g. ${late[0]!.reqId}: ${late[0]!.numTokensA} vs ${late[0]!.numTokensB} tokens; runs are ${mode(a)} vs ${mode(b)}) — `
        + 'with async scheduling the batch after a finishing step is already scheduled when the finish is seen, so a freed client slot is refilled one step later');
    }
    const partial = diffs.filter((d) => (d.numTokensA > 0 && d.numTokensA < q) || (d.numTokensB > 0 && d.numTokensB < q));
    if (skipped.length > 0) {
      reasons.push(`${skipped.length} request(s) scheduled in one run and skipped in the other (e.g. ${skipped[0]!.reqId}: ${skipped[0]!.numTokensA} vs ${skipped[0]!.numTokensB} tokens) — a max_tokens cap or skip rule treating in-flight tokens differently`);
    }
    if (k > 0 && partial.length > 0) {
      reasons.push(`${partial.length} request(s) got fewer than 1 + k = ${q} tokens in one run (partial drafts near max_tokens), which makes the step non-uniform`);
    }
    if (ta.graphMode !== tb.graphMode) {
      reasons.push(`graph mode ${ta.graphMode} vs ${tb.graphMode} (uniform decode: ${ta.uniformDecode} vs ${tb.uniformDecode})`);
    }
    if (ta.numDecodesOnPrefillPath !== tb.numDecodesOnPrefillPath) {
      reasons.push(`${ta.numDecodesOnPrefillPath} vs ${tb.numDecodesOnPrefillPath} decoding request(s) on the MLA prefill path — the backend `
        + 'takes one query length per batch, so the first request of another length and every later one in the batch run the prefill '
        + `path (GPU ${(ta.gpuUs / 1e3).toFixed(2)} vs ${(tb.gpuUs / 1e3).toFixed(2)} ms)`);
    }
    if (reasons.length === 0) reasons.push('different requests were admitted or finished (timing differs between the runs)');
    return { batchIndex: i, a: ta, b: tb, requests: diffs, reasons };
  }
  return null;
}
