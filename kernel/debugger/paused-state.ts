/**
 * What the adapter knows while V8 is paused: the call frames of `Debugger.paused` as DAP stack
 * frames (cells under their cell path, TypeScript sources through their source maps, the
 * interpreter's own frames and Node internals left out) and each frame's scopes. Frame ids are
 * positions in this pause; they are meaningless after a resume.
 */
import type { CdpConnection } from './cdp';
import { isCellPath } from './cell-files';
import type { ScriptRegistry } from './scripts';
import { USER_GLOBALS_EXPRESSION, OBJECT_GROUP, type RemoteObject, type VariableStore } from './variables';

export interface CallFrame {
  readonly callFrameId: string;
  readonly functionName: string;
  readonly location: { readonly scriptId: string; readonly lineNumber: number; readonly columnNumber?: number };
  readonly scopeChain: ReadonlyArray<{ readonly type: string; readonly name?: string; readonly object: RemoteObject }>;
}

export interface DapStackFrame {
  readonly id: number;
  readonly name: string;
  readonly source?: { readonly name: string; readonly path: string };
  readonly line: number;
  readonly column: number;
}

const SCOPE_NAMES: Record<string, string> = { local: 'Locals', closure: 'Closure', block: 'Block', catch: 'Catch', with: 'With', script: 'Script', module: 'Module', eval: 'Eval' };

export class PausedState {
  private frames: DapStackFrame[] | undefined;
  private readonly frameIndex = new Map<number, CallFrame>();

  constructor(
    readonly callFrames: readonly CallFrame[],
    readonly reason: string,
    private readonly scripts: ScriptRegistry,
    private readonly hidden: (path: string) => boolean,
  ) {}

  stackFrames(): DapStackFrame[] {
    if (this.frames) return this.frames;
    this.frames = [];
    this.callFrames.forEach((cf, i) => {
      const script = this.scripts.get(cf.location.scriptId);
      const path = script?.path;
      if (path === undefined || script === undefined || this.hidden(path)) return;
      const id = i + 1;
      this.frameIndex.set(id, cf);
      const column = cf.location.columnNumber ?? 0;
      const cell = isCellPath(path);
      const map = cell ? undefined : this.scripts.mapOf(script);
      const original = map?.originalFor(cf.location.lineNumber, column);
      const where = original ?? { path, line: cf.location.lineNumber, column };
      const fileName = where.path.split('/').pop()!;
      this.frames!.push({
        id,
        name: cf.functionName || (cell ? '<cell>' : '<anonymous>'),
        source: { name: cell ? 'cell' : fileName, path: where.path },
        line: where.line + 1,
        column: where.column + 1,
      });
    });
    return this.frames;
  }

  frame(frameId: number): CallFrame {
    if (this.frames === undefined) this.stackFrames();
    const f = this.frameIndex.get(frameId);
    if (!f) throw new Error(`no stack frame ${frameId} in this pause`);
    return f;
  }

  /** DAP scopes of a frame: V8's scopes but the global one, then the cells' globals. */
  async scopes(frameId: number, cdp: CdpConnection, vars: VariableStore): Promise<Array<{ name: string; variablesReference: number; expensive: boolean }>> {
    const f = this.frame(frameId);
    const out: Array<{ name: string; variablesReference: number; expensive: boolean }> = [];
    for (const s of f.scopeChain) {
      if (s.type === 'global' || s.object.objectId === undefined) continue;
      out.push({ name: SCOPE_NAMES[s.type] ?? s.type, variablesReference: vars.refFor(s.object.objectId), expensive: false });
    }
    const globals = await cdp.post<{ result: RemoteObject }>('Runtime.evaluate', { expression: USER_GLOBALS_EXPRESSION, objectGroup: OBJECT_GROUP, silent: true });
    if (globals.result.objectId) out.push({ name: 'Globals', variablesReference: vars.refFor(globals.result.objectId), expensive: false });
    return out;
  }
}
