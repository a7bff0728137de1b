import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from 'tsx/cjs/api';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createTsInterpreter, type TsInterpreter } from '../../../kernel/ts-interpreter/index';
import { plain, recordingIO, run } from './helpers';

const root = path.resolve(__dirname, '../../..');
let unregister: () => void;
beforeAll(() => {
  unregister = register();
});
afterAll(() => unregister());

describe('the engine public surface (engine/index.ts) in cells', () => {
  let interp: TsInterpreter;
  beforeAll(() => {
    interp = createTsInterpreter({ projectRoot: root, cwd: root, catchAsyncErrors: false, handleSigint: false });
    interp.prepare();
  });
  afterAll(() => interp.shutdown());

  it('every runtime export of engine/index.ts is typed on `engine.` and callable without an import', async () => {
    const mod = createRequire(path.join(root, 'x.js'))(path.join(root, 'engine/index.ts')) as Record<string, unknown>;
    const exported = Object.keys(mod).filter((k) => k !== '__esModule');
    expect(exported.length).toBeGreaterThan(0);
    const r = await interp.complete('engine.', 7);
    expect(r.matches).toEqual(expect.arrayContaining(exported));
    expect(plain(await run(interp, 'new Rng(7).nextU32() === new engine.Rng(7).nextU32()'))).toBe('true');
  });
});

describe('a broken engine module', () => {
  it('does not take the interpreter down: cells run and the first one says why', async () => {
    const interp = createTsInterpreter({
      projectRoot: root,
      cwd: root,
      engineModule: 'test/kernel/ts-interpreter/fixtures/broken-engine.ts',
      catchAsyncErrors: false,
      handleSigint: false,
    });
    const io = recordingIO();
    expect(plain(await run(interp, '2 * 21', io))).toBe('42');
    expect(io.text('stderr')).toContain('this engine is broken on purpose');
    const o = await run(interp, 'typeof neverSeen');
    expect(o.status).toBe('error'); // not declared: the broken module contributes no globals
    await interp.shutdown();
  });
});
