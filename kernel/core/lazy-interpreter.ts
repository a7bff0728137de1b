/**
 * An Interpreter that loads the real one on first need. Loading TypeScript and the engine takes
 * seconds on a busy machine, and a frontend's first request is kernel_info: answering it from
 * static info keeps start-to-ready short, while the core warms the real interpreter up right
 * after that first reply. `isComplete` is synchronous, so before loading it answers 'unknown'
 * (which the spec allows; frontends then fall back to their own heuristics).
 */
import type { CellIO, CompleteResult, ExecuteArgs, ExecuteOutcome, InspectResult, Interpreter, InterpreterInfo, IsCompleteResult } from '../interpreter';

export class LazyInterpreter implements Interpreter {
  private loaded: Interpreter | undefined;
  private loading: Promise<Interpreter> | undefined;
  private readonly pendingGlobals: Array<Readonly<Record<string, unknown>>> = [];

  constructor(
    private readonly load: () => Promise<Interpreter>,
    private readonly staticInfo: InterpreterInfo,
  ) {}

  /** Loads (once) and returns the real interpreter, with any globals defined before loading. */
  get(): Promise<Interpreter> {
    this.loading ??= this.load().then((real) => {
      for (const g of this.pendingGlobals.splice(0)) real.defineGlobals(g);
      this.loaded = real;
      return real;
    });
    return this.loading;
  }

  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  info(): InterpreterInfo {
    return this.loaded?.info() ?? this.staticInfo;
  }

  defineGlobals(values: Readonly<Record<string, unknown>>): void {
    if (this.loaded) this.loaded.defineGlobals(values);
    else this.pendingGlobals.push(values);
  }

  async execute(args: ExecuteArgs, io: CellIO): Promise<ExecuteOutcome> {
    return (await this.get()).execute(args, io);
  }

  async complete(code: string, cursorPos: number): Promise<CompleteResult> {
    return (await this.get()).complete(code, cursorPos);
  }

  async inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectResult> {
    return (await this.get()).inspect(code, cursorPos, detailLevel);
  }

  isComplete(code: string): IsCompleteResult {
    return this.loaded?.isComplete(code) ?? { status: 'unknown' };
  }

  interrupt(): void {
    this.loaded?.interrupt();
  }

  async shutdown(): Promise<void> {
    await this.loaded?.shutdown();
  }
}
