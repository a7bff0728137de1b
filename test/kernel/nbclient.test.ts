// nbclient (Debian's python3-nbclient) executes every notebook in notebooks/ on the installed
// enginelab kernel: the standard headless Jupyter runner must accept our kernel end to end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, isCI, pythonEnv, skipUnlessAvailable } from './helpers/external';

const root = resolve(__dirname, '../..');
const python = findPython(['nbclient', 'nbformat', 'jupyter_client']);
const notebooks = readdirSync(join(root, 'notebooks')).filter((n) => n.endsWith('.ipynb')).sort();

describe.skipIf(skipUnlessAvailable(python !== undefined))('nbclient runs every notebook in notebooks/', () => {
  let dir = '';
  beforeAll(() => {
    if (python === undefined) throw new Error(`python3 with nbclient is required${isCI ? ' in CI (install python3-nbclient)' : ''}`);
    dir = mkdtempSync(join(tmpdir(), 'enginelab-nbclient-'));
    const inst = spawnSync(process.execPath, [join(root, 'bin/enginelab.mjs'), 'install', '--prefix', dir], { encoding: 'utf8' });
    if (inst.status !== 0) throw new Error(`install failed: ${inst.stderr}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('there is at least one notebook, and the kernel tour is among them', () => {
    expect(notebooks).toContain('00-kernel-tour.ipynb');
  });

  it.each(notebooks)('%s executes without errors', (name) => {
    const r = spawnSync(python!, ['-X', 'frozen_modules=off', join(root, 'test/kernel/py/run_nbclient.py'), join(root, 'notebooks', name), 'enginelab'], {
      encoding: 'utf8',
      env: pythonEnv({ JUPYTER_PATH: join(dir, 'share', 'jupyter') }),
      timeout: 580_000,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (!line.startsWith('{')) throw new Error(`run_nbclient.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
    const summary = JSON.parse(line) as { error: string | null; cells: Array<{ execution_count: number | null; outputs: string[]; data: string[][] }> };
    expect(summary.error).toBeNull();
    const executed = summary.cells.filter((c) => c.execution_count !== null);
    expect(executed.length).toBeGreaterThan(0);
    expect(summary.cells.flatMap((c) => c.outputs)).not.toContain('error');
    if (name === '00-kernel-tour.ipynb') {
      expect(summary.cells.map((c) => c.outputs)).toEqual([['stream', 'execute_result'], ['display_data'], ['display_data', 'display_data'], ['stream', 'execute_result']]);
      expect(summary.cells[2]!.data[0]).toEqual(['application/json', 'text/plain']);
    }
  }, 600_000);
});
