/**
 * Input history for `history_request`: one session per kernel process, lines numbered by
 * execution count, queried by tail, range or glob search (the three access types of the spec).
 */

export interface HistoryEntry {
  readonly session: number;
  readonly line: number;
  readonly input: string;
  output: string | null;
}

export type HistoryItem = [number, number, string] | [number, number, [string, string | null]];

export interface HistoryQuery {
  readonly hist_access_type?: unknown;
  readonly output?: unknown;
  readonly raw?: unknown;
  readonly session?: unknown;
  readonly start?: unknown;
  readonly stop?: unknown;
  readonly n?: unknown;
  readonly pattern?: unknown;
  readonly unique?: unknown;
}

function intArg(v: unknown, name: string, fallback: number | undefined): number | undefined {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`history_request: ${name} must be an integer`);
  return v;
}

/** Glob as IPython's history search understands it: `*` any run, `?` one character, whole-string match. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${escaped}$`);
}

export class History {
  readonly session: number;
  private readonly entries: HistoryEntry[] = [];
  private readonly maxEntries: number;

  constructor(session = 1, maxEntries = 10_000) {
    this.session = session;
    this.maxEntries = maxEntries;
  }

  get numEntries(): number {
    return this.entries.length;
  }

  record(line: number, input: string): HistoryEntry {
    const entry: HistoryEntry = { session: this.session, line, input, output: null };
    this.entries.push(entry);
    // Bounded so 10,000s of executes cannot grow memory without limit.
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries);
    return entry;
  }

  query(q: HistoryQuery): HistoryItem[] {
    const withOutput = q.output === true;
    const item = (e: HistoryEntry): HistoryItem => (withOutput ? [e.session, e.line, [e.input, e.output]] : [e.session, e.line, e.input]);
    const type = q.hist_access_type ?? 'tail';
    if (type === 'tail') {
      const n = intArg(q.n, 'n', 10)!;
      if (n < 0) throw new RangeError('history_request: n must be >= 0');
      return n === 0 ? [] : this.entries.slice(-n).map(item);
    }
    if (type === 'range') {
      const session = intArg(q.session, 'session', 0)!;
      // 0 and -0 mean the current session; negative sessions count back, and we keep only this one.
      if (session !== 0 && session !== this.session) return [];
      const start = intArg(q.start, 'start', 1)!;
      const stop = intArg(q.stop, 'stop', undefined);
      return this.entries.filter((e) => e.line >= start && (stop === undefined || e.line < stop)).map(item);
    }
    if (type === 'search') {
      if (typeof q.pattern !== 'string') throw new TypeError('history_request: pattern must be a string for search');
      const re = globToRegExp(q.pattern);
      let hits = this.entries.filter((e) => re.test(e.input));
      if (q.unique === true) {
        const seen = new Set<string>();
        const unique: HistoryEntry[] = [];
        for (let i = hits.length - 1; i >= 0; i--) {
          if (!seen.has(hits[i]!.input)) {
            seen.add(hits[i]!.input);
            unique.unshift(hits[i]!);
          }
        }
        hits = unique;
      }
      const n = intArg(q.n, 'n', undefined);
      if (n !== undefined) hits = n <= 0 ? [] : hits.slice(-n);
      return hits.map(item);
    }
    throw new TypeError(`history_request: unknown hist_access_type '${String(type)}' (expected tail, range or search)`);
  }
}
