/**
 * Run as a child process by memory.test.ts (the kernel is a process of its own, so this is
 * measured in one, with --expose-gc): 3,000 warm-up executes, then 10,000 measured ones.
 * Prints one JSON line with process.memoryUsage() before and after, and the final total.
 */
import { register } from 'tsx/cjs/api';
import fs from 'node:fs';
import path from 'node:path';
import { createTsInterpreter } from '../../../kernel/ts-interpreter/index';
import type { CellIO } from '../../../kernel/interpreter';

register();
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const interp = createTsInterpreter({ projectRoot: root, cwd: root, engineModule: 'engine/base/index.ts', catchAsyncErrors: false, handleSigint: false });
const io: CellIO = { stream() {}, display() {}, clearOutput() {}, input: async () => '' };
const gcOnce = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** Full collections with idle time between, so V8 can also give freed pages back. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gcOnce();
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function exec(code: string, i: number): Promise<string | undefined> {
  const o = await interp.execute({ code, silent: false, storeHistory: true, allowStdin: false, executionCount: i, userExpressions: {} }, io);
  if (o.status !== 'ok') throw new Error(`cell ${i} failed: ${o.status === 'error' ? o.evalue : ''}`);
  return o.result?.data['text/plain'] as string | undefined;
}

// Mostly distinct expression cells (each one parsed and type-checked); every 100th cell
// re-declares bindings, so history declarations are replaced rather than accumulated.
const cell = (i: number): string => (i % 100 === 0 ? `let acc${i % 7} = ${i};\nconst rng${i % 3} = new Rng(${i});` : `total += ${i} % 7`);

await exec('let total = 0;', 0);
for (let i = 1; i <= 3000; i++) await exec(cell(i), i);
await settle();
const before = process.memoryUsage();
for (let i = 3001; i <= 13_000; i++) await exec(cell(i), i);
await settle();
const after = process.memoryUsage();
const total = await exec('total', 13_001);
await interp.shutdown();
fs.writeSync(1, JSON.stringify({ before, after, total }) + '\n');
