/** What the composition root (kernel/main.ts) and tests may choose about a TypeScript interpreter. */
import type { DisplayBundle } from '../display/mime';

export interface TsInterpreterOptions {
  /** Repository root: TypeScript's node_modules/@types and project-relative imports (default: this checkout). */
  readonly projectRoot?: string;
  /** The notebook's directory: relative imports resolve here first (default: process.cwd()). */
  readonly cwd?: string;
  /** Module whose exports become globals (and `engine`) in every cell; false for none. */
  readonly engineModule?: string | false;
  /** The engine exports that are globals of their own (values and types); the rest only as `engine.X`. Default: every export. */
  readonly engineGlobals?: readonly string[];
  /** Route console and process.stdout/stderr writes to the running cell (default true). */
  readonly captureOutput?: boolean;
  /** Stop the awaiting cell on SIGINT when no synchronous code runs (default true). */
  readonly handleSigint?: boolean;
  /** Report uncaught exceptions and unhandled rejections to the latest cell instead of dying (default true). */
  readonly catchAsyncErrors?: boolean;
  /** A cell's last value → display bundle; the composition root passes format() with its formatter list (default: no extra formatters). */
  readonly format?: (value: unknown) => DisplayBundle;
}
