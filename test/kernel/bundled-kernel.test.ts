// The kernel started from the install-time bundle (bin/enginelab.mjs with a fresh bundle, no tsx
// at start): cells run, a cell imports a TypeScript module of the project (tsx registered on
// that need), the engine globals work, type errors are reported, completion sees the engine.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../kernel/cli/run-notebook';

const repo = resolve(__dirname, '../..');
const work = join(repo, 'dist', `test-kernel-bundle-${process.pid}`);
const env = { ...process.env, ENGINELAB_BUNDLE_DIR: join(work, 'cli'), ENGINELAB_TRACE_STARTUP: '1' };
let client: KernelClient;

beforeAll(async () => {
  const built = spawnSync(process.execPath, ['scripts/build-bundle.mjs', '--force'], { cwd: repo, env, encoding: 'utf8' });
  expect(built.stdout).toMatch(/build-bundle: bundled \d+ sources/);
  client = await KernelClient.launch({ argv: defaultKernelArgv(), cwd: repo, env, startTimeoutMs: 120_000 });
}, 240_000);
afterAll(async () => {
  await client?.shutdown();
  rmSync(work, { recursive: true, force: true });
});

async function run(code: string) {
  const r = await client.execute(code, { timeoutMs: 180_000 });
  const res = r.outputs.find((m) => m.header.msg_type === 'execute_result');
  return { reply: r.reply.content, text: (res?.content.data as Record<string, unknown> | undefined)?.['text/plain'] };
}

describe('the kernel from the bundle', () => {
  it('started from the bundle, not through tsx', () => {
    expect(client.stderrTail).toContain('startup main loaded (bundle)');
    expect(client.stderrTail).not.toContain('bundle not used');
  });

  it('runs a first cell, then cells that import a project .ts module and use the engine', async () => {
    expect((await run('1 + 1')).text).toBe('2');
    const imported = await run("import { readTextFile } from './kernel/files/read-text'; typeof readTextFile");
    expect(imported.reply.status).toBe('ok');
    expect(imported.text).toBe("'function'");
    expect((await run('typeof engine.simulateServe')).text).toBe("'function'");
    expect((await run('const fromEngine: number = engine.simulateServe.length; typeof fromEngine')).text).toBe("'number'");
  }, 240_000);

  it('reports a type error', async () => {
    const r = await run('const wrong: string = 1');
    expect(r.reply.status).toBe('error');
    expect(r.reply.ename).toBe('TypeScriptError');
  }, 120_000);

  it('completes engine members once warm', async () => {
    const code = 'engine.simulateS';
    const r = await client.request('shell', 'complete_request', { code, cursor_pos: code.length }).reply;
    expect(r.content.matches as string[]).toContain('simulateServe');
  }, 120_000);
});
