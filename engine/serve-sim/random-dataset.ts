/**
 * `vllm bench serve --dataset-name random` (engine-semantics.md §12.1): per-request input and output
 * lengths drawn uniformly from `[floor(I'(1−r)), ceil(I'(1+r))]` and
 * `[max(1, floor(O(1−r))), max(1, ceil(O(1+r)))]` (inclusive), where `I' = inputLen − special tokens`;
 * draws in vLLM's order (all input lengths, then all output lengths, then vocab offsets). vLLM uses
 * numpy's PCG64; this uses the engine's seeded `Rng`, so the *distribution* and draw order match but
 * not the individual numbers. `rangeRule: 'lower-bound'` is vLLM's old `benchmark_serving.py` rule
 * (and its harness fork): lengths in `[int(L·r), L]`, so `r = 1` gives fixed lengths. Prompt token ids are `(offset + i + j) mod vocab` after a shared
 * prefix; they are produced only on request (`promptTokenIds`), since lengths are what a simulated
 * server needs (no tokenizer round trip is modelled).
 */
import { EngineError } from '../base/errors';
import { Rng } from '../base/rng';

export interface RandomDatasetOptions {
  readonly numPrompts: number;
  readonly inputLen: number;
  readonly outputLen: number;
  /** One ratio for both, or separate input/output ratios; each in [0, 1). */
  readonly rangeRatio: number | { readonly input: number; readonly output: number };
  /** `symmetric` (vllm bench serve, default) or `lower-bound` (benchmark_serving.py). */
  readonly rangeRule?: 'symmetric' | 'lower-bound';
  readonly prefixLen: number;
  readonly seed: number;
  /** `tokenizer.num_special_tokens_to_add()` (e.g. 1 for a BOS). */
  readonly numSpecialTokens?: number;
  readonly vocabSize?: number;
}

export interface SampledRequest {
  readonly index: number;
  /** `prefixLen + input length`. */
  readonly promptLen: number;
  /** Becomes the request's `max_tokens`. */
  readonly expectedOutputLen: number;
  /** Offset into the vocabulary for this request's token pattern. */
  readonly vocabOffset: number;
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new EngineError(`${name}: expected an integer ≥ ${min}, got ${v}`, name);
}

function checkRatio(name: string, r: number, max1: boolean): void {
  if (typeof r !== 'number' || !(r >= 0 && (max1 ? r <= 1 : r < 1))) throw new EngineError(`${name}: expected a ratio in [0, 1${max1 ? ']' : ')'}, got ${r}`, name);
}

export function sampleRandomRequests(o: RandomDatasetOptions): SampledRequest[] {
  checkInt('numPrompts', o.numPrompts, 1);
  checkInt('inputLen', o.inputLen, 0);
  checkInt('outputLen', o.outputLen, 1);
  checkInt('prefixLen', o.prefixLen, 0);
  const ri = typeof o.rangeRatio === 'number' ? o.rangeRatio : o.rangeRatio.input;
  const ro = typeof o.rangeRatio === 'number' ? o.rangeRatio : o.rangeRatio.output;
  const lower = o.rangeRule === 'lower-bound';
  checkRatio('rangeRatio', ri, lower);
  checkRatio('rangeRatio', ro, lower);
  const vocab = o.vocabSize ?? 129_280;
  checkInt('vocabSize', vocab, 1);
  const base = lower ? o.inputLen : Math.max(0, o.inputLen - (o.numSpecialTokens ?? 0));
  const inLo = lower ? Math.floor(base * ri) : Math.floor(base * (1 - ri));
  const inHi = lower ? base : Math.ceil(base * (1 + ri));
  const outLo = lower ? Math.max(1, Math.floor(o.outputLen * ro)) : Math.max(1, Math.floor(o.outputLen * (1 - ro)));
  const outHi = lower ? o.outputLen : Math.max(1, Math.ceil(o.outputLen * (1 + ro)));
  const rng = new Rng(o.seed);
  const ins: number[] = [];
  const outs: number[] = [];
  const offs: number[] = [];
  for (let i = 0; i < o.numPrompts; i++) ins.push(rng.intRange(inLo, inHi));
  for (let i = 0; i < o.numPrompts; i++) outs.push(rng.intRange(outLo, outHi));
  for (let i = 0; i < o.numPrompts; i++) offs.push(rng.int(vocab));
  return ins.map((len, i) => ({ index: i, promptLen: o.prefixLen + len, expectedOutputLen: outs[i]!, vocabOffset: offs[i]! }));
}

/** Token ids of one sampled prompt: the shared prefix then `(offset + index + j) mod vocab`. */
export function promptTokenIds(req: SampledRequest, prefix: readonly number[], vocabSize = 129_280): number[] {
  const ids = [...prefix];
  for (let j = 0; ids.length < req.promptLen; j++) ids.push((req.vocabOffset + req.index + j) % vocabSize);
  return ids;
}
