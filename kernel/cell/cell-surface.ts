/**
 * What a cell sees by name, chosen by the composition root (kernel/main.ts): `engine` (all of
 * engine/index.ts, values and types, as `engine.X`), a short list of engine names that are
 * globals of their own (the verbs the notebooks use and the types of their results), and the
 * kernel's helpers. Everything else the engine exports is reached as `engine.X`; completion
 * lists it all after `engine.`. Keeping the list short keeps the global scope readable and lets
 * the engine grow without crowding every cell. README.md ("In a cell") documents the same list.
 */

/** Engine values that are globals: build, run, compare. */
export const ENGINE_VERBS = [
  // configure and build an engine
  'fromVllmArgs', 'createEngine', 'createNumericEngine', 'restoreNumericEngine',
  // simulate `vllm bench serve` and compare runs
  'simulateServe', 'VLLM_ERAS', 'firstDivergence', 'stepTraceTable',
  // measured results in: read a --save-result file, compare it with a simulation
  'readBenchResult', 'compareWithMeasured',
  // the cost model's constants and where each came from
  'describeCostModel',
  // numerics: replay a vLLM dump, compare tensors, seeded randomness
  'replayDump', 'compare', 'Rng',
] as const;

/** Engine types that are global type names: what the verbs return, for annotations. */
export const ENGINE_RESULT_TYPES = ['EngineConfig', 'StepRecord', 'SimulateServeResult', 'TimelineRow'] as const;

/** Every engine name that is a global besides `engine` itself. */
export const ENGINE_TOP_LEVEL_NAMES: readonly string[] = [...ENGINE_VERBS, ...ENGINE_RESULT_TYPES];

/** Kernel helpers that run engine work off the main thread: `sweep` (kernel/sweep/cell-sweep.ts). */
export const SWEEP_HELPER_NAMES = ['sweep'] as const;

/** The display, stdin and comm helpers of cell-globals.ts (the rich ones: display/index.ts's RICH_DISPLAY_GLOBAL_NAMES). */
export const CELL_HELPER_NAMES = ['display', 'updateDisplay', 'clearOutput', 'input', 'comms'] as const;
