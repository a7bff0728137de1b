/**
 * `OutputEntry`: what processing one batch's runner output did to one request (vLLM's
 * `EngineCoreOutput`): the tokens appended after stop truncation, the draft accounting and the
 * finish reason. The scheduler produces these rows; the engine core counts them and the step
 * record carries them, so the type sits below all three.
 */
import type { FinishReason } from '../request/status';

export interface OutputEntry {
  readonly reqId: string;
  /** Tokens appended to the request (after stop truncation). */
  readonly newTokenIds: readonly number[];
  readonly numDraftTokens: number;
  readonly numAcceptedTokens: number;
  readonly finishReason: FinishReason | null;
}
