// `enginelab run` guards: a per-cell time limit by default (a runaway cell is interrupted and
// fails the run, naming the cell), `--timeout` values range-checked (no "1e400" slipping through
// as Infinity), and an --out that would overwrite a source notebook refused before anything runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cellTimeoutMs, DEFAULT_CELL_TIMEOUT_S } from '../../../kernel/cli/run-notebook';

const root = resolve(__dirname, '../../..');
const bin = join(root, 'bin/enginelab.mjs');
const enginelab = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 240_000 });

const dir = mkdtempSync(join(tmpdir(), 'enginelab-run-guards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function notebook(path: string, cells: string[]): string {
  const nb = {
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
  };
  writeFileSync(path, JSON.stringify(nb, null, 1));
  return readFileSync(path, 'utf8');
}

describe('enginelab run --timeout', () => {
  it('has a documented default per-cell limit; 0 means none; values are range-checked', () => {
    expect(DEFAULT_CELL_TIMEOUT_S).toBe(600);
    expect(cellTimeoutMs(undefined)).toBe(600_000);
    expect(cellTimeoutMs('0')).toBeUndefined();
    expect(cellTimeoutMs('2.5')).toBe(2500);
    expect(cellTimeoutMs('2147483')).toBe(2_147_483_000);
    for (const bad of ['1e400', '-1', 'abc', '0x10', 'Infinity', 'NaN', '2147484', '']) {
      expect(() => cellTimeoutMs(bad), bad).toThrow(`run: --timeout must be 0 (no limit) or a number of seconds up to 2147483, got ${JSON.stringify(bad)}`);
    }
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.stdout).toContain(`each cell\n                                   may run ${DEFAULT_CELL_TIMEOUT_S} s (--timeout 0: no limit)`);
  });

  it('--timeout 1e400 is a usage error (exit 2) before any kernel starts, not a Node overflow warning', () => {
    const nb = join(dir, 'tiny.ipynb');
    notebook(nb, ['1 + 1']);
    const r = enginelab(['run', nb, '--out', join(dir, 'out-1e400'), '--timeout', '1e400']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('run: --timeout must be 0 (no limit) or a number of seconds up to 2147483, got "1e400"');
    expect(r.stderr).not.toContain('TimeoutOverflowWarning');
  });

  it('a runaway cell is interrupted at the limit: the run fails naming the cell, and the notebook is still written', () => {
    const nb = join(dir, 'runaway.ipynb');
    // The runaway is the first cell: the first cell's time includes the kernel's warm-up.
    notebook(nb, ['let n = 1; for (;;) { n++; }', '"never reached"']);
    const out = join(dir, 'out-runaway');
    const r = enginelab(['run', nb, '--out', out, '--timeout', '8']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('cell 1: timed out after 8 s and was interrupted (--timeout SECONDS changes the limit, --timeout 0 removes it)');
    const written = JSON.parse(readFileSync(join(out, 'runaway.ipynb'), 'utf8'));
    expect(written.cells[1].execution_count).toBeNull();
  }, 240_000);
});

describe('enginelab run --out', () => {
  it('refuses an output directory that holds the source notebook, and leaves the source untouched', () => {
    const src = join(dir, 'src');
    mkdirSync(src, { recursive: true });
    const nb = join(src, 'analysis.ipynb');
    const before = notebook(nb, ['"the source"']);
    for (const args of [['run', nb, '--out', src], ['run', src, '--out', src], ['run', nb, `--out=${join(src, '.')}`]]) {
      const r = enginelab(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`would overwrite the source notebook ${nb}`);
      expect(readFileSync(nb, 'utf8')).toBe(before);
    }
  });

  it('refuses one reached through a symlinked directory too', () => {
    const src = join(dir, 'real');
    mkdirSync(src, { recursive: true });
    const nb = join(src, 'a.ipynb');
    const before = notebook(nb, ['1']);
    spawnSync('ln', ['-s', src, join(dir, 'alias')]);
    const r = enginelab(['run', nb, '--out', join(dir, 'alias')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('would overwrite the source notebook');
    expect(readFileSync(nb, 'utf8')).toBe(before);
  });
});
