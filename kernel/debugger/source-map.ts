/**
 * A source map (revision 3) reader for the debug adapter: generated positions of the engine's
 * transpiled or bundled JavaScript ↔ positions in its TypeScript sources. Breakpoints in a
 * `.ts` file become breakpoints at the generated line and column, and paused frames are
 * reported at their original file and line. Lines and columns here are 0-based, as in CDP.
 */
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve, dirname } from 'node:path';

export interface Mapping {
  readonly genLine: number;
  readonly genColumn: number;
  readonly source: number;
  readonly line: number;
  readonly column: number;
}

export interface OriginalPosition {
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) DIGIT[B64.charCodeAt(i)] = i;

/** Decodes the `mappings` string; segments without a source are dropped. */
export function decodeMappings(mappings: string): Mapping[] {
  const out: Mapping[] = [];
  let genLine = 0;
  let genColumn = 0;
  let source = 0;
  let line = 0;
  let column = 0;
  let i = 0;
  const fields: number[] = [];
  while (i < mappings.length) {
    const ch = mappings.charCodeAt(i);
    if (ch === 59 /* ; */) {
      genLine += 1;
      genColumn = 0;
      i += 1;
      continue;
    }
    if (ch === 44 /* , */) {
      i += 1;
      continue;
    }
    fields.length = 0;
    while (i < mappings.length && mappings.charCodeAt(i) !== 44 && mappings.charCodeAt(i) !== 59) {
      let value = 0;
      let shift = 0;
      for (;;) {
        const d = DIGIT[mappings.charCodeAt(i++)] ?? -1;
        if (d < 0) throw new Error('source map: bad base64 digit in mappings');
        value += (d & 31) << shift;
        shift += 5;
        if ((d & 32) === 0) break;
      }
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    }
    genColumn += fields[0] ?? 0;
    if (fields.length >= 4) {
      source += fields[1]!;
      line += fields[2]!;
      column += fields[3]!;
      out.push({ genLine, genColumn, source, line, column });
    }
  }
  return out;
}

export class SourceMap {
  /** Absolute file paths of the sources, index = the mapping's `source`. */
  readonly sources: string[];
  private readonly mappings: Mapping[];
  private byOriginal: Map<number, Mapping[]> | undefined;

  constructor(json: { sources?: unknown; sourceRoot?: unknown; mappings?: unknown }, scriptPath: string) {
    if (!Array.isArray(json.sources) || typeof json.mappings !== 'string') throw new Error('source map: sources or mappings missing');
    const root = typeof json.sourceRoot === 'string' ? json.sourceRoot : '';
    this.sources = json.sources.map((s) => toPath(root + String(s), scriptPath));
    this.mappings = decodeMappings(json.mappings);
  }

  /** The first generated position of an original line at or after `line` (within 50 lines). */
  generatedFor(sourcePath: string, line: number): { line: number; column: number; originalLine: number } | undefined {
    const index = this.sources.indexOf(sourcePath);
    if (index < 0) return undefined;
    this.byOriginal ??= this.indexByOriginal();
    const lines = this.byOriginal.get(index);
    if (!lines) return undefined;
    let best: Mapping | undefined;
    for (const m of lines) {
      if (m.line < line || m.line > line + 50) continue;
      if (!best || m.line < best.line || (m.line === best.line && (m.genLine < best.genLine || (m.genLine === best.genLine && m.genColumn < best.genColumn)))) best = m;
    }
    return best && { line: best.genLine, column: best.genColumn, originalLine: best.line };
  }

  /** The original position of a generated one: the last mapping at or before it on its line. */
  originalFor(genLine: number, genColumn: number): OriginalPosition | undefined {
    let lo = 0;
    let hi = this.mappings.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = this.mappings[mid]!;
      if (m.genLine < genLine || (m.genLine === genLine && m.genColumn <= genColumn)) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let m = found >= 0 ? this.mappings[found] : undefined;
    if (!m || m.genLine !== genLine) m = this.mappings.find((x) => x.genLine === genLine);
    return m && { path: this.sources[m.source]!, line: m.line, column: m.column };
  }

  private indexByOriginal(): Map<number, Mapping[]> {
    const map = new Map<number, Mapping[]>();
    for (const m of this.mappings) {
      let list = map.get(m.source);
      if (!list) map.set(m.source, (list = []));
      list.push(m);
    }
    return map;
  }
}

function toPath(source: string, scriptPath: string): string {
  if (source.startsWith('file://')) return fileURLToPath(source);
  if (isAbsolute(source)) return source;
  return resolve(dirname(scriptPath), source);
}

/** Reads a `sourceMappingURL`: inline data URLs only (tsx and our bundles inline theirs). */
export function parseSourceMapUrl(url: string, scriptPath: string, readFile: (path: string) => string | undefined): SourceMap | undefined {
  try {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const meta = url.slice(5, comma);
      const body = url.slice(comma + 1);
      const text = meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
      return new SourceMap(JSON.parse(text), scriptPath);
    }
    const file = url.startsWith('file://') ? fileURLToPath(url) : resolve(dirname(scriptPath), url);
    const text = readFile(file);
    return text === undefined ? undefined : new SourceMap(JSON.parse(text), scriptPath);
  } catch {
    return undefined;
  }
}
