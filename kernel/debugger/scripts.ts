/**
 * The scripts V8 has parsed (from `Debugger.scriptParsed`), with their source maps read on first
 * need. Answers which scripts carry a given source file (a `.ts` file transpiled by tsx has its
 * own URL and an inline map; a bundle carries many sources in one map) and what the kernel's
 * sources are (the `modules` request, JupyterLab's "Kernel Sources" panel).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSourceMapUrl, type SourceMap } from './source-map';

export interface ParsedScript {
  readonly scriptId: string;
  readonly url: string;
  /** File path for file: URLs and absolute names, undefined for node: internals and evals. */
  readonly path: string | undefined;
  readonly sourceMapURL: string;
  map?: SourceMap | null;
}

export function urlToPath(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return url.startsWith('/') ? url : undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export class ScriptRegistry {
  private readonly byId = new Map<string, ParsedScript>();
  private readonly byPath = new Map<string, ParsedScript[]>();
  private readonly bundles: ParsedScript[] = [];

  add(params: { scriptId: string; url: string; sourceMapURL?: string }): ParsedScript {
    const s: ParsedScript = { scriptId: params.scriptId, url: params.url, path: urlToPath(params.url), sourceMapURL: params.sourceMapURL ?? '' };
    this.byId.set(s.scriptId, s);
    if (s.path !== undefined) {
      const list = this.byPath.get(s.path) ?? [];
      list.push(s);
      this.byPath.set(s.path, list);
      // A JavaScript file with a map is a bundle (or compiled output): its sources are elsewhere.
      if (s.sourceMapURL && !/\.(ts|mts|cts|tsx)$/.test(s.path) && !s.path.includes('/node_modules/')) this.bundles.push(s);
    }
    return s;
  }

  get(scriptId: string): ParsedScript | undefined {
    return this.byId.get(scriptId);
  }

  clear(): void {
    this.byId.clear();
    this.byPath.clear();
    this.bundles.length = 0;
  }

  mapOf(s: ParsedScript): SourceMap | undefined {
    if (s.map === undefined) s.map = (s.sourceMapURL && s.path !== undefined ? parseSourceMapUrl(s.sourceMapURL, s.path, readText) : undefined) ?? null;
    return s.map ?? undefined;
  }

  /** Scripts that hold `path`: those loaded from it, else bundles whose map lists it. */
  scriptsFor(path: string): ParsedScript[] {
    const direct = this.byPath.get(path);
    if (direct && direct.length > 0) return direct;
    return this.bundles.filter((b) => this.mapOf(b)?.sources.includes(path));
  }

  /** TypeScript sources under `root` that the process has loaded (direct or in a bundle). */
  sourcesUnder(root: string): string[] {
    const out = new Set<string>();
    for (const p of this.byPath.keys()) if (p.startsWith(root) && /\.ts$/.test(p) && !p.includes('/node_modules/')) out.add(p);
    for (const b of this.bundles) for (const p of this.mapOf(b)?.sources ?? []) if (p.startsWith(root) && /\.ts$/.test(p)) out.add(p);
    return [...out].sort();
  }
}
