import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

describe('memory', () => {
  it('10,000 executes in a row grow resident memory by far less than 50 MB', () => {
    const child = path.join(__dirname, 'memory.child.ts');
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', child], { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8', timeout: 280_000 });
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as { before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage; total: string };
    let expected = 0;
    for (let i = 1; i <= 13_000; i++) if (i % 100 !== 0) expected += i % 7;
    expect(m.total).toBe(String(expected));
    expect(m.after.rss - m.before.rss).toBeLessThan(50 * 1024 * 1024);
    expect(m.after.heapUsed - m.before.heapUsed).toBeLessThan(25 * 1024 * 1024);
  }, 300_000);
});
