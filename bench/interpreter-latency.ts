/**
 * Interpreter micro-benchmark: time inside `Interpreter.execute/complete/inspect` (no sockets),
 * after warm-up, side by side with the naive approach (a new TypeScript program per cell with
 * no reuse, then transpile) on the same machine in the same run.
 *
 *   npx tsx bench/interpreter-latency.ts [--engine engine/index.ts] [--n 500]
 */
import { register } from 'tsx/cjs/api';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { createTsInterpreter } from '../kernel/ts-interpreter/index';
import type { CellIO } from '../kernel/interpreter';

register();
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const N = Number(opt('n', '500'));
if (!Number.isInteger(N) || N < 10) throw new RangeError(`--n must be an integer >= 10, got ${opt('n', '500')}`);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = (s: string): void => void fs.writeSync(1, s + '\n');

const interp = createTsInterpreter({ projectRoot: root, cwd: root, engineModule: opt('engine', 'engine/index.ts'), handleSigint: false, captureOutput: false, catchAsyncErrors: false });
const io: CellIO = { stream() {}, display() {}, clearOutput() {}, input: async () => '' };
let count = 0;
const exec = async (code: string): Promise<void> => {
  const o = await interp.execute({ code, silent: false, storeHistory: true, allowStdin: false, executionCount: ++count, userExpressions: {} }, io);
  if (o.status !== 'ok') throw new Error(`${code}: ${o.status === 'error' ? o.evalue : ''}`);
};

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(3)} ms   p99 ${q(0.99).toFixed(3)} ms   (n=${s.length})`;
}

async function time(label: string, n: number, f: (i: number) => Promise<unknown> | unknown): Promise<void> {
  for (let i = 0; i < Math.min(50, n); i++) await f(-1 - i); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    xs.push(performance.now() - t0);
  }
  out(`${label.padEnd(48)} ${stats(xs)}`);
}

const t0 = performance.now();
interp.prepare();
out(`prepare (engine load + first program)            ${(performance.now() - t0).toFixed(0)} ms`);
await exec('let total = 0;\nconst r = new Rng(1);');

out('--- enginelab interpreter (long-lived language service, reused files, fast path) ---');
await time('execute `1 + 1`', N, () => exec('1 + 1'));
await time('execute distinct trivial cells `${i} + 1`', N, (i) => exec(`${i + 1000} + 1`));
await time('execute `total += ${i}; r.nextU32()`', N, (i) => exec(`total += ${i}; r.nextU32()`));
await time('execute a declaring cell `let v${i%5} = ${i}`', Math.min(N, 100), (i) => exec(`let v${Math.abs(i) % 5} = ${Math.abs(i)};`));
await time('execute top-level await', N, () => exec('await Promise.resolve(1)'));
// Each request carries different text (as typing does), so each one needs a new program.
await time('complete `r.ne|` (text changes every time)', Math.min(N, 100), (i) => {
  const code = `const n${Math.abs(i)} = ${i};\nr.ne`;
  return interp.complete(code, code.length);
});
await time('inspect `r.nextU32|` (text changes every time)', Math.min(N, 100), (i) => {
  const code = `const n${Math.abs(i)} = ${i};\nr.nextU32`;
  return interp.inspect(code, code.length, 0);
});

out('--- naive: a new program per cell over lib + @types/node, no reuse ---');
const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts'], types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')], strict: true, skipLibCheck: true, noEmit: true, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler };
const naive = (code: string): void => {
  const file = path.join(root, '__naive_cell__.ts');
  const host = ts.createCompilerHost(options);
  const orig = host.getSourceFile;
  host.getSourceFile = (f, lv, ...rest) => (f === file ? ts.createSourceFile(f, code, lv) : orig.call(host, f, lv, ...rest));
  const program = ts.createProgram([file], options, host);
  const diags = program.getSemanticDiagnostics(program.getSourceFile(file));
  if (diags.length) throw new Error('naive: unexpected diagnostics');
  new Function(ts.transpile(code))();
};
await time('naive execute `1 + 1`', Math.min(N, 40), () => naive('1 + 1'));
await interp.shutdown();
out(`node ${process.version}, typescript ${ts.version}`);
