/**
 * Interrupt guards for loops in cell code. Only code that runs before a cell's first `await`
 * runs under vm's `breakOnSigint`; a loop after an `await` (or in a timer callback) cannot be
 * stopped by a signal, since JS signal listeners run only on the blocked main thread. So every
 * loop body (while, do, for, for-in, for-of, for-await) that may run after an await gets a call
 * to a global guard that throws once the interrupt flag (interrupt-flag.ts) is raised. Guards are inserted on the
 * line where the body starts, never as new lines, so tracebacks keep the cell's line numbers.
 * The socket thread raises the flag on interrupt_request (the kernelspec's interrupt_mode is
 * "message"). A raw SIGINT cannot: Node delivers signals only to the main thread's event loop
 * (a worker's process.on('SIGINT') never fires), so while a post-await loop blocks that loop a
 * raw SIGINT stays pending; it stops only code under breakOnSigint, or an idle await.
 */
import ts from 'typescript';
import { EditedText, type TextEdit } from './edit-map';

/** The global function every loop body calls (installed by ts-interpreter.ts). */
export const LOOP_GUARD = '__enginelabCheckInterrupt';

function isLoop(node: ts.Node): node is ts.IterationStatement {
  return (
    ts.isWhileStatement(node) ||
    ts.isDoStatement(node) ||
    ts.isForStatement(node) ||
    ts.isForInStatement(node) ||
    ts.isForOfStatement(node)
  );
}

/**
 * Edits (offsets in `sf`) that put `LOOP_GUARD()` first in the body of every loop inside
 * `node` that needs one. A body that is not a block is wrapped in one, so `while (x) y++;`
 * becomes `while (x) { LOOP_GUARD(); y++; }`. Loops in functions (and class bodies) always
 * need one: they may be called after an await. Loops outside any function need one only in
 * an async cell (`topLevelToo`); in a synchronous cell they run under breakOnSigint, and an
 * unguarded top-level loop stays as fast as written (a guard call costs a few ns per
 * iteration in on-stack-replaced code).
 */
export function loopGuardEdits(node: ts.Node, sf: ts.SourceFile, topLevelToo: boolean): TextEdit[] {
  const edits: TextEdit[] = [];
  const call = `${LOOP_GUARD}();`;
  const visit = (n: ts.Node, nested: boolean): void => {
    if (isLoop(n) && (nested || topLevelToo)) {
      const body = n.statement;
      if (ts.isBlock(body)) {
        const open = body.getStart(sf) + 1;
        edits.push({ start: open, end: open, text: ` ${call}` });
      } else {
        const start = body.getStart(sf);
        edits.push({ start, end: start, text: `{ ${call} ` });
        edits.push({ start: body.end, end: body.end, text: ' }' });
      }
    }
    const inner = nested || ts.isFunctionLike(n) || ts.isClassLike(n);
    ts.forEachChild(n, (c) => visit(c, inner));
  };
  visit(node, false);
  return edits;
}

/**
 * `js` (a statement the compiler re-emitted) with its loops guarded. Guarding the emitted text
 * rather than the source keeps the printer from spreading guarded bodies over more lines.
 */
export function guardLoopsInJs(js: string, topLevelToo: boolean): string {
  const sf = ts.createSourceFile('statement.js', js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits = loopGuardEdits(sf, sf, topLevelToo);
  return edits.length === 0 ? js : new EditedText(js, edits).text;
}
