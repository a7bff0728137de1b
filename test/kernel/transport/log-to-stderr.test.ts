// logToStderr keeps every line when the reader lags: with process.stderr touched, Node makes a
// pipe on fd 2 non-blocking and a plain writeSync threw EAGAIN (lines lost) once the pipe was
// full — the structured fuzzer's logged drops went missing that way. A child logs 20,000 lines
// while this side does not read for 200 ms (well inside logToStderr's 1 s retry bound, which
// caps how long a reader that never reads can stall the kernel); every line must arrive, whole
// and in order.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const transport = pathToFileURL(fileURLToPath(new URL('../../../kernel/transport/transport.ts', import.meta.url))).href;
const NUM_LINES = 20_000;

describe('logToStderr with a full, non-blocking stderr pipe', () => {
  it(`loses none of ${NUM_LINES} lines while the reader pauses`, async () => {
    const code = `process.stderr; const { logToStderr } = await import(${JSON.stringify(transport)}); (await import('node:fs')).writeSync(1, 'ready\\n'); for (let i = 0; i < ${NUM_LINES}; i++) logToStderr('line ' + i + ' ' + 'x'.repeat(80));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.pause();
    let text = '';
    const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    // Start the pause when the child starts logging (tsx start-up takes seconds under load).
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    await new Promise((r) => setTimeout(r, 200));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.resume();
    expect(await exited).toBe(0);
    const lines = text.split('\n').filter((l) => l.startsWith('[enginelab kernel] line '));
    expect(lines.length).toBe(NUM_LINES);
    expect(lines.every((l, i) => l === `[enginelab kernel] line ${i} ${'x'.repeat(80)}`)).toBe(true);
    expect(text).not.toContain('log lines lost');
  }, 120_000);
});
