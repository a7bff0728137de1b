// scripts/check-deps.mjs's kernel/ section: a planted import cycle between two kernel files fails
// the check and names the cycle; the same files without the cycle pass. The script runs on a copy
// of the tree (engine/, CONTRIBUTING.md, package.json) with a planted kernel/.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function treeWithKernel(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'enginelab-check-deps-'));
  dirs.push(dir);
  for (const p of ['engine', 'scripts/check-deps.mjs', 'CONTRIBUTING.md', 'package.json']) cpSync(join(root, p), join(dir, p), { recursive: true });
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

// a.ts -> b.ts -> c.ts; c.ts either closes the loop back to a.ts or imports nothing.
const chain = {
  'kernel/core/a.ts': "import type { B } from '../shell/b';\nexport interface A { b?: B }\n",
  'kernel/shell/b.ts': "import { c } from './c';\nexport interface B { c: typeof c }\n",
};

const check = (dir: string) => spawnSync(process.execPath, [join(dir, 'scripts/check-deps.mjs')], { encoding: 'utf8', timeout: 60_000 });

describe('check-deps: no import cycles among kernel/ files', () => {
  it('fails on a planted cycle (type-only imports count), naming its files in order', () => {
    const dir = treeWithKernel({ ...chain, 'kernel/shell/c.ts': "import type { A } from '../core/a';\nexport const c: A | undefined = undefined;\n" });
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('import cycle: kernel/core/a.ts -> kernel/shell/b.ts -> kernel/shell/c.ts -> kernel/core/a.ts');
  });

  it('passes the same files once the cycle is broken', () => {
    const dir = treeWithKernel({ ...chain, 'kernel/shell/c.ts': 'export const c = 1;\n' });
    const r = check(dir);
    expect(r.stderr).not.toContain('import cycle');
    expect(r.status, r.stderr).toBe(0);
  });
});
