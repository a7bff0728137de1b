import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from 'tsx/cjs/api';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { createTsInterpreter, type TsInterpreter } from '../../../kernel/ts-interpreter/index';
import { interruptFlag } from '../../../kernel/ts-interpreter/interrupt-flag';
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

/**
 * A thread that acts like the socket thread on interrupt_request once the cell has raised
 * `flag[0]`: it raises the shared interrupt flag and, with `signal`, sends SIGINT too.
 */
function interruptRequestWhenFlagged(flag: Int32Array, signal: boolean): Worker {
  return new Worker(
    `const { workerData } = require('node:worker_threads');
     const flag = new Int32Array(workerData.flag);
     const interrupt = new Int32Array(workerData.interrupt);
     Atomics.wait(flag, 0, 0, 30000);
     setTimeout(() => {
       Atomics.store(interrupt, 0, 1);
       if (workerData.signal) process.kill(process.pid, 'SIGINT');
     }, 50);`,
    { eval: true, workerData: { flag: flag.buffer, interrupt: interruptFlag.buffer, signal } },
  );
}

/** Runs `code` (which must store 1 into `postAwaitFlag` when it is spinning) and interrupts it like interrupt_request. */
async function interruptedAfterAwait(code: string, signal = false) {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  interp.defineGlobals({ postAwaitFlag: flag }, { postAwaitFlag: 'Int32Array' });
  const worker = interruptRequestWhenFlagged(flag, signal);
  const started = Date.now();
  const o = await run(interp, code);
  await worker.terminate();
  return { o, seconds: (Date.now() - started) / 1000 };
}

const RUNNING = 'Atomics.store(postAwaitFlag, 0, 1); Atomics.notify(postAwaitFlag, 0);';

describe('interrupt', () => {
  it('the interrupt flag stops `while (true) {}` after an await; bindings and the kernel survive', async () => {
    await run(interp, 'let beforeAwait = "kept";');
    const { o, seconds } = await interruptedAfterAwait(`let spinsAfterAwait = 0;\nawait new Promise((r) => setTimeout(r, 10));\n${RUNNING}\nwhile (true) {\n  spinsAfterAwait++;\n}`);
    expect(o.status === 'error' && o.ename).toBe('KeyboardInterrupt');
    expect(seconds).toBeLessThan(10);
    expect(plain(await run(interp, 'spinsAfterAwait > 0'))).toBe('true');
    expect(plain(await run(interp, 'beforeAwait'))).toBe("'kept'");
    // the flag was consumed: the next loop runs to its end
    expect(plain(await run(interp, 'await 0; let total = 0; for (let i = 0; i < 1000; i++) total += i; total'))).toBe('499500');
  });

  it('flag plus SIGINT (what the socket thread does) stops a post-await loop once; the next cell is not interrupted', async () => {
    const { o } = await interruptedAfterAwait(`await new Promise((r) => setTimeout(r, 10));\n${RUNNING}\nfor (;;);`, true);
    expect(o.status === 'error' && o.ename).toBe('KeyboardInterrupt');
    await new Promise((r) => setTimeout(r, 100)); // let the SIGINT reach its listener while idle
    expect(plain(await run(interp, 'await new Promise((r) => setTimeout(r, 50)); let k = 0; while (k < 5) k++; k'))).toBe('5');
  });

  it('stops every loop kind after an await, and loops in functions from earlier cells', async () => {
    await run(interp, `function spinForever(): void {\n  const xs = [1];\n  for (const x of xs) xs.push(x);\n}`);
    const bodies = [
      'do { Math.sqrt(2); } while (true)',
      'while (1) for (const k in { a: 1 }) Math.sqrt(k.length);',
      'const it = { [Symbol.iterator]: () => ({ next: () => ({ done: false, value: 1 }) }) };\nfor (const v of it) { Math.sqrt(v); }',
      'outer: for (let i = 0; ; i++) { for (let j = 0; j < 10; j++) { if (j === 5) continue outer; } }',
      'spinForever();',
    ];
    for (const body of bodies) {
      const { o } = await interruptedAfterAwait(`await 0;\n${RUNNING}\n${body}`);
      expect(o.status === 'error' && o.ename, body).toBe('KeyboardInterrupt');
    }
    expect(plain(await run(interp, 'await 0; 1 + 1'))).toBe('2');
  });

  it('guards keep traceback lines and columns of the cell', async () => {
    const o = await run(interp, 'await 0;\nlet acc = 0;\nfor (let i = 0; i < 3; i++) acc += i;\nwhile (acc < 10) { acc++; }\nif (acc) (null as any).boom;');
    expect(o.status === 'error' && o.traceback.join('\n')).toMatch(/Cell In\[\d+\]:5:/);
    const o2 = await run(interp, 'for (let i = 0; i < 3; i++) { if (i === 2) (null as any).boom; }');
    expect(o2.status === 'error' && o2.traceback.join('\n')).toMatch(/Cell In\[\d+\]:1:/);
  });


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
