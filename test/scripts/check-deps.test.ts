import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const script = join(repo, 'scripts/check-deps.mjs');
const made: string[] = [];

/** A copy of the real engine/ and CONTRIBUTING.md (with its level table) in a fresh temp dir. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'check-deps-'));
  made.push(dir);
  cpSync(join(repo, 'engine'), join(dir, 'engine'), { recursive: true });
  cpSync(join(repo, 'CONTRIBUTING.md'), join(dir, 'CONTRIBUTING.md'));
  return dir;
}

function check(root: string, how: 'arg' | 'env' = 'arg'): { status: number | null; out: string; err: string } {
  const r = how === 'arg'
    ? spawnSync(process.execPath, [script, root], { encoding: 'utf8' })
    : spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, CHECK_DEPS_ROOT: root } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('scripts/check-deps.mjs: the engine level table of CONTRIBUTING.md, enforced', () => {
  it('is the dependency check that `npm run lint` runs', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.lint).toMatch(/(^|&&\s*)node scripts\/check-deps\.mjs(\s|$)/);
  });

  it('passes on the real tree and on an untouched copy (root by argument or by CHECK_DEPS_ROOT)', () => {
    const real = check(repo);
    expect(real.err).toBe('');
    expect(real.status).toBe(0);
    expect(real.out).toMatch(/dependency rules ok \(\d+ engine files, \d+ folders on 12 levels\)/);
    const copy = copyTree();
    expect(check(copy, 'env').status).toBe(0);
  });

  it('fails on a planted upward import, naming the import and both levels, and on the folder cycle it makes', () => {
    const root = copyTree();
    appendFileSync(join(root, 'engine/kv/block-pool.ts'), "import type { Scheduler } from '../sched/scheduler';\nexport type Planted = Scheduler;\n");
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.err).toContain("upward import: engine/kv/block-pool.ts imports '../sched/scheduler' (engine/sched/scheduler.ts): "
      + 'kv (level 4) may import only lower levels, and sched is on level 5, above it');
    expect(r.err).toMatch(/^folder cycle: engine\/kv -> engine\/sched -> engine\/kv \(engine\/kv\/block-pool\.ts imports '\.\.\/sched\/scheduler'; engine\/sched\/\S+ imports '\.\.\/kv\/\S+'\)$/m);
    expect(r.err).toMatch(/^import cycle: (engine\/\S+ -> )*engine\/kv\/block-pool\.ts -> engine\/sched\/scheduler\.ts( -> engine\/\S+)*$/m);
  });

  it('fails on a planted folder cycle of one level that has no file cycle', () => {
    const root = copyTree();
    writeFileSync(join(root, 'engine/attention/kv-probe.ts'), "/** Planted. */\nimport { NULL_BLOCK_ID } from '../kv/block-pool';\nexport const PROBE = NULL_BLOCK_ID;\n");
    appendFileSync(join(root, 'engine/kv/capacity.ts'), "import { checkAttentionCall } from '../attention/check-attention-call';\nexport const planted = checkAttentionCall;\n");
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.err).toContain("upward import: engine/attention/kv-probe.ts imports '../kv/block-pool' (engine/kv/block-pool.ts): "
      + 'attention (level 4) may import only lower levels, and kv is on the same level 4');
    expect(r.err).toContain("upward import: engine/kv/capacity.ts imports '../attention/check-attention-call'");
    expect(r.err).toContain("folder cycle: engine/attention -> engine/kv -> engine/attention (engine/attention/kv-probe.ts imports '../kv/block-pool'; "
      + "engine/kv/capacity.ts imports '../attention/check-attention-call')");
    expect(r.err).not.toContain('import cycle:');
  });

  it('fails on an engine folder the table does not place, a value in contracts/, and a kernel import past engine/index.ts', () => {
    const root = copyTree();
    mkdirSync(join(root, 'engine/newplace'));
    writeFileSync(join(root, 'engine/newplace/thing.ts'), "/** Planted. */\nexport const THING = 1;\n");
    appendFileSync(join(root, 'engine/contracts/executor.ts'), 'export const DEFAULT_STEP_US = 10;\n');
    mkdirSync(join(root, 'kernel'));
    writeFileSync(join(root, 'kernel/probe.ts'), "import { BlockPool } from '../engine/kv/block-pool';\nexport const P = BlockPool;\n");
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.err).toContain("engine/newplace is on no level of CONTRIBUTING.md's level table");
    expect(r.err).toContain("engine/contracts/executor.ts: engine/contracts holds types only, found 'export const'");
    expect(r.err).toContain('kernel/probe.ts imports ../engine/kv/block-pool: kernel/ reaches the engine only through engine/index.ts');
  });

  it('fails when the level table is missing or places a folder twice', () => {
    const root = copyTree();
    const doc = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8');
    writeFileSync(join(root, 'CONTRIBUTING.md'), doc.replace('| 9 | `serve-sim` |', '| 9 | `serve-sim`, `kv` |'));
    const twice = check(root);
    expect(twice.status).toBe(1);
    expect(twice.err).toContain('level table: kv stands on two levels (4 and 9)');
    writeFileSync(join(root, 'CONTRIBUTING.md'), doc.replace('<!-- engine-levels:begin -->', ''));
    const none = check(root);
    expect(none.status).toBe(1);
    expect(none.err).toContain('CONTRIBUTING.md has no level table between <!-- engine-levels:begin --> and <!-- engine-levels:end -->');
  });
});
