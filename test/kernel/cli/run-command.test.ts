// `enginelab run` end to end: a real kernel process over zeromq with our own client; the written
// notebook is read back by `jupyter nbconvert`; a cell error stops the run and sets the exit code
// unless --allow-errors. `enginelab install --user` lands where jupyter finds it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, pythonEnv, skipUnlessAvailable } from '../helpers/external';

const root = resolve(__dirname, '../../..');
const bin = join(root, 'bin/enginelab.mjs');
const enginelab = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 300_000 });

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'enginelab-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('enginelab run', () => {
  it('executes the kernel tour, writes nbformat 4 and standalone HTML', () => {
    const out = join(dir, 'tour');
    const r = enginelab(['run', join(root, 'notebooks/00-kernel-tour.ipynb'), '--out', out, '--html']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const nb = JSON.parse(readFileSync(join(out, '00-kernel-tour.ipynb'), 'utf8'));
    expect(nb.nbformat).toBe(4);
    expect(nb.metadata.language_info.name).toBe('typescript');
    const code = nb.cells.filter((c: any) => c.cell_type === 'code');
    expect(code.map((c: any) => c.execution_count)).toEqual([1, 2, 3, 4]);
    expect(code[0].outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'hello from TypeScript\n' },
      { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '42' }, metadata: {} },
    ]);
    // The display was updated in place: only the final state remains.
    expect(code[1].outputs).toEqual([{ output_type: 'display_data', data: { 'text/html': '<b>progress: 100%</b>', 'text/plain': 'progress: 100%' }, metadata: {} }]);
    expect(code[2].outputs[0].data['application/json']).toEqual({ model: 'tiny', layers: [1, 2, 3] });
    const html = readFileSync(join(out, '00-kernel-tour.html'), 'utf8');
    expect(html).toContain('<b>progress: 100%</b>');
    expect(html).toContain('hello from TypeScript');
  }, 300_000);

  const nbconvertPython = findPython(['nbconvert', 'nbformat']);
  it.skipIf(skipUnlessAvailable(nbconvertPython !== undefined))('jupyter nbconvert reads the written notebook back (and nbformat validates it)', () => {
    if (nbconvertPython === undefined) throw new Error('python3 with nbconvert is required in CI (install jupyter-nbconvert)');
    const path = join(dir, 'tour', '00-kernel-tour.ipynb');
    if (!existsSync(path)) enginelab(['run', join(root, 'notebooks/00-kernel-tour.ipynb'), '--out', join(dir, 'tour')]);
    const v = spawnSync(nbconvertPython, ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], 4)); print("valid")', path], { encoding: 'utf8', env: pythonEnv() });
    expect(v.stdout.trim()).toBe('valid');
    const md = spawnSync(nbconvertPython, ['-m', 'nbconvert', '--to', 'markdown', '--stdout', path], { encoding: 'utf8', env: pythonEnv() });
    expect(md.status).toBe(0);
    expect(md.stdout).toContain('hello from TypeScript');
    expect(md.stdout).toContain('progress: 100%');
  }, 120_000);

  it('stops at a failing cell and exits non-zero; --allow-errors runs on and exits 0; --summary prints the table', () => {
    const src = join(dir, 'nbs');
    mkdirSync(src, { recursive: true });
    copyFileSync(join(root, 'fixtures/kernel/cell-error.ipynb'), join(src, 'cell-error.ipynb'));
    const strict = enginelab(['run', join(src, 'cell-error.ipynb'), '--out', join(dir, 'strict')]);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain('cell 2: RangeError: cell two fails');
    const nb = JSON.parse(readFileSync(join(dir, 'strict', 'cell-error.ipynb'), 'utf8'));
    expect(nb.cells.map((c: any) => c.execution_count)).toEqual([1, 2, null]);
    expect(nb.cells[1].outputs[0]).toMatchObject({ output_type: 'error', ename: 'RangeError', evalue: 'cell two fails' });
    const lenient = enginelab(['run', src, '--out', join(dir, 'lenient'), '--allow-errors', '--summary']);
    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toMatch(/^notebook\s+cells\s+errors\s+seconds\s+status\n/);
    expect(lenient.stdout).toMatch(/cell-error\.ipynb\s+3\s+1\s+[\d.]+\s+ok/);
    const nb2 = JSON.parse(readFileSync(join(dir, 'lenient', 'cell-error.ipynb'), 'utf8'));
    expect(nb2.cells[2].outputs[0].data['text/plain']).toBe("'third cell ran'");
  }, 300_000);

  it('reports bad arguments with a usage error naming them', () => {
    const r = enginelab(['run', join(dir, 'missing.ipynb')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('does not exist');
    const u = enginelab(['run', 'x.ipynb', '--frob']);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('unknown option --frob');
    expect(enginelab(['install', '--user', '--prefix', dir]).stderr).toContain('choose one of');
    expect(enginelab(['install', '--prefix', dir, '--name', 'bad name']).stderr).toContain('--name');
  });
});

const jcPython = findPython(['jupyter_client']);
describe.skipIf(skipUnlessAvailable(jcPython !== undefined))('enginelab install', () => {
  it('--user writes kernel.json (absolute node, {connection_file}) and logos where jupyter kernelspec list finds them', () => {
    if (jcPython === undefined) throw new Error('python3 with jupyter_client is required in CI');
    const data = join(dir, 'data');
    const env = { ...process.env, JUPYTER_DATA_DIR: data };
    expect(enginelab(['install', '--user', '--name', 'el-user'], env).status).toBe(0);
    const spec = JSON.parse(readFileSync(join(data, 'kernels', 'el-user', 'kernel.json'), 'utf8'));
    expect(spec).toMatchObject({ argv: [process.execPath, bin, 'kernel', '-f', '{connection_file}'], language: 'typescript', interrupt_mode: 'message' });
    expect(readFileSync(join(data, 'kernels', 'el-user', 'logo-64x64.png')).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const listed = spawnSync(jcPython, ['-m', 'jupyter_client.kernelspecapp', 'list', '--json'], { encoding: 'utf8', env: pythonEnv({ JUPYTER_DATA_DIR: data }) });
    const specs = JSON.parse(listed.stdout).kernelspecs;
    expect(specs['el-user'].spec.display_name).toBe('TypeScript (enginelab: el-user)');
  });
});
