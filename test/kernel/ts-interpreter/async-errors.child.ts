/**
 * Run as a child process by async-errors.test.ts: cells that reject without awaiting, throw
 * from a timer and write to an ended stream must leave the interpreter serving. Prints one
 * JSON line with what it saw.
 */
import { register } from 'tsx/cjs/api';
import fs from 'node:fs';
import path from 'node:path';
import { createTsInterpreter } from '../../../kernel/ts-interpreter/index';
import { recordingIO, run, plain } from './helpers';

register();
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const interp = createTsInterpreter({ projectRoot: root, cwd: root, engineModule: false });
const io = recordingIO();
const outcomes: string[] = [];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

outcomes.push((await run(interp, 'Promise.reject(new Error("nobody awaits this"));\n"after reject"', io)).status);
await pause(50);
outcomes.push((await run(interp, 'setTimeout(() => { throw new Error("thrown from a timer"); }, 10);', io)).status);
await pause(50);
outcomes.push((await run(interp, 'import { PassThrough } from "node:stream";\nconst ended = new PassThrough();\nended.end();\nended.write("too late");', io)).status);
await pause(50);
const last = plain(await run(interp, '6 * 7', io));
await interp.shutdown();
fs.writeSync(1, JSON.stringify({ outcomes, last, stderr: io.text('stderr') }) + '\n');
