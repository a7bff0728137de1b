// Issue 18, must-show 3: a real `jupyter console --kernel enginelab` (Debian's jupyter-console)
// in tmux, typed into at once, before the kernel has warmed up. The console gives the kernel 1 s
// to answer each is_complete_request; a miss makes it warn, run the half-typed line and turn the
// check off for the session (from then on Enter only adds lines). Here the first line, an open
// object literal, must continue (`...:`), the completed statement must run, and a later one-line
// expression must run on a single Enter: the kernel answered every check in time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCI } from './helpers/external';

const root = resolve(__dirname, '../..');
const CONSOLE = '/usr/bin/jupyter-console';
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
const available = has('tmux', ['-V']) && has(CONSOLE, ['--version']);
const socket = `enginelab-console-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'console').stdout;

async function waitForScreen(test: (s: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (test(s)) return s;
    if (Date.now() > deadline) throw new Error(`the console never showed what was expected; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!available && !isCI)('jupyter console: is_complete answered from the first keystroke', () => {
  let dir: string;
  let final: string;

  beforeAll(async () => {
    if (!available) throw new Error('tmux and jupyter-console are required in CI (apt: tmux jupyter-console)');
    dir = mkdtempSync(join(tmpdir(), 'enginelab-console-'));
    const install = spawnSync(process.execPath, [join(root, 'bin/enginelab.mjs'), 'install', '--prefix', dir], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`install failed: ${install.stderr}`);
    const env = `JUPYTER_PATH=${join(dir, 'share', 'jupyter')} JUPYTER_RUNTIME_DIR=${join(dir, 'runtime')} JUPYTER_CONFIG_DIR=${join(dir, 'config')}`;
    const started = tmux('new-session', '-d', '-s', 'console', '-x', '160', '-y', '50', `env ${env} ${CONSOLE} --kernel enginelab; sleep 600`);
    if (started.status !== 0) throw new Error(`tmux failed: ${started.stderr}`);
    // Typed at once, while the kernel is still starting: the keys wait in the terminal.
    tmux('send-keys', '-t', 'console', 'const x = {', 'Enter');
    tmux('send-keys', '-t', 'console', 'a: 1 }', 'Enter');
    tmux('send-keys', '-t', 'console', 'x.a + 41', 'Enter');
    await waitForScreen((s) => /Out\[\d+\]: 42/.test(s), 240_000);
    tmux('send-keys', '-t', 'console', 'x.a * 2', 'Enter');
    final = await waitForScreen((s) => /Out\[\d+\]: 2\b/.test(s) || /did not respond/.test(s), 120_000);
  }, 400_000);

  afterAll(() => {
    tmux('kill-server');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('never fell back: no "did not respond to an is_complete_request" warning', () => {
    expect(final).not.toMatch(/did not respond/);
  });

  it('the open object literal continued on a `...:` line and the completed statement ran', () => {
    expect(final).toMatch(/In \[1\]: const x = \{\s*\n\s*\.\.\.: +a: 1 \}/);
    expect(final).not.toMatch(/Error/);
    expect(final).toMatch(/In \[2\]: x\.a \+ 41\s*\nOut\[2\]: 42/);
  });

  it('a one-line expression typed later still runs on a single Enter (the check stayed on)', () => {
    expect(final).toMatch(/In \[3\]: x\.a \* 2\s*\nOut\[3\]: 2\b/);
  });
});
