/**
 * The Debug Adapter Protocol as JupyterLab's debugger speaks it (ipykernel's dialect: debugInfo,
 * dumpCell, inspectVariables, richInspectVariables, copyToGlobals, modules), translated to the
 * Chrome DevTools Protocol of the main thread's V8 inspector. It runs in the socket thread, so
 * it keeps answering while the main thread is paused. One thread (the main thread, id 1).
 * Requests that need a pause (stackTrace, scopes, stepping) fail with a message otherwise.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve, relative, sep } from 'node:path';
import { BreakpointTable, type SourceBreakpoint } from './breakpoints';
import type { CdpConnection } from './cdp';
import { CELL_FILE_SUFFIX, CELL_HASH_SEED, cellFilePrefix, dumpCell } from './cell-files';
import { PausedState, type CallFrame } from './paused-state';
import { ScriptRegistry } from './scripts';
import { DEFINE_GLOBAL_KEY, FORMATTER_KEY, OBJECT_GROUP, USER_GLOBALS_EXPRESSION, VariableStore, type RemoteObject } from './variables';

export interface DapRequest {
  readonly seq: number;
  readonly type: 'request';
  readonly command: string;
  readonly arguments?: Record<string, any>;
}

export interface DapResponse {
  readonly seq: number;
  readonly type: 'response';
  readonly request_seq: number;
  readonly success: boolean;
  readonly command: string;
  readonly message?: string;
  readonly body: Record<string, unknown>;
}

export interface DapEvent {
  readonly seq: number;
  readonly type: 'event';
  readonly event: string;
  readonly body: Record<string, unknown>;
}

export interface DebugAdapterOptions {
  readonly cdp: CdpConnection;
  /** Repository root: its engine/ sources are the kernel sources; kernel/ (and dist/, the bundled kernel) frames stay hidden. */
  readonly projectRoot: string;
  readonly emit: (event: DapEvent) => void;
}

const THREAD_ID = 1;
type Handler = (args: Record<string, any>) => Promise<Record<string, unknown>> | Record<string, unknown>;

export class DebugAdapter {
  private readonly cdp: CdpConnection;
  private readonly scripts = new ScriptRegistry();
  private readonly breakpoints: BreakpointTable;
  private readonly vars: VariableStore;
  private readonly root: string;
  private started = false;
  private attached = false;
  private paused: PausedState | undefined;
  private stepping = false;
  private pauseRequested = false;
  private seq = 1;
  private readonly handlers: Record<string, Handler>;

