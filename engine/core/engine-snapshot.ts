/**
 * Snapshot and restore of an `EngineCore`. The snapshot is a deep copy in plain JSON; restoring it
 * into a fresh core (with an executor of the same kind) continues with a byte-identical trace.
 */
import { EngineError } from '../base/errors';
import { resolveConfig } from '../config/validate';
import { requestFromState, requestToState } from '../request/request-state';
import type { Request } from '../request/request';
import { SNAPSHOT_VERSION, type EngineSnapshot } from '../trace/snapshot';
import type { EngineCore } from './engine-core';

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function snapshotEngineCore(core: EngineCore): EngineSnapshot {
  const s = core.scheduler;
  const snap: EngineSnapshot = {
    version: SNAPSHOT_VERSION,
    config: core.config,
    clockUs: core.clockUs,
    deviceFreeAtUs: core.deviceFreeAtUs,
    stepIndex: core.stepIndex,
    nextSeq: core.nextSeq,
    nextBatchId: s.batchIdCounter,
    requests: [...core.allRequests.values()].map(requestToState),
    pending: core.pending.map((r) => r.requestId),
    waiting: s.waiting.toArray().map((r) => r.requestId),
    running: s.running.map((r) => r.requestId),
    finishedReqIdsToShip: s.finishedReqIds.slice(),
    abortedSinceStep: core.abortedSinceStep.slice(),
    kv: s.kv.snapshot(),
    inFlight: core.inFlight,
    executor: core.executor.snapshotState(),
    counters: {
      numSteps: core.stepIndex,
      numBatches: core.numBatches,
      numScheduledTokens: core.numScheduledTokens,
      numRequestSteps: core.numRequestSteps,
      numGeneratedTokens: core.numGeneratedTokens,
      numFinished: core.numFinished,
    },
    numPreemptions: s.numPreemptions,
    specDecoding: s.specStats.summary(),
  };
  return clone(snap);
}

/** Rebuilds a core from `snap`; `makeCore` (the composition root's) builds a fresh core for the snapshot's config. */
export function restoreEngineCore(snapshot: EngineSnapshot, makeCore: (config: EngineSnapshot['config']) => EngineCore): EngineCore {
  if (snapshot === null || typeof snapshot !== 'object' || snapshot.version !== SNAPSHOT_VERSION) {
    throw new EngineError(`snapshot must be an EngineSnapshot of version ${SNAPSHOT_VERSION}`, 'snapshot');
  }
  const snap = clone(snapshot);
  const config = resolveConfig(snap.config);
  const core = makeCore(config);
  core.executor.restoreState(snap.executor);
  const byId = new Map<string, Request>();
  for (const st of snap.requests) {
    const r = requestFromState(st);
    byId.set(r.requestId, r);
    core.allRequests.set(r.requestId, r);
  }
  const get = (id: string): Request => {
    const r = byId.get(id);
    if (r === undefined) throw new EngineError(`snapshot references unknown request ${JSON.stringify(id)}`, 'snapshot');
    return r;
  };
  const s = core.scheduler;
  for (const id of snap.waiting) {
    const r = get(id);
    s.requests.set(id, r);
    s.waiting.add(r);
  }
  for (const id of snap.running) {
    const r = get(id);
    s.requests.set(id, r);
    s.running.push(r);
  }
  // Keep the scheduler's request map in arrival order, as the live engine built it.
  const ordered = [...core.allRequests.keys()].filter((id) => s.requests.has(id));
  const entries = ordered.map((id) => [id, s.requests.get(id)!] as const);
  s.requests.clear();
  for (const [id, r] of entries) s.requests.set(id, r);
  core.pending = snap.pending.map(get);
  s.finishedReqIds = snap.finishedReqIdsToShip.slice();
  core.abortedSinceStep = snap.abortedSinceStep.slice();
  s.kv.restore(snap.kv);
  s.batchIdCounter = snap.nextBatchId;
  s.numPreemptions = snap.numPreemptions;
  s.specStats.restore(snap.specDecoding);
  core.inFlight = snap.inFlight;
  core.clockUs = snap.clockUs;
  core.deviceFreeAtUs = snap.deviceFreeAtUs;
  core.stepIndex = snap.stepIndex;
  core.nextSeq = snap.nextSeq;
  core.numBatches = snap.counters.numBatches;
  core.numScheduledTokens = snap.counters.numScheduledTokens;
  core.numRequestSteps = snap.counters.numRequestSteps;
  core.numGeneratedTokens = snap.counters.numGeneratedTokens;
  core.numFinished = snap.counters.numFinished;
  return core;
}
