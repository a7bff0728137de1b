#!/usr/bin/env node
// The `enginelab` command. Sources are TypeScript; tsx's loader (esbuild, cached on disk)
// lets Node 20 run them directly, for ESM imports and for `require` from notebook cells alike.
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

const trace = process.env.ENGINELAB_TRACE_STARTUP ? (what) => process.stderr.write(`startup ${what} ${performance.now().toFixed(0)} ms\n`) : () => {};
trace('node ready');
registerEsm();
registerCjs();
trace('tsx registered');
const { main } = await import('../kernel/main.ts');
trace('main loaded');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