  constructor(private readonly options: DebugAdapterOptions) {
    this.cdp = options.cdp;
    this.root = resolve(options.projectRoot);
    this.breakpoints = new BreakpointTable(this.cdp, this.scripts);
    this.vars = new VariableStore(this.cdp);
    this.cdp.on('Debugger.scriptParsed', (p) => void this.breakpoints.onScriptParsed(this.scripts.add(p)).catch(() => undefined));
    this.cdp.on('Debugger.paused', (p) => this.onPaused(p));
    this.cdp.on('Debugger.resumed', () => this.onResumed());
    this.handlers = {
      initialize: () => this.initialize(),
      attach: () => this.attach(),
      configurationDone: () => ({}),
      debugInfo: () => this.debugInfo(),
      dumpCell: (a) => ({ sourcePath: dumpCell(String(a.code ?? '')) }),
      setBreakpoints: (a) => this.setBreakpoints(a),
      setExceptionBreakpoints: (a) => this.setExceptionBreakpoints(a),
      threads: () => ({ threads: [{ id: THREAD_ID, name: 'main' }] }),
      stackTrace: () => {
        const frames = this.requirePaused().stackFrames();
        return { stackFrames: frames, totalFrames: frames.length };
      },
      scopes: async (a) => ({ scopes: await this.requirePaused().scopes(Number(a.frameId), this.cdp, this.vars) }),
      variables: async (a) => ({ variables: await this.vars.children(Number(a.variablesReference)) }),
      evaluate: (a) => this.evaluate(a),
      continue: () => this.resume('Debugger.resume', false),
      next: () => this.resume('Debugger.stepOver', true),
      stepIn: () => this.resume('Debugger.stepInto', true),
      stepOut: () => this.resume('Debugger.stepOut', true),
      pause: async () => {
        this.pauseRequested = true;
        await this.cdp.post('Debugger.pause');
        return {};
      },
      source: (a) => this.source(a),
      inspectVariables: () => this.inspectVariables(),
      richInspectVariables: (a) => this.richInspectVariables(a),
      copyToGlobals: (a) => this.copyToGlobals(a),
      modules: () => this.modules(),
      disconnect: () => this.disconnect(),
    };
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isPaused(): boolean {
    return this.paused !== undefined;
  }

  async handle(request: DapRequest): Promise<DapResponse> {
    const base = { seq: this.seq++, type: 'response' as const, request_seq: request.seq, command: request.command };
    const handler = Object.hasOwn(this.handlers, request.command) ? this.handlers[request.command] : undefined;
    if (handler === undefined) return { ...base, success: false, message: `the enginelab debugger does not support '${request.command}'`, body: {} };
    try {
      return { ...base, success: true, body: await handler(request.arguments ?? {}) };
    } catch (e) {
      return { ...base, success: false, message: (e as Error).message, body: {} };
    }
  }

  /** An interrupt or shutdown while paused must reach the program: let it run again. */
  async releaseForInterrupt(): Promise<void> {
    if (this.paused) await this.cdp.post('Debugger.resume').catch(() => undefined);
  }

  private emit(event: string, body: Record<string, unknown>): void {
    this.options.emit({ seq: this.seq++, type: 'event', event, body });
  }

  private initialize(): Record<string, unknown> {
    this.started = true;
    queueMicrotask(() => this.emit('initialized', {}));
    return {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsModulesRequest: true,
      supportsDelayedStackTraceLoading: false,
      supportsSetVariable: false,
      exceptionBreakpointFilters: [
        { filter: 'all', label: 'All exceptions', default: false },
        { filter: 'uncaught', label: 'Uncaught exceptions', default: false },
      ],
    };
  }

  private async attach(): Promise<Record<string, unknown>> {
    if (!this.attached) {
      this.scripts.clear();
      await this.cdp.post('Debugger.enable');
      // Steps never stop in the interpreter, Node's internals or dependencies.
      await this.cdp.post('Debugger.setBlackboxPatterns', { patterns: ['^node:', '/node_modules/', `^file://${escapeRegExp(this.root)}/(kernel|dist)/`] });
      this.attached = true;
      await this.breakpoints.placeAll();
    }
    return {};
  }

  private debugInfo(): Record<string, unknown> {
    return {
      isStarted: this.started,
      hashMethod: 'Murmur2',
      hashSeed: CELL_HASH_SEED,
      tmpFilePrefix: cellFilePrefix(),
      tmpFileSuffix: CELL_FILE_SUFFIX,
      breakpoints: this.breakpoints.list(),
      stoppedThreads: this.paused ? [THREAD_ID] : [],
      richRendering: true,
      copyToGlobals: true,
      exceptionPaths: ['JavaScript Exceptions'],
    };
  }

  private async setBreakpoints(a: Record<string, any>): Promise<Record<string, unknown>> {
    const path = a.source?.path;
    if (typeof path !== 'string' || path === '') throw new TypeError('setBreakpoints: arguments.source.path must be a file path');
    const list: SourceBreakpoint[] = Array.isArray(a.breakpoints)
      ? a.breakpoints.map((b: any) => ({ line: Number(b?.line), ...(typeof b?.condition === 'string' && b.condition ? { condition: b.condition } : {}) }))
      : Array.isArray(a.lines) ? a.lines.map((l: unknown) => ({ line: Number(l) })) : [];
    if (list.some((b) => !Number.isInteger(b.line) || b.line < 1)) throw new TypeError('setBreakpoints: every breakpoint needs a line ≥ 1');
    return { breakpoints: await this.breakpoints.set(path, list, this.attached) };
  }

  private async setExceptionBreakpoints(a: Record<string, any>): Promise<Record<string, unknown>> {
    const filters: string[] = Array.isArray(a.filters) ? a.filters.map(String) : [];
    const state = filters.includes('all') ? 'all' : filters.includes('uncaught') ? 'uncaught' : 'none';
    if (this.attached) await this.cdp.post('Debugger.setPauseOnExceptions', { state });
    return { breakpoints: filters.map(() => ({ verified: true })) };
  }

  private requirePaused(): PausedState {
    if (!this.paused) throw new Error('the program is not paused');
    return this.paused;
  }

  private async resume(method: string, step: boolean): Promise<Record<string, unknown>> {
    this.requirePaused();
    this.stepping = step;
    await this.cdp.post(method);
    return step ? {} : { allThreadsContinued: true };
  }

  private onPaused(p: { callFrames: CallFrame[]; reason: string; hitBreakpoints?: string[] }): void {
    // dist/ holds the kernel itself when it runs from the install-time bundle (scripts/cli-bundle.mjs).
    const hidden = (path: string) => path.startsWith(this.root + sep + 'kernel' + sep) || path.startsWith(this.root + sep + 'dist' + sep) || path.includes(`${sep}node_modules${sep}`);
    this.paused = new PausedState(p.callFrames, p.reason, this.scripts, hidden);
    const reason = (p.hitBreakpoints?.length ?? 0) > 0 ? 'breakpoint' : p.reason === 'exception' || p.reason === 'promiseRejection' ? 'exception' : this.stepping ? 'step' : this.pauseRequested ? 'pause' : 'breakpoint';
    this.stepping = false;
    this.pauseRequested = false;
    this.emit('stopped', { reason, threadId: THREAD_ID, allThreadsStopped: true });
  }

  private onResumed(): void {
    if (!this.paused) return;
    this.paused = undefined;
    void this.vars.reset();
    this.emit('continued', { threadId: THREAD_ID, allThreadsContinued: true });
  }

  /** Evaluates on a paused frame when given one, else in the global scope. */
  private async evaluateRaw(expression: string, frameId: number | undefined, returnByValue = false): Promise<{ result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text?: string } }> {
    if (frameId !== undefined && this.paused) {
      const cf = this.paused.frame(frameId);
      return this.cdp.post('Debugger.evaluateOnCallFrame', { callFrameId: cf.callFrameId, expression, objectGroup: OBJECT_GROUP, returnByValue, silent: true });
    }
    return this.cdp.post('Runtime.evaluate', { expression, objectGroup: OBJECT_GROUP, returnByValue, silent: true });
  }

