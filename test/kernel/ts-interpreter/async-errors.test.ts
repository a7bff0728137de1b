import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

describe('asynchronous errors from cells', () => {
  it('unhandled rejections, timer throws and writes to an ended stream leave the interpreter serving', () => {
    const child = path.join(__dirname, 'async-errors.child.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', child], { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').pop()!) as { outcomes: string[]; last: string; stderr: string };
    expect(seen.outcomes).toEqual(['ok', 'ok', 'ok']);
    expect(seen.last).toBe('42');
    expect(seen.stderr).toContain('Unhandled promise rejection: Error: nobody awaits this');
    expect(seen.stderr).toContain('Uncaught exception: Error: thrown from a timer');
    expect(seen.stderr).toMatch(/Uncaught exception: Error.*write after end/);
  });
});
