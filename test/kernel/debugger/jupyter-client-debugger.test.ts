// The Jupyter debug protocol over the wire, driven by Debian's jupyter_client the way
// ipykernel's debugger tests drive it (test/kernel/debugger/py/drive_debugger.py): initialize,
// attach, debugInfo, dumpCell (its path checked against ipykernel's own MurmurHash2),
// setBreakpoints in a cell and in engine/sched/scheduler.ts, stopped events, stackTrace, scopes,
// variables, evaluate, next, continue, inspectVariables, richInspectVariables, copyToGlobals,
// modules, source and disconnect, against a real kernel process installed as a kernelspec.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, isCI, pythonEnv, skipUnlessAvailable } from '../helpers/external';

const root = resolve(__dirname, '../../..');
const python = findPython(['jupyter_client', 'zmq', 'ipykernel']);
const engineSource = join(root, 'engine/sched/scheduler.ts');
// The schedule() entry: found by text at test time, so edits elsewhere in the file do not matter.
const MARKER = 'schedule(): SchedulerStepOutput';

type Facts = Record<string, any>;

describe.skipIf(skipUnlessAvailable(python !== undefined))('debugger over the wire (jupyter_client)', () => {
  let facts: Facts;
  let dir: string;

  beforeAll(() => {
    if (python === undefined) throw new Error(`python3 with jupyter_client and ipykernel is required${isCI ? ' in CI' : ''}`);
    dir = mkdtempSync(join(tmpdir(), 'enginelab-dap-'));
    const install = spawnSync(process.execPath, [join(root, 'bin/enginelab.mjs'), 'install', '--prefix', dir], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`install failed: ${install.stderr}`);
    const r = spawnSync(python, [join(__dirname, 'py/drive_debugger.py'), 'enginelab', engineSource, MARKER], {
      encoding: 'utf8',
      env: pythonEnv({ JUPYTER_PATH: join(dir, 'share', 'jupyter') }),
      timeout: 400_000,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (!line.startsWith('{')) throw new Error(`drive_debugger.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
    facts = JSON.parse(line) as Facts;
  }, 420_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs every step of the scenario', () => {
    expect(facts.failure).toBeUndefined();
  });

  it('advertises the debugger and starts it: initialize, initialized event, attach, debugInfo', () => {
    const spec = JSON.parse(readFileSync(join(dir, 'share/jupyter/kernels/enginelab/kernel.json'), 'utf8'));
    expect(spec.metadata.debugger).toBe(true);
    expect(facts.kernel_info_debugger).toBe(true);
    expect(facts.initialize).toEqual({ success: true, modules: true });
    expect(facts.initialized_event).toBe('initialized');
    expect(facts.attach).toBe(true);
    expect(facts.debug_info).toMatchObject({ isStarted: true, hashMethod: 'Murmur2', tmpFileSuffix: '.ts', richRendering: true, copyToGlobals: true });
  });

  it('dumpCell writes the cell where JupyterLab expects it (ipykernel’s murmur2 of the source)', () => {
    expect(facts.dump_path).toBe(facts.expected_path);
    expect(facts.dump_path.startsWith(facts.debug_info.tmpFilePrefix)).toBe(true);
    expect(facts.dump_content_matches).toBe(true);
    expect(facts.cell_breakpoints).toEqual([expect.objectContaining({ verified: true, line: 3, source: { path: facts.dump_path } })]);
  });

  it('stops at the cell breakpoint with the frames, scopes and locals of the cell function', () => {
    const s = facts.cell_stop;
    expect(s.reason).toBe('breakpoint');
    expect(s.frames[0]).toEqual({ name: 'scale', path: facts.dump_path, line: 3 });
    expect(s.frames[1]).toEqual({ name: '<cell>', path: facts.dump_path, line: 6 });
    expect(s.scopes).toEqual(['Locals', 'Globals']);
    expect(s.variables).toEqual({ a: '20', doubled: '40', label: 'undefined' });
    expect(facts.evaluate).toBe('41');
    expect(facts.rich_paused).toBe('40');
    expect(facts.debug_info_paused).toEqual([1]);
  });

  it('next steps one line; continue finishes the cell', () => {
    expect(facts.after_next.reason).toBe('step');
    expect(facts.after_next.frames[0].line).toBe(4);
    expect(facts.after_next.variables.label).toBe('"x40"');
    expect(facts.cell_reply.status).toBe('ok');
  });

  it('inspectVariables lists the cells’ globals only; richInspectVariables formats them', () => {
    expect(Object.keys(facts.inspect_variables).sort()).toEqual(['scale', 'total']);
    expect(facts.inspect_variables.total).toBe('43');
    expect(facts.rich_idle).toBe('43');
  });

  it('stops in engine/sched/scheduler.ts at the schedule() entry, source-mapped, with its locals', () => {
    const s = facts.engine_stop;
    expect(facts.engine_breakpoints[0]).toMatchObject({ verified: true, source: { path: engineSource } });
    expect(s.reason).toBe('breakpoint');
    expect(s.frames[0]).toMatchObject({ name: 'schedule', path: engineSource });
    expect(s.frames[0].line).toBe(facts.engine_breakpoints[0].line);
    expect(s.frames[0].line).toBeGreaterThanOrEqual(facts.engine_line);
    expect(s.frames.at(-1)).toMatchObject({ name: '<cell>' });
    expect(s.scopes[0]).toBe('Locals');
    expect(Object.keys(s.variables).length).toBeGreaterThan(2);
    expect(facts.copy_to_globals).toBe(true);
    expect(facts.copied_visible).toBe(true);
    expect(facts.engine_reply.status).toBe('ok');
  });

  it('modules lists engine sources, source returns them; unknown commands fail; disconnect stops', () => {
    expect(facts.modules_has_engine_source).toBe(true);
    expect(facts.source_ok).toBe(true);
    expect(facts.unknown_command).toBe(false);
    expect(facts.disconnect).toBe(true);
    expect(facts.debug_info_after).toBe(false);
    expect(facts.after_disconnect).toBe('ok');
  });
});
