/**
 * The engine's three kinds of failure (vLLM's three tiers): back-pressure is a return value
 * (never thrown), caller mistakes throw `EngineError`/`ConfigError`, and broken invariants
 * throw `InvariantError`. Only `Error` subclasses are ever thrown.
 */

/** A caller mistake: bad argument, unknown name, malformed input. `argument` names the culprit. */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(message: string, readonly argument?: string) {
    super(message);
  }
}

/** One problem found while validating a configuration or command line. */
export interface ConfigIssue {
  /** The flag or config path at fault, in vLLM's spelling (e.g. `--max-num-seqs`). */
  readonly path: string;
  readonly message: string;
}

/** Every problem of a configuration at once, so a user fixes them in one pass. */
export class ConfigError extends EngineError {
  override name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('\n'), issues[0]?.path);
  }
}

/** A bug in the engine: an invariant that must always hold did not. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** Throws `InvariantError` with `message` when `cond` is false. */
export function assert(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new InvariantError(typeof message === 'function' ? message() : message);
}
