/**
 * The language side of the kernel, xeus-style: `KernelCore` owns all protocol bookkeeping
 * (busy/idle, execution counter, execute_input, replies, stop_on_error) and calls these hooks,
 * which never see a socket or a Jupyter message. Everything a cell sends while it runs goes
 * through the `CellIO` it was given.
 */
import type { DisplayBundle } from './display/mime';

export interface LanguageInfo {
  readonly name: string;
  readonly version: string;
  readonly mimetype: string;
  readonly file_extension: string;
  readonly codemirror_mode?: unknown;
  readonly pygments_lexer?: string;
}

export interface InterpreterInfo {
  readonly implementation: string;
  readonly implementationVersion: string;
  readonly languageInfo: LanguageInfo;
  readonly banner: string;
  readonly helpLinks: ReadonlyArray<{ readonly text: string; readonly url: string }>;
}

/** What a running cell may send; the core turns each call into an iopub/stdin message. */
export interface CellIO {
  stream(name: 'stdout' | 'stderr', text: string): void;
  /** display_data, or update_display_data when `update` is set (requires `displayId`). */
  display(bundle: DisplayBundle, options?: { readonly displayId?: string; readonly update?: boolean }): void;
  clearOutput(wait: boolean): void;
  /** input_request on the stdin channel; rejects with an Error when stdin is not allowed. */
  input(prompt: string, password: boolean): Promise<string>;
}

export interface ExecuteArgs {
  readonly code: string;
  readonly silent: boolean;
  readonly storeHistory: boolean;
  readonly allowStdin: boolean;
  readonly executionCount: number;
  readonly userExpressions: Readonly<Record<string, string>>;
}

/** A user_expressions entry, as the protocol wants it. */
export type UserExpressionResult =
  | { readonly status: 'ok'; readonly data: Record<string, unknown>; readonly metadata: Record<string, unknown> }
  | { readonly status: 'error'; readonly ename: string; readonly evalue: string; readonly traceback: string[] };

export type ExecuteOutcome =
  | {
      readonly status: 'ok';
      /** The last expression's display, when there is one and it is not undefined. */
      readonly result?: DisplayBundle;
      readonly userExpressions: Record<string, UserExpressionResult>;
    }
  | {
      readonly status: 'error';
      readonly ename: string;
      readonly evalue: string;
      /** Traceback lines, with line numbers of the cell itself. */
      readonly traceback: string[];
    };

export interface CompleteResult {
  readonly matches: string[];
  readonly cursorStart: number;
  readonly cursorEnd: number;
  readonly metadata: Record<string, unknown>;
}

export interface InspectResult {
  readonly found: boolean;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

export type IsCompleteResult =
  | { readonly status: 'complete' | 'invalid' | 'unknown' }
  | { readonly status: 'incomplete'; readonly indent: string };

export interface Interpreter {
  info(): InterpreterInfo;
  /** Makes `values` available as globals in every later cell (engine API, display helpers, comms). */
  defineGlobals(values: Readonly<Record<string, unknown>>): void;
  execute(args: ExecuteArgs, io: CellIO): Promise<ExecuteOutcome>;
  /** `cursorPos` and the result's `cursorStart`/`cursorEnd` count Unicode code points (protocol 5.2). */
  complete(code: string, cursorPos: number): Promise<CompleteResult>;
  /** `cursorPos` counts Unicode code points (protocol 5.2). */
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectResult>;
  isComplete(code: string): IsCompleteResult;
  /** Stops the running cell (synchronous loops included); the interpreter stays usable. */
  interrupt(): void;
  shutdown(): Promise<void>;
}
