// A cell's last value gets the same rich display as display(value): the composition root hands
// the interpreter and display() one formatter list from kernel/display (regression: the last
// value fell back to text/plain).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'enginelab-lastvalue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cell = (source: string) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });

describe('last-value display through a real kernel', () => {
  it('an engine object as the last expression carries its rich MIME types, like display()', () => {
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'enginelab', display_name: 'TypeScript (enginelab)', language: 'typescript' } },
      cells: [
        cell('const c = compare(new Float32Array([1, 2, 3]), new Float32Array([1, 2.5, 3]));\nc'),
        cell('display(c)'),
        cell('const e = createEngine({ maxNumSeqs: 2, numGpuBlocks: 17, blockSize: 16, maxModelLen: 256 });\ne.addRequest({ promptLen: 20, maxTokens: 2, ignoreEos: true });\ne.step()'),
      ],
    };
    const src = join(dir, 'last-value.ipynb');
    writeFileSync(src, JSON.stringify(nb));
    const r = spawnSync(process.execPath, [join(root, 'bin/enginelab.mjs'), 'run', src, '--out', join(dir, 'out')], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, 'out', 'last-value.ipynb'), 'utf8'));
    const [last, shown, step] = out.cells.map((c: any) => c.outputs);
    expect(last).toHaveLength(1);
    expect(last[0].output_type).toBe('execute_result');
    const displayed = shown.find((o: any) => o.output_type === 'display_data');
    // Same MIME types either way, and more than the plain-text fallback.
    expect(Object.keys(last[0].data).sort()).toEqual(Object.keys(displayed.data).sort());
    expect(Object.keys(last[0].data)).toContain('text/html');
    const stepResult = step.find((o: any) => o.output_type === 'execute_result');
    expect(Object.keys(stepResult.data)).toContain('text/html');
  }, 300_000);
});
