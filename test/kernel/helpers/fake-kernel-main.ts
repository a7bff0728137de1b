/**
 * A kernel process with the FakeInterpreter (JavaScript cells, no TypeScript) over the real
 * zeromq transport: `tsx fake-kernel-main.ts CONNECTION_FILE`. Tests use it to drive the
 * transport and core with Debian's jupyter_client independently of the TypeScript interpreter.
 */
import { readConnectionFile } from '../../../kernel/transport/connection';
import { serveKernel } from '../../../kernel/core/serve-kernel';
import { FakeInterpreter } from './fake-interpreter';
import { inlineFormat } from './memory-kernel';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: fake-kernel-main.ts CONNECTION_FILE');
await serveKernel({
  connection: readConnectionFile(file),
  interpreter: new FakeInterpreter(),
  loadGlobals: async () => ({}),
  loadFormatter: async () => inlineFormat,
});
