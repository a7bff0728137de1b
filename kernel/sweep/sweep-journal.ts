/**
 * The sweep's append-only journal, `results.jsonl`: one JSON `SweepRow` per finished config, each
 * written with a single `write` of the whole line and its newline, so a run killed mid-write
 * (kill -9, a lost node) leaves at most one torn last line. Reading ignores a tail without its
 * newline (and any line that is not a row); opening for append first cuts such a tail off, so the
 * next line never glues onto it. Rows are never rewritten: resume only appends.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { SweepRow } from '../../engine/index';

export const JOURNAL_FILE = 'results.jsonl';

export interface JournalContents {
  readonly rows: SweepRow[];
  /** Bytes up to and including the last complete line. */
  readonly validBytes: number;
  /** Complete lines that were not rows (hand edits, a foreign file). */
  readonly numBadLines: number;
  /** Whether the file ended in a torn (newline-less) line. */
  readonly tornTail: boolean;
}

function isRow(x: unknown): x is SweepRow {
  const r = x as SweepRow | null;
  return typeof r === 'object' && r !== null && typeof r.key === 'string' && typeof r.index === 'number'
    && (r.status === 'ok' || r.status === 'error') && typeof r.metrics === 'object' && r.metrics !== null;
}

/** Reads a journal; a missing file is an empty journal. */
export function readJournal(path: string): JournalContents {
  if (!existsSync(path)) return { rows: [], validBytes: 0, numBadLines: 0, tornTail: false };
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  const rows: SweepRow[] = [];
  let numBadLines = 0;
  for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r: unknown = JSON.parse(line);
      if (isRow(r)) rows.push(r);
      else numBadLines++;
    } catch {
      numBadLines++;
    }
  }
  return { rows, validBytes: end, numBadLines, tornTail: end < bytes.length };
}

/** An open journal: `append(row)` writes one line. */
export class JournalWriter {
  private fd: number | null;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** Opens `path` for appending after cutting a torn tail at `validBytes`. */
  static open(path: string, contents: JournalContents): JournalWriter {
    const fd = openSync(path, 'a');
    if (contents.tornTail) ftruncateSync(fd, contents.validBytes);
    return new JournalWriter(fd);
  }

  append(row: SweepRow): void {
    if (this.fd === null) throw new Error('sweep journal: append after close');
    const line = Buffer.from(JSON.stringify(row) + '\n', 'utf8');
    // One write call per line (O_APPEND): a kill between calls never splits two rows.
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
