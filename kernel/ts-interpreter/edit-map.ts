/**
 * Text edits over a cell's source and the position map back from the edited text. Cells are
 * rewritten by edits (types blanked to spaces, declarations turned into global assignments)
 * rather than re-printed, so most positions map one to one and runtime stack frames can be
 * reported with the cell's own line and column without source maps.
 */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface Segment {
  readonly genStart: number;
  readonly genEnd: number;
  readonly origStart: number;
  readonly origEnd: number;
  /** True when the generated text here is a replacement (positions inside map to origStart). */
  readonly replaced: boolean;
}

/** Replaces every character but line breaks with a space, so lines and columns are kept. */
export function blankOut(text: string): string {
  return text.replace(/[^\r\n]/g, ' ');
}

/** Line start offsets of `text` (index i = offset of line i, 0-based). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The edited text plus a map from its positions to the original's. */
export class EditedText {
  readonly text: string;
  private readonly segments: Segment[] = [];
  private genStarts: number[] | undefined;
  private origStarts: number[] | undefined;

  constructor(readonly original: string, edits: readonly TextEdit[]) {
    const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
    const parts: string[] = [];
    let orig = 0;
    let gen = 0;
    for (const e of sorted) {
      if (e.start < orig || e.end < e.start || e.end > original.length) {
        throw new RangeError(`EditedText: overlapping or out-of-range edit [${e.start}, ${e.end}) after ${orig}`);
      }
      if (e.start > orig) {
        const len = e.start - orig;
        this.segments.push({ genStart: gen, genEnd: gen + len, origStart: orig, origEnd: e.start, replaced: false });
        parts.push(original.slice(orig, e.start));
        gen += len;
      }
      const sameShape = e.text.length === e.end - e.start;
      this.segments.push({ genStart: gen, genEnd: gen + e.text.length, origStart: e.start, origEnd: e.end, replaced: !sameShape });
      parts.push(e.text);
      gen += e.text.length;
      orig = e.end;
    }
    if (orig < original.length) {
      this.segments.push({ genStart: gen, genEnd: gen + original.length - orig, origStart: orig, origEnd: original.length, replaced: false });
      parts.push(original.slice(orig));
    }
    this.text = parts.join('');
  }

  /** Maps an offset in the edited text to one in the original. */
  toOriginalOffset(genOffset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    if (hi < 0) return Math.min(genOffset, this.original.length);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.genStart <= genOffset) lo = mid;
      else hi = mid - 1;
    }
    const s = this.segments[lo]!;
    if (genOffset >= s.genEnd) return s.origEnd;
    return s.replaced ? s.origStart : s.origStart + (genOffset - s.genStart);
  }

  /** Maps a 1-based line and column of the edited text to the original's (also 1-based). */
  toOriginalPosition(line: number, column: number): { line: number; column: number } {
    this.genStarts ??= lineStarts(this.text);
    this.origStarts ??= lineStarts(this.original);
    const lineStart = this.genStarts[Math.min(Math.max(line - 1, 0), this.genStarts.length - 1)]!;
    const off = this.toOriginalOffset(Math.min(lineStart + Math.max(column - 1, 0), this.text.length));
    const l = lineOf(this.origStarts, off);
    return { line: l + 1, column: off - this.origStarts[l]! + 1 };
  }
}
