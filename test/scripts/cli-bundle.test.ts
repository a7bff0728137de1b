// The install-time bundle of the `enginelab` command (scripts/cli-bundle.mjs, bin/enginelab.mjs):
// built into a directory of its own (ENGINELAB_BUNDLE_DIR, so this test never touches dist/cli),
// used only while every input is as recorded (a changed, resized or removed source makes the
// command fall back to tsx and say why), and giving the same `simulate` output as the tsx path.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const bin = join(repo, 'bin/enginelab.mjs');
// Inside the checkout (dist/ is gitignored): the bundle's npm imports resolve from its own folder up.
const work = join(repo, 'dist', `test-bundle-${process.pid}`);
const bundle = join(work, 'cli');

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 256 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 64 --random-output-len 16 --num-prompts 8 --max-concurrency 4 --ignore-eos';

interface Run {
  readonly status: number | null;
  readonly out: string;
  readonly err: string;
}

function node(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ENGINELAB_BUNDLE_DIR: bundle, ENGINELAB_TRACE_STARTUP: '1', ...env }, timeout: 240_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

type Record_ = { root: string; inputs: Record<string, { size: number; mtimeMs: number; sha256: string }> };
const recordPath = join(bundle, 'bundle.json');
let pristine = '';
const record = (): Record_ => JSON.parse(pristine) as Record_;
const writeRecord = (r: Record_): void => writeFileSync(recordPath, JSON.stringify(r));

beforeAll(() => {
  const built = node(['scripts/build-bundle.mjs', '--force']);
  expect(built.out).toMatch(/build-bundle: bundled \d+ sources into /);
  pristine = readFileSync(recordPath, 'utf8');
}, 240_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the enginelab bundle', () => {
  it('records every source it was built from, the engine and the kernel alike, for this checkout', () => {
    const r = record();
    expect(r.root).toBe(repo);
    const inputs = Object.keys(r.inputs);
    for (const f of ['kernel/main.ts', 'kernel/cli/simulate.ts', 'engine/index.ts', 'engine/sched/scheduler.ts', 'scripts/cli-bundle.mjs']) expect(inputs).toContain(f);
    expect(inputs.some((f) => f.includes('node_modules'))).toBe(false);
    expect(node(['scripts/build-bundle.mjs', '--check']).status).toBe(0);
  });

  it('runs from the bundle while it is fresh, and gives the same simulate output as the tsx path', () => {
    writeRecord(record());
    const args = [bin, 'simulate', '--serve', SERVE, '--bench', BENCH];
    const bundled = node(args);
    const viaTsx = node(args, { ENGINELAB_NO_BUNDLE: '1' });
    expect(bundled.err).toContain('startup main loaded (bundle)');
    expect(viaTsx.err).toContain('bundle not used: ENGINELAB_NO_BUNDLE is set');
    expect(viaTsx.err).toContain('startup main loaded (tsx)');
    expect(bundled.status).toBe(0);
    expect(viaTsx.status).toBe(0);
    expect(bundled.out).toContain('============ Serving Benchmark Result ============');
    expect(bundled.out).toMatch(/Successful requests:\s+8 /);
    expect(bundled.out).toBe(viaTsx.out);
  }, 240_000);

  it('is never used once a source differs from the record: changed bytes, size, a removed file, another checkout', () => {
    const cases: Array<[string, (r: Record_) => void, RegExp]> = [
      ['changed bytes (same size, new mtime)', (r) => Object.assign(r.inputs['engine/sched/scheduler.ts']!, { mtimeMs: 1, sha256: '0'.repeat(64) }), /engine\/sched\/scheduler\.ts changed/],
      ['changed size', (r) => (r.inputs['kernel/main.ts']!.size += 1), /kernel\/main\.ts changed/],
      ['removed file', (r) => (r.inputs['engine/removed-file.ts'] = { size: 1, mtimeMs: 1, sha256: '0'.repeat(64) }), /engine\/removed-file\.ts was removed/],
      ['another checkout', (r) => (r.root = '/elsewhere'), /built for \/elsewhere/],
    ];
    for (const [what, tamper, reason] of cases) {
      const r = record();
      tamper(r);
      writeRecord(r);
      const check = node(['scripts/build-bundle.mjs', '--check']);
      expect(check.status, what).toBe(1);
      expect(check.out, what).toMatch(reason);
      const help = node([bin, '--help']);
      expect(help.err, what).toMatch(/startup bundle not used: .*; running the sources through tsx/);
      expect(help.err, what).toMatch(reason);
      expect(help.err, what).toContain('startup main loaded (tsx)');
      expect(help.out, what).toContain('usage: enginelab <command>');
    }
    writeRecord(record());
  }, 240_000);

  it('keeps a bundle whose sources were only touched (mtime changed, bytes the same)', () => {
    const r = record();
    r.inputs['engine/sched/scheduler.ts']!.mtimeMs = 1;
    writeRecord(r);
    expect(node(['scripts/build-bundle.mjs', '--check']).status).toBe(0);
    expect(node([bin, '--help']).err).toContain('startup main loaded (bundle)');
    writeRecord(record());
  }, 120_000);
});
