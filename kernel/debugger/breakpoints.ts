/**
 * DAP `setBreakpoints` on top of CDP. A breakpoint is kept per source path as the frontend sent
 * it and placed in V8 by URL, so it also binds to scripts parsed later:
 * - cells: their scripts are compiled under the cell's own path with the cell's line numbers
 *   (cell-transform keeps lines), so the line goes to V8 as is;
 * - TypeScript sources (engine, project modules): through the source map of the script that
 *   holds them, at the first generated position of that line (or the next line with code);
 * - a source nothing has loaded yet stays pending until its script is parsed.
 */
import { pathToFileURL } from 'node:url';
import type { CdpConnection } from './cdp';
import { isCellPath } from './cell-files';
import type { ParsedScript, ScriptRegistry } from './scripts';

export interface SourceBreakpoint {
  readonly line: number;
  readonly condition?: string;
}

export interface DapBreakpoint {
  readonly id: number;
  readonly verified: boolean;
  readonly line: number;
  readonly source: { readonly path: string };
  readonly message?: string;
}

interface Placed {
  readonly requested: SourceBreakpoint;
  cdpIds: string[];
  line: number;
  verified: boolean;
}

export class BreakpointTable {
  private readonly bySource = new Map<string, Placed[]>();
  private nextId = 1;

  constructor(
    private readonly cdp: CdpConnection,
    private readonly scripts: ScriptRegistry,
  ) {}

  /** debugInfo's `breakpoints`: what the frontend set, per source. */
  list(): Array<{ source: string; breakpoints: SourceBreakpoint[] }> {
    return [...this.bySource].map(([source, placed]) => ({ source, breakpoints: placed.map((p) => p.requested) }));
  }

  async set(path: string, requested: readonly SourceBreakpoint[], enabled: boolean): Promise<DapBreakpoint[]> {
    await this.removeAll(path);
    const placed: Placed[] = requested.map((r) => ({ requested: { line: r.line, ...(r.condition ? { condition: r.condition } : {}) }, cdpIds: [], line: r.line, verified: false }));
    if (placed.length > 0) this.bySource.set(path, placed);
    else this.bySource.delete(path);
    if (enabled) for (const p of placed) await this.place(path, p);
    return placed.map((p) => this.describe(path, p));
  }

  /** Places every stored breakpoint (after attach). */
  async placeAll(): Promise<void> {
    for (const [path, placed] of this.bySource) for (const p of placed) if (p.cdpIds.length === 0) await this.place(path, p);
  }

  /** A newly parsed script may carry a source with pending breakpoints. */
  async onScriptParsed(script: ParsedScript): Promise<void> {
    if (script.path === undefined || this.bySource.size === 0) return;
    for (const [path, placed] of this.bySource) {
      if (isCellPath(path) || !placed.some((p) => !p.verified)) continue;
      const holds = script.path === path || (script.sourceMapURL !== '' && !/\.ts$/.test(script.path) && this.scripts.mapOf(script)?.sources.includes(path));
      if (!holds) continue;
      for (const p of placed) if (!p.verified) await this.place(path, p);
    }
  }

  /** V8 dropped every breakpoint (Debugger.disable): forget the ids, keep the requests. */
  forgetPlacements(): void {
    for (const placed of this.bySource.values()) {
      for (const p of placed) {
        p.cdpIds = [];
        p.verified = false;
      }
    }
  }

  clear(): void {
    this.bySource.clear();
  }

  private async removeAll(path: string): Promise<void> {
    for (const p of this.bySource.get(path) ?? []) {
      for (const id of p.cdpIds) await this.cdp.post('Debugger.removeBreakpoint', { breakpointId: id }).catch(() => undefined);
      p.cdpIds = [];
    }
  }

  private async place(path: string, p: Placed): Promise<void> {
    const condition = p.requested.condition ?? '';
    const byUrl = async (url: string, lineNumber: number, columnNumber: number): Promise<void> => {
      try {
        const r = await this.cdp.post<{ breakpointId: string }>('Debugger.setBreakpointByUrl', { url, lineNumber, columnNumber, condition });
        p.cdpIds.push(r.breakpointId);
      } catch (e) {
        // Same location set twice (two DAP lines mapping to one position): one V8 breakpoint serves both.
        if (!/already exists/i.test((e as Error).message)) throw e;
      }
    };
    if (isCellPath(path)) {
      await byUrl(pathToFileURL(path).href, p.requested.line - 1, 0);
      p.verified = true;
      return;
    }
    for (const script of this.scripts.scriptsFor(path)) {
      const map = this.scripts.mapOf(script);
      if (!map) {
        await byUrl(script.url, p.requested.line - 1, 0);
        p.verified = true;
        continue;
      }
      const gen = map.generatedFor(path, p.requested.line - 1);
      if (!gen) continue;
      await byUrl(script.url, gen.line, gen.column);
      p.line = gen.originalLine + 1;
      p.verified = true;
    }
  }

  private describe(path: string, p: Placed): DapBreakpoint {
    return {
      id: this.nextId++,
      verified: p.verified,
      line: p.line,
      source: { path },
      ...(p.verified ? {} : { message: 'not loaded yet: bound when its module loads' }),
    };
  }
}
