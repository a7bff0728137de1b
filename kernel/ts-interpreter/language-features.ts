/**
 * complete_request and inspect_request over the TypeScript language service. Jupyter counts
 * cursor positions in Unicode code points (protocol 5.2); JavaScript strings count UTF-16
 * units, so positions are converted both ways here.
 */
import ts from 'typescript';
import type { CompleteResult, InspectResult } from '../interpreter';
import type { TypeService } from './type-service';

/** Code-point offset → UTF-16 offset (clamped to the string). */
export function codePointsToUtf16(s: string, cp: number): number {
  let i = 0;
  let n = 0;
  while (i < s.length && n < cp) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    n += 1;
  }
  return i;
}

/** UTF-16 offset → code-point offset. */
export function utf16ToCodePoints(s: string, u: number): number {
  let n = 0;
  for (let i = 0; i < u && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i += 1;
    n += 1;
  }
  return n;
}

function checkPos(code: string, cursorPos: number, what: string): number {
  if (typeof code !== 'string') throw new TypeError(`${what}(code, cursorPos): code must be a string`);
  if (!Number.isInteger(cursorPos) || cursorPos < 0) throw new RangeError(`${what}(code, cursorPos): cursorPos must be a non-negative integer, got ${cursorPos}`);
  return codePointsToUtf16(code, cursorPos);
}

export function completeAt(types: TypeService, code: string, cursorPos: number): CompleteResult {
  const pos = checkPos(code, cursorPos, 'complete');
  let start = pos;
  while (start > 0 && /[\w$]/.test(code[start - 1]!)) start -= 1;
  const prefix = code.slice(start, pos);
  const cpStart0 = utf16ToCodePoints(code, start);
  const fast = types.fastCompletions(code, pos);
  if (fast) {
    return {
      matches: fast.names,
      cursorStart: cpStart0,
      cursorEnd: cursorPos,
      metadata: { _jupyter_types_experimental: fast.names.map((n) => ({ start: cpStart0, end: cursorPos, text: n, type: fast.kinds.get(n) ?? 'variable' })) },
    };
  }
  const info = types.completions(code, pos);
  const entries = (info?.entries ?? [])
    .filter((e) => e.name.startsWith(prefix) && !e.name.startsWith('__'))
    .sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : a.name.localeCompare(b.name)));
  const cpStart = utf16ToCodePoints(code, start);
  return {
    matches: entries.map((e) => e.name),
    cursorStart: cpStart,
    cursorEnd: cursorPos,
    metadata: {
      _jupyter_types_experimental: entries.map((e) => ({ start: cpStart, end: cursorPos, text: e.name, type: e.kind })),
    },
  };
}

function partsText(parts: readonly ts.SymbolDisplayPart[] | undefined): string {
  return (parts ?? []).map((p) => p.text).join('');
}

export function inspectAt(types: TypeService, code: string, cursorPos: number, detailLevel: number): InspectResult {
  const pos = checkPos(code, cursorPos, 'inspect');
  let signature = '';
  let doc = '';
  let tags: readonly ts.JSDocTagInfo[] = [];
  const fast = types.fastQuickInfo(code, pos);
  let info = fast ? undefined : types.quickInfo(code, pos);
  if (!fast && !info && pos > 0) info = types.quickInfo(code, pos - 1);
  if (fast) {
    signature = fast.signature;
    doc = fast.documentation;
    tags = fast.tags;
  } else if (info) {
    signature = partsText(info.displayParts);
    doc = partsText(info.documentation);
    tags = info.tags ?? [];
  } else {
    const help = types.signatureHelp(code, pos);
    const item = help?.items[help.selectedItemIndex];
    if (item) {
      signature = partsText(item.prefixDisplayParts) + item.parameters.map((p) => partsText(p.displayParts)).join(partsText(item.separatorDisplayParts)) + partsText(item.suffixDisplayParts);
      doc = partsText(item.documentation);
      tags = item.tags;
    }
  }
  if (!signature) return { found: false, data: {}, metadata: {} };
  const tagLines = (detailLevel > 0 ? tags : tags.filter((t) => t.name === 'param' || t.name === 'returns')).map((t) => `@${t.name} ${partsText(t.text)}`.trimEnd());
  const plain = [signature, doc, tagLines.join('\n')].filter((s) => s !== '').join('\n\n');
  const markdown = ['```typescript\n' + signature + '\n```', doc, tagLines.map((l) => `*${l}*`).join('  \n')].filter((s) => s !== '').join('\n\n');
  return { found: true, data: { 'text/plain': plain, 'text/markdown': markdown }, metadata: {} };
}
