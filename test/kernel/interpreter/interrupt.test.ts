import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from 'tsx/cjs/api';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { createTsInterpreter, type TsInterpreter } from '../../../kernel/interpreter/index';
import { plain, run } from './helpers';

const root = path.resolve(__dirname, '../../..');
let interp: TsInterpreter;
let unregister: () => void;

beforeAll(() => {
  unregister = register();
  // handleSigint installs a SIGINT listener, so a signal outside a running script never kills the worker.
  interp = createTsInterpreter({ projectRoot: root, cwd: root, engineModule: false, catchAsyncErrors: false });
  interp.prepare();
});
afterAll(async () => {
  await interp.shutdown();
  unregister();
});

/** A thread that sends SIGINT to this process once the cell has raised `flag[0]`. */
function sigintWhenFlagged(flag: Int32Array): Worker {
  return new Worker(
    `const { workerData } = require('node:worker_threads');
     const flag = new Int32Array(workerData);
     Atomics.wait(flag, 0, 0, 30000);
     setTimeout(() => process.kill(process.pid, 'SIGINT'), 50);`,
    { eval: true, workerData: flag.buffer },
  );
}

describe('interrupt', () => {
  it('stops `while (true) {}` on a real SIGINT and keeps the bindings', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    interp.defineGlobals({ runningFlag: flag }, { runningFlag: 'Int32Array' });
    await run(interp, 'let before = "kept";');
    const worker = sigintWhenFlagged(flag);
    const o = await run(interp, 'let spins = 0;\nAtomics.store(runningFlag, 0, 1);\nAtomics.notify(runningFlag, 0);\nwhile (true) {\n  spins++;\n}');
    await worker.terminate();
    expect(o.status).toBe('error');
    expect(o.status === 'error' && o.ename).toBe('KeyboardInterrupt');
    expect(plain(await run(interp, 'spins > 0'))).toBe('true');
    expect(plain(await run(interp, 'before'))).toBe("'kept'");
  });

  it('interrupt() ends a cell stuck in a top-level await', async () => {
    setTimeout(() => interp.interrupt(), 100);
    const o = await run(interp, 'const forever = await new Promise<number>(() => {});');
    expect(o.status === 'error' && o.ename).toBe('KeyboardInterrupt');
    expect(plain(await run(interp, '1 + 2'))).toBe('3');
  });

  it('a SIGINT while a cell awaits interrupts it too', async () => {
    setTimeout(() => process.kill(process.pid, 'SIGINT'), 100);
    const o = await run(interp, 'await new Promise((r) => setTimeout(r, 20000));');
    expect(o.status === 'error' && o.ename).toBe('KeyboardInterrupt');
    expect(plain(await run(interp, '"still here"'))).toBe("'still here'");
  });
});
