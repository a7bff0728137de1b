// A first cell overtaking the warm-up (ts-interpreter/early-check.ts, warm-up-gate.ts): while the
// background warm-up has not finished, a cell that needs only the ES library runs at once; a cell
// with a type error, or one that needs anything else (console, an import, a declaration), waits
// for the full type checker and gets exactly its verdict; completion answers without waiting; an
// interrupt stops a cell that waits.
import { afterEach, describe, expect, it } from 'vitest';
import { createTsInterpreter, type TsInterpreter } from '../../../kernel/ts-interpreter/index';
import { EarlyChecker } from '../../../kernel/ts-interpreter/early-check';
import { analyzeCell, parseCell } from '../../../kernel/ts-interpreter/cell-transform';
import { WarmUpGate } from '../../../kernel/ts-interpreter/warm-up-gate';
import ts from 'typescript';
import { plain, recordingIO, run } from './helpers';

const made: TsInterpreter[] = [];
afterEach(async () => {
  for (const t of made.splice(0)) await t.shutdown();
});

/** An interpreter whose warm-up waits until `release()` is called. */
function warming(): { interp: TsInterpreter; release: () => void; warm: Promise<void> } {
  const interp = createTsInterpreter({ engineModule: false, handleSigint: false, catchAsyncErrors: false });
  made.push(interp);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const warm = interp.prepareInBackground(() => gate);
  return { interp, release, warm };
}

/** Resolves with whether `p` settled within a few turns of the event loop. */
async function settlesSoon(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(() => (settled = true), () => (settled = true));
  await new Promise((r) => setTimeout(r, 100));
  return settled;
}

const analysis = (code: string) => analyzeCell(code, parseCell(code));

describe('the early check', () => {
  it('admits only cells that declare and import nothing and are clean against the core ES library alone', () => {
    const early = new EarlyChecker(createTsInterpreterOptions());
    expect(early.passes(analysis('1+1'))).toBe(true);
    expect(early.passes(analysis('[3, 1, 2].sort()[0]! * Math.max(2, 5)'))).toBe(true);
    expect(early.passes(analysis('[3, 1, 2].at(-1)'))).toBe(false); // ES2022: waits for the full checker
    expect(early.passes(analysis('(1).toFixed("x")'))).toBe(false); // a type error
    expect(early.passes(analysis('console.log(1)'))).toBe(false); // @types/node's
    expect(early.passes(analysis('engine.simulateServe'))).toBe(false); // a kernel global
    expect(early.passes(analysis('const x = 1; x'))).toBe(false); // declares
    expect(early.passes(analysis("import { join } from 'node:path'; join('a')"))).toBe(false);
    expect(early.passes(analysis('1 +'))).toBe(false); // a syntax error
  });
});

/** The options the full checker uses (the early check derives its own from them). */
function createTsInterpreterOptions() {
  const interp = createTsInterpreter({ engineModule: false, handleSigint: false, catchAsyncErrors: false });
  made.push(interp);
  return (interp as unknown as { types: { compilerOptions: import('typescript').CompilerOptions } }).types.compilerOptions;
}

describe('a cell while the kernel warms up', () => {
  it('runs at once when the early check passes, before the warm-up is done', async () => {
    const { interp, release, warm } = warming();
    const outcome = run(interp, '1 + 1');
    expect(await settlesSoon(outcome)).toBe(true);
    expect(plain(await outcome)).toBe('2');
    release();
    await warm;
    expect(plain(await run(interp, 'const later: number = 40; later + 2'))).toBe('42');
  }, 60_000);

  it('waits for the full checker when the early check finds an error, and reports that error', async () => {
    const { interp, release, warm } = warming();
    const outcome = run(interp, '(1).toFixed("x")');
    expect(await settlesSoon(outcome)).toBe(false);
    release();
    await warm;
    const o = await outcome;
    expect(o.status).toBe('error');
    if (o.status === 'error') {
      expect(o.ename).toBe('TypeScriptError');
      expect(o.traceback.join('\n')).toContain("Argument of type 'string' is not assignable to parameter of type 'number'");
    }
  }, 60_000);

  it('waits for the full checker for names only it knows (console) and for declarations, then runs them', async () => {
    const { interp, release, warm } = warming();
    const io = recordingIO();
    const logged = run(interp, "console.log('from the first cell')", io);
    expect(await settlesSoon(logged)).toBe(false);
    release();
    await warm;
    expect((await logged).status).toBe('ok');
    expect(io.text('stdout')).toBe('from the first cell\n');
  }, 60_000);

  it('answers completion from the cheap path while warming, and from the type checker after', async () => {
    const { interp, release, warm } = warming();
    const quick = interp.complete('Math.ma', 7);
    expect(await settlesSoon(quick)).toBe(true);
    expect((await quick).matches).toContain('max');
    release();
    await warm;
    expect((await interp.complete('const word = "x"; word.toUpp', 28)).matches).toContain('toUpperCase');
  }, 60_000);

  it('stops a cell that waits for the warm-up when interrupted, and runs the next one', async () => {
    const { interp, release, warm } = warming();
    const waiting = run(interp, 'let n: number = 0; while (true) { n++ }');
    expect(await settlesSoon(waiting)).toBe(false);
    interp.interrupt();
    const o = await waiting;
    expect(o.status).toBe('error');
    if (o.status === 'error') expect(o.ename).toBe('KeyboardInterrupt');
    release();
    await warm;
    expect(plain(await run(interp, '2 * 21'))).toBe('42');
  }, 60_000);
});

describe('the late full check of early cells', () => {
  it('writes what the full checker finds in a cell that already ran early to that cell\'s stderr', async () => {
    const gate = new WarmUpGate(createTsInterpreterOptions());
    const io = recordingIO();
    const checked: string[] = [];
    const warm = gate.start(async () => undefined, () => undefined, (code) => {
      checked.push(code);
      const file = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022);
      return [{ category: ts.DiagnosticCategory.Error, code: 2345, file, start: 0, length: 1, messageText: 'an error only the full program sees' }];
    });
    expect(gate.admit(analysis('1 + 1'), 7, io)).toBe(true);
    expect(gate.admit(analysis('(1).toFixed("x")'), 8, recordingIO())).toBe(false);
    await warm;
    expect(checked).toEqual(['1 + 1']);
    expect(io.text('stderr')).toContain('the full type check of cell [7], which ran while the type checker was warming up, found:');
    expect(io.text('stderr')).toContain('an error only the full program sees');
    expect(gate.warming).toBe(false);
    expect(gate.admit(analysis('2 + 2'), 9, recordingIO())).toBe(false); // warm: every cell takes the full path
  }, 60_000);
});
