/**
 * A small but real Interpreter for driving KernelCore without TypeScript: cells are JavaScript
 * run in one persistent vm context; the completion value is the result (a Promise result is
 * awaited, so `input(...)` and `sleep(ms)` work); `print(...)` writes stdout through the CellIO.
 * Completion and inspection look at the context's globals; is_complete balances brackets.
 */
import vm from 'node:vm';
import { codePointsToUtf16, utf16ToCodePoints } from '../../../kernel/protocol/code-points';
import type { CellIO, CompleteResult, ExecuteArgs, ExecuteOutcome, InspectResult, Interpreter, InterpreterInfo, IsCompleteResult, UserExpressionResult } from '../../../kernel/interpreter';

export class FakeInterpreter implements Interpreter {
  readonly context: vm.Context;
  numExecutes = 0;
  numInterrupts = 0;
  shutdownCalled = false;
  private io: CellIO | undefined;
  private cancel: ((e: Error) => void) | undefined;

  constructor() {
    this.context = vm.createContext({
      print: (...args: unknown[]) => this.io?.stream('stdout', args.map(String).join(' ') + '\n'),
      printErr: (...args: unknown[]) => this.io?.stream('stderr', args.map(String).join(' ') + '\n'),
      sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)),
      io: () => this.io,
    });
  }

  info(): InterpreterInfo {
    return {
      implementation: 'fake',
      implementationVersion: '0.0.1',
      languageInfo: { name: 'javascript', version: 'ES2022', mimetype: 'text/javascript', file_extension: '.js' },
      banner: 'fake interpreter for tests',
      helpLinks: [{ text: 'nowhere', url: 'https://example.invalid' }],
    };
  }

  defineGlobals(values: Readonly<Record<string, unknown>>): void {
    Object.assign(this.context, values);
  }

  async execute(args: ExecuteArgs, io: CellIO): Promise<ExecuteOutcome> {
    this.numExecutes++;
    this.io = io;
    try {
      let value = vm.runInContext(args.code, this.context, { filename: `cell-${args.executionCount}`, breakOnSigint: true });
      if (value instanceof Promise || (typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function')) {
        value = await new Promise((resolve, reject) => {
          this.cancel = reject;
          (value as Promise<unknown>).then(resolve, reject);
        });
      }
      const userExpressions: Record<string, UserExpressionResult> = {};
      for (const [k, expr] of Object.entries(args.userExpressions)) {
        try {
          userExpressions[k] = { status: 'ok', data: { 'text/plain': String(vm.runInContext(expr, this.context)) }, metadata: {} };
        } catch (e) {
          const err = e as Error;
          userExpressions[k] = { status: 'error', ename: err.name, evalue: err.message, traceback: [] };
        }
      }
      return value === undefined ? { status: 'ok', userExpressions } : { status: 'ok', result: { data: { 'text/plain': String(value) }, metadata: {} }, userExpressions };
    } catch (e) {
      // Errors from the vm context are another realm's Error: duck-type them.
      const err = typeof e === 'object' && e !== null && 'message' in e ? (e as Error) : new Error(String(e));
      return { status: 'error', ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`] };
    } finally {
      this.cancel = undefined;
    }
  }

  async complete(code: string, cursorPos: number): Promise<CompleteResult> {
    const pos = codePointsToUtf16(code, cursorPos);
    const m = /[A-Za-z_$][\w$]*$/.exec(code.slice(0, pos));
    const prefix = m ? m[0] : '';
    const matches = Object.keys(this.context).filter((k) => k.startsWith(prefix)).sort();
    return { matches, cursorStart: utf16ToCodePoints(code, pos - prefix.length), cursorEnd: cursorPos, metadata: {} };
  }

  async inspect(code: string, codePointPos: number): Promise<InspectResult> {
    const cursorPos = codePointsToUtf16(code, codePointPos);
    const left = /[A-Za-z_$][\w$]*$/.exec(code.slice(0, cursorPos))?.[0] ?? '';
    const right = /^[\w$]*/.exec(code.slice(cursorPos))?.[0] ?? '';
    const name = left + right;
    if (!name || !Object.hasOwn(this.context, name)) return { found: false, data: {}, metadata: {} };
    return { found: true, data: { 'text/plain': `${name}: ${typeof this.context[name]}` }, metadata: {} };
  }

  isComplete(code: string): IsCompleteResult {
    let depth = 0;
    for (const ch of code) {
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth--;
      if (depth < 0) return { status: 'invalid' };
    }
    return depth > 0 ? { status: 'incomplete', indent: '  '.repeat(depth) } : { status: 'complete' };
  }

  interrupt(): void {
    this.numInterrupts++;
    const c = this.cancel;
    this.cancel = undefined;
    c?.(Object.assign(new Error('Execution interrupted'), { name: 'Interrupted' }));
  }

  async shutdown(): Promise<void> {
    this.shutdownCalled = true;
  }
}
