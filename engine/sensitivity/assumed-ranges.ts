/**
 * The one list of unsourced knobs of a simulated serving run and their plausible ranges: every
 * cost constant that cost-provenance.ts tags `assumed` (its range and reasoning come from there,
 * never copied), and the simulation's own assumptions (serve-settings.ts). Knobs that are facts
 * of vLLM (the era toggles, which follow merged PRs; `uniformDecodeRequiresExactK`, which is how
 * vLLM's dispatcher keys graphs) are listed in `NOT_ASSUMED` with why, so a reader sees both sides.
 */
import { EngineError } from '../base/errors';
import { DEFAULT_COST_CONSTANTS, type CostConstants } from '../cost/cost-constants';
import { costConstantProvenance } from '../cost/cost-provenance';
import { DEFAULT_ACCEPTANCE_DISPERSION, NON_KV_RESERVE_BYTES } from '../serve-sim/serve-settings';
import { DEEPSEEK_MTP_ACCEPTANCE_RATES } from '../spec-decode/acceptance-model';
import { checkKnobRange, type KnobRange } from './knob-range';

/** The simulation settings that are assumptions, each with its range and reason. */
export const SIMULATION_ASSUMED_RANGES: readonly KnobRange[] = [
  {
    kind: 'number', origin: 'simulation', name: 'acceptanceDispersion', low: 0, high: 0.25, base: DEFAULT_ACCEPTANCE_DISPERSION,
    reason: 'σ of the per-request log factor on acceptance. No public per-request acceptance distribution for DeepSeek MTP exists '
      + "(hardware-and-models.md §4.4). 0 is vLLM's synthetic sampler (every request alike, lockstep waves); at 0.25 a request one σ out "
      + 'accepts about a quarter more or less than the mean, a wider spread than any single-dataset figure suggests.',
  },
  {
    kind: 'choice', origin: 'simulation', name: 'uniformQueryLenSplit', values: [false, true], base: true,
    reason: "FlashInfer-MLA declares uniform query-length support, so vLLM's split_decodes_and_prefills(require_uniform=True) sends "
      + 'every request from the first odd-length one on down the MLA prefill path (read from vLLM source, not from a profile of the '
      + "report's run). false = a backend that takes mixed query lengths (VARLEN), where a partial draft costs only the graph demotion.",
  },
  {
    kind: 'vector', origin: 'simulation', name: 'acceptanceRates', low: [0.5, 0.3, 0.15], high: DEEPSEEK_MTP_ACCEPTANCE_RATES.slice(0, 3),
    base: DEEPSEEK_MTP_ACCEPTANCE_RATES.slice(0, 3),
    reason: 'Per-position MTP acceptance for k = 3. The default is GSM8K at temperature 0 (vLLM PR #48892), an easy case; no figure '
      + 'exists for R1 on the random dataset, whose outputs are likely less predictable, so the range runs down to 0.5/0.3/0.15 '
      + '(AL ≈ 1.95 instead of 2.89) and not above the GSM8K figure. Ranged for k ≤ 3 only.',
  },
  {
    kind: 'number', origin: 'simulation', name: 'nonKvReserveBytes', low: 6e9, high: 20e9, base: NON_KV_RESERVE_BYTES,
    reason: 'Memory held back from the KV cache besides weights (activations at max-num-batched-tokens, NCCL buffers, CUDA graphs); '
      + "vLLM profiles it at start-up and no profile of the report's run is public. It only matters once the KV cache is the limit.",
  },
];

/** Knobs that are deliberately not ranged: they are facts of vLLM, not assumptions. */
export const NOT_ASSUMED: Readonly<Record<string, string>> = {
  era: 'each era is a set of merged vLLM PRs (vllm-eras.ts, engine-semantics.md §11.7)',
  maxTokensCapPolicy: 'the #27922 / #29542 / #29759 rules as merged; chosen by the era',
  asyncSpecHostSync: 'the #24799 sync and #32951 zero-bubble paths as merged; chosen by the era',
  uniformDecodeRequiresExactK: "vLLM's dispatcher keys FULL decode graphs on exactly 1 + k tokens per request; false is a counterfactual",
};

/** Every cost constant tagged `assumed` with a finite range, as a knob range (reason = the provenance's reasoning). */
export function assumedCostRanges(constants: CostConstants = DEFAULT_COST_CONSTANTS): KnobRange[] {
  const out: KnobRange[] = [];
  for (const name of Object.keys(constants) as (keyof CostConstants)[]) {
    const p = costConstantProvenance(name);
    if (p.kind !== 'assumed') continue;
    if (p.range === undefined || !Number.isFinite(p.range[0]) || !Number.isFinite(p.range[1])) {
      throw new EngineError(`cost constant ${name} is assumed but has no finite range in cost-provenance.ts`, name);
    }
    const [low, high] = p.range;
    out.push(checkKnobRange({ kind: 'number', origin: 'cost constant', name, low, high, base: constants[name], reason: p.detail, scale: high / low >= 10 ? 'log' : 'linear' }));
  }
  return out;
}

/** All assumed knobs: the cost constants first (in `CostConstants` order), then the simulation's. */
export function assumedRanges(): KnobRange[] {
  return [...assumedCostRanges(), ...SIMULATION_ASSUMED_RANGES.map(checkKnobRange)];
}

/** The assumed range of one knob by name; an unknown name throws listing the known ones. */
export function assumedRange(name: string): KnobRange {
  const all = assumedRanges();
  const r = all.find((x) => x.name === name);
  if (!r) throw new EngineError(`knob '${name}' has no assumed range; known: ${all.map((x) => x.name).join(', ')}`, name);
  return r;
}
