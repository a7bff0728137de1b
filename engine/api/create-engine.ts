/**
 * The composition root: config (or partial config) + chosen executor and cost model → `Engine`.
 * All defaults are picked here: the scheduler flavour, the synthetic executor with vLLM's
 * synthetic acceptance model, a synthetic MTP-style proposer for sync speculative decoding, and
 * the linear step-cost clock. `createNumericEngine` (`numeric-engine.ts`) builds on this one.
 */
import { numSpeculativeTokens, type EngineConfig, type PartialEngineConfig } from '../config/engine-config';
import { resolveConfig } from '../config/validate';
import { EngineCore } from '../core/engine-core';
import { restoreEngineCore } from '../core/engine-snapshot';
import { Engine } from './engine';
import type { Executor, StepCostModel } from '../contracts/executor';
import { withCostModel } from '../runner/with-cost-model';
import { linearStepCost } from '../cost/linear-step-cost';
import type { AcceptanceModel, DraftProposer } from '../contracts/draft-proposer';
import { PerPositionAcceptance } from '../spec-decode/acceptance-model';
import { SyntheticExecutor, syntheticProposer } from '../runner/synthetic-executor';
import { AsyncScheduler } from '../sched/async-scheduler';
import { Scheduler } from '../sched/scheduler';
import type { EngineSnapshot } from '../trace/snapshot';

export interface EngineOptions {
  /** Builds the executor for a config (default: the synthetic executor). */
  readonly executor?: (config: EngineConfig) => Executor;
  /** Step-time model; `null` = the executor's own times (the synthetic one models none). */
  readonly costModel?: StepCostModel | null;
  /** Sync-mode drafter (default: synthetic proposer when speculation is on). */
  readonly proposer?: (config: EngineConfig) => DraftProposer | null;
  /** Draft acceptance (default: vLLM's synthetic sampler over `config.synthetic.acceptanceRates`). */
  readonly acceptance?: (config: EngineConfig) => AcceptanceModel;
}

function makeExecutorFactory(options: EngineOptions): (config: EngineConfig) => Executor {
  return (config) => {
    let ex: Executor;
    if (options.executor) ex = options.executor(config);
    else {
      const k = numSpeculativeTokens(config);
      const proposer = config.asyncScheduling || k === 0
        ? null
        : (options.proposer ? options.proposer(config) : syntheticProposer(k));
      ex = new SyntheticExecutor({
        seed: config.seed,
        vocabSize: config.synthetic.vocabSize,
        acceptance: options.acceptance ? options.acceptance(config) : new PerPositionAcceptance(config.synthetic.acceptanceRates),
        proposer,
      });
    }
    const cost = options.costModel === undefined ? linearStepCost() : options.costModel;
    return cost === null ? ex : withCostModel(ex, cost);
  };
}

/** The scheduler flavour the config asks for (vLLM's `AsyncScheduler` under `--async-scheduling`). */
function makeScheduler(config: EngineConfig): Scheduler {
  return config.asyncScheduling ? new AsyncScheduler(config) : new Scheduler(config);
}

/** A fresh core for a config: its executor, then its scheduler, both built here. */
function makeCoreFactory(options: EngineOptions): (config: EngineConfig) => EngineCore {
  const makeExecutor = makeExecutorFactory(options);
  return (config) => {
    const executor = makeExecutor(config);
    return new EngineCore(config, makeScheduler(config), executor);
  };
}

/** Creates an engine from a (partial) config; throws `ConfigError` listing every problem. */
export function createEngine(config: PartialEngineConfig | EngineConfig = {}, options: EngineOptions = {}): Engine {
  const resolved = resolveConfig(config as PartialEngineConfig);
  const makeCore = makeCoreFactory(options);
  const rebuild = (snap: EngineSnapshot): EngineCore => restoreEngineCore(snap, makeCore);
  return new Engine(makeCore(resolved), rebuild);
}

/** A new engine continuing from `snapshot` (pass the same options as the original engine). */
export function restoreEngine(snapshot: EngineSnapshot, options: EngineOptions = {}): Engine {
  const makeCore = makeCoreFactory(options);
  const rebuild = (snap: EngineSnapshot): EngineCore => restoreEngineCore(snap, makeCore);
  return new Engine(rebuild(snapshot), rebuild);
}