  private async evaluate(a: Record<string, any>): Promise<Record<string, unknown>> {
    const expression = String(a.expression ?? '');
    const frameId = a.frameId === undefined ? undefined : Number(a.frameId);
    const r = await this.evaluateRaw(expression, frameId);
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description?.split('\n')[0] ?? r.exceptionDetails.text ?? 'evaluation failed');
    const v = this.vars.toVariable(expression, r.result);
    return { result: v.value, type: v.type, variablesReference: v.variablesReference };
  }

  private source(a: Record<string, any>): Record<string, unknown> {
    const path = a.source?.path ?? a.path;
    if (typeof path !== 'string' || path === '') throw new TypeError('source: arguments.source.path is required');
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new Error(`source unavailable: ${path}`);
    return { content: readFileSync(path, 'utf8'), mimeType: 'text/typescript' };
  }

  private async inspectVariables(): Promise<Record<string, unknown>> {
    if (!this.paused) await this.vars.reset();
    const r = await this.evaluateRaw(USER_GLOBALS_EXPRESSION, undefined);
    return { variables: r.result.objectId ? await this.vars.children(this.vars.refFor(r.result.objectId)) : [] };
  }

  private async richInspectVariables(a: Record<string, any>): Promise<Record<string, unknown>> {
    const name = String(a.variableName ?? '');
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) return { data: {}, metadata: {} };
    const frameId = a.frameId === undefined || !this.paused ? undefined : Number(a.frameId);
    const expr = `JSON.stringify(globalThis[Symbol.for(${JSON.stringify(FORMATTER_KEY)})](${name}))`;
    const r = await this.evaluateRaw(expr, frameId, true);
    if (r.exceptionDetails || typeof r.result.value !== 'string') throw new Error(`cannot display ${name}`);
    const bundle = JSON.parse(r.result.value) as { data?: Record<string, unknown>; metadata?: Record<string, unknown> };
    return { data: bundle.data ?? {}, metadata: bundle.metadata ?? {} };
  }

  private async copyToGlobals(a: Record<string, any>): Promise<Record<string, unknown>> {
    const src = String(a.srcVariableName ?? '');
    const dst = String(a.dstVariableName ?? src);
    if (![src, dst].every((n) => /^[A-Za-z_$][\w$]*$/.test(n))) throw new TypeError('copyToGlobals: variable names must be identifiers');
    const expr = `globalThis[Symbol.for(${JSON.stringify(DEFINE_GLOBAL_KEY)})](${JSON.stringify(dst)}, ${src})`;
    const r = await this.evaluateRaw(expr, a.srcFrameId === undefined ? undefined : Number(a.srcFrameId));
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description?.split('\n')[0] ?? `cannot copy ${src}`);
    return {};
  }

  private modules(): Record<string, unknown> {
    const sources = this.scripts.sourcesUnder(this.root + sep);
    const modules = sources.map((path, i) => ({ id: i + 1, name: relative(this.root, path), path }));
    return { modules, totalModules: modules.length };
  }

  private async disconnect(): Promise<Record<string, unknown>> {
    if (this.attached) await this.cdp.post('Debugger.disable').catch(() => undefined);
    this.attached = false;
    this.started = false;
    this.paused = undefined;
    this.breakpoints.forgetPlacements();
    this.breakpoints.clear();
    await this.vars.reset();
    return {};
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
