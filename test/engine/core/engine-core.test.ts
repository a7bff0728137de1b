import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../engine/api/create-engine';
import { InvariantError } from '../../../engine/base/errors';
import { resolveConfig } from '../../../engine/config/validate';
import { EngineCore } from '../../../engine/core/engine-core';
import { AsyncScheduler } from '../../../engine/sched/async-scheduler';
import { Scheduler } from '../../../engine/sched/scheduler';
import { SyntheticExecutor } from '../../../engine/runner/synthetic-executor';
import { PerPositionAcceptance } from '../../../engine/spec-decode/acceptance-model';

const executor = () => new SyntheticExecutor({ seed: 0, vocabSize: 100, acceptance: new PerPositionAcceptance([0.5]), proposer: null });

describe('EngineCore is handed its scheduler by the composition root', () => {
  it('createEngine picks the flavour from the config, also after a restore', () => {
    const sync = createEngine({});
    const async = createEngine({ asyncScheduling: true });
    expect(sync.internals.scheduler).not.toBeInstanceOf(AsyncScheduler);
    expect(async.internals.scheduler).toBeInstanceOf(AsyncScheduler);
    async.restore(async.snapshot());
    expect(async.internals.scheduler).toBeInstanceOf(AsyncScheduler);
    expect(async.internals.scheduler.config).toBe(async.internals.config);
  });

  it('refuses a scheduler built for another config', () => {
    const a = resolveConfig({});
    const b = resolveConfig({});
    expect(() => new EngineCore(a, new Scheduler(b), executor())).toThrowError(InvariantError);
    expect(new EngineCore(a, new Scheduler(a), executor()).scheduler.config).toBe(a);
  });
});
