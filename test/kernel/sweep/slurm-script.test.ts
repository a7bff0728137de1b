// The batch script and the report, without a Slurm: the script is run by bash as Slurm would run
// one array task (SLURM_ARRAY_TASK_ID set), with a stand-in for bin/enginelab.mjs, to show the
// command line a task runs, the exit marker for a failing task, and the marker after SIGTERM (a
// time limit or scancel). The outcome rules and the report by index are checked on plain data.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINELAB_BIN, sbatchCommandArgs, sbatchDirectives, sbatchScript } from '../../../kernel/sweep/slurm/sbatch-script';
import { formatFailureReport, indexRanges } from '../../../kernel/sweep/slurm/failure-report';
import { combineOutcome, failedTasks } from '../../../kernel/sweep/slurm/task-outcomes';
import { readExitMarker } from '../../../kernel/sweep/slurm/slurm-layout';
import { sbatch, SlurmCommandError } from '../../../kernel/sweep/slurm/slurm-commands';

const dir = mkdtempSync(join(tmpdir(), 'enginelab-slurm-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Prints its argv, then exits with the code in the spec file ("sleep" waits to be signalled).
const FAKE_BIN = join(dir, 'fake-enginelab.mjs');
writeFileSync(FAKE_BIN, `import { readFileSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
console.log('argv ' + JSON.stringify(args));
const what = readFileSync(args[1], 'utf8').trim();
if (what === 'sleep') { writeFileSync(args[1] + '.started', ''); setInterval(() => {}, 1000); }
else process.exit(Number(what));
`);

function layout(out: string, numShards: number, contents: (i: number) => string): void {
  for (let i = 0; i < numShards; i++) {
    mkdirSync(join(out, `shard-${i}`), { recursive: true });
    writeFileSync(join(out, `shard-${i}`, 'spec.json'), contents(i));
  }
}

describe('the sbatch script', () => {
  it('carries the array, throttle, partition, time and per-task log as #SBATCH lines; --hold only on the command line', () => {
    const o = { outDir: '/shared/sw', numShards: 20, maxRunning: 4, partition: 'cpu', time: '00:30:00', cpusPerTask: 2, hold: true, extraArgs: ['--account=lab'] };
    expect(sbatchDirectives(o)).toEqual(['--array=0-19%4', '--job-name=enginelab-sweep', '--output=/shared/sw/shard-%a/task.log', '--ntasks=1', '--cpus-per-task=2', '--partition=cpu', '--time=00:30:00', '--account=lab']);
    expect(sbatchCommandArgs(o)).toEqual(['--parsable', '--hold']);
    const script = sbatchScript(o);
    expect(script.startsWith('#!/bin/bash\n#SBATCH --array=0-19%4\n')).toBe(true);
    expect(script).not.toContain('--hold');
    expect(script).toContain(`cmd=('${process.execPath}' '${ENGINELAB_BIN}' sweep "$shard/spec.json" --shard "$i/20" --out "$out" --workers 2)`);
    expect(ENGINELAB_BIN.endsWith('/bin/enginelab.mjs') && existsSync(ENGINELAB_BIN)).toBe(true);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('refuses an out dir with white space and extra arguments that are not options', () => {
    expect(() => sbatchDirectives({ outDir: '/a b', numShards: 2 })).toThrow(/white space/);
    expect(() => sbatchDirectives({ outDir: '/a', numShards: 2, extraArgs: ['lab'] })).toThrow(/--account=A/);
    expect(() => sbatchDirectives({ outDir: '/a', numShards: 0 })).toThrow(/numShards/);
  });

  it('runs shard I with --shard I/N and writes the exit marker of a failing task', () => {
    const out = join(dir, 'fail');
    layout(out, 4, (i) => (i === 2 ? '7' : '0'));
    const script = join(out, 'sweep.sbatch');
    writeFileSync(script, sbatchScript({ outDir: out, numShards: 4, enginelabBin: FAKE_BIN }));
    for (const i of [1, 2]) {
      const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_JOB_ID: '42' } });
      expect(r.status).toBe(i === 2 ? 7 : 0);
      expect(r.stdout).toContain(`argv ${JSON.stringify(['sweep', `${out}/shard-${i}/spec.json`, '--shard', `${i}/4`, '--out', out, '--workers', '1'])}`);
      expect(r.stdout).toContain(`enginelab: task ${i} of 4 on `);
      expect(r.stdout).toContain(`(job 42_${i}): ${process.execPath} ${FAKE_BIN} sweep ${out}/shard-${i}/spec.json --shard ${i}/4 --out ${out} --workers 1\n`);
      expect(readExitMarker(out, i)).toEqual({ taskIndex: i, exitCode: i === 2 ? 7 : 0, jobId: `42_${i}`, host: expect.any(String) as string });
    }
    expect(readExitMarker(out, 0)).toBeUndefined();
    expect(spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '' } }).stderr).toContain('not run as a Slurm array task');
  });

  it('still writes the marker when Slurm sends SIGTERM to the task (time limit, scancel)', async () => {
    const out = join(dir, 'term');
    layout(out, 1, () => 'sleep');
    const script = join(out, 'sweep.sbatch');
    writeFileSync(script, sbatchScript({ outDir: out, numShards: 1, enginelabBin: FAKE_BIN }));
    writeFileSync(join(out, 'shard-0', 'status.json'), '{"taskIndex":0,"exitCode":0,"jobId":"40_0","host":"old"}'); // an earlier run's
    const child = spawn('bash', [script], { detached: true, env: { ...process.env, SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_JOB_ID: '43' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = join(out, 'shard-0', 'spec.json.started');
    for (let i = 0; i < 600 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(started)).toBe(true);
    expect(readExitMarker(out, 0)).toBeUndefined(); // while the task runs, no marker speaks for it
    process.kill(-child.pid!, 'SIGTERM'); // the whole process group, as slurmstepd signals the task
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code).toBe(143);
    expect(stderr).toContain('task 0 got SIGTERM');
    expect(readExitMarker(out, 0)?.exitCode).toBe(143);
  });
});

describe('Slurm missing', () => {
  it('says which command is missing and what to do', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-bin');
    try {
      const err = await sbatch(['--parsable'], join(dir, 'x.sbatch')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SlurmCommandError);
      expect((err as Error).message).toBe(`sbatch --parsable ${join(dir, 'x.sbatch')}: sbatch not found on PATH: is Slurm installed here (or run this on a login node)?`);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('task outcomes and the report', () => {
  it('fails a task on a nonzero marker, on a bad Slurm state, and when no witness knows it', () => {
    expect(combineOutcome(0, { exitCode: 0 }, { taskIndex: 0, state: 'COMPLETED', exitCode: 0 })).toMatchObject({ failed: false, state: 'COMPLETED', source: 'slurm' });
    expect(combineOutcome(1, { exitCode: 0 }, undefined)).toMatchObject({ failed: false, state: 'COMPLETED', source: 'marker' });
    expect(combineOutcome(2, { exitCode: 3 }, undefined)).toMatchObject({ failed: true, state: 'FAILED', exitCode: 3 });
    expect(combineOutcome(3, { exitCode: 143 }, { taskIndex: 3, state: 'TIMEOUT', exitCode: 0, signal: 15 })).toMatchObject({ failed: true, state: 'TIMEOUT', exitCode: 143 });
    expect(combineOutcome(4, undefined, { taskIndex: 4, state: 'COMPLETED', exitCode: 0 })).toMatchObject({ failed: true, source: 'slurm' });
    expect(combineOutcome(5, undefined, { taskIndex: 5, state: 'RUNNING' })).toMatchObject({ failed: true, state: 'RUNNING', source: 'none' });
    expect(combineOutcome(6, undefined, undefined)).toMatchObject({ failed: true, state: 'UNKNOWN', source: 'none' });
  });

  it('names failed tasks by index with their log tails and the commands to rerun them', () => {
    expect(indexRanges([12, 3, 7, 8, 9])).toBe('3,7-9,12');
    expect(indexRanges([])).toBe('');
    const out = join(dir, 'report');
    layout(out, 3, () => '{}');
    writeFileSync(join(out, 'shard-1', 'task.log'), Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const outcomes = [combineOutcome(0, { exitCode: 0 }, undefined), combineOutcome(1, { exitCode: 1 }, undefined), combineOutcome(2, { exitCode: 0 }, undefined)];
    const failed = failedTasks(out, outcomes, 5);
    expect(failed.map((f) => f.taskIndex)).toEqual([1]);
    expect(failed[0]!.logTail).toBe('line 25\nline 26\nline 27\nline 28\nline 29');
    const report = formatFailureReport('77', out, outcomes, failed, '/');
    expect(report.split('\n')[0]).toBe('slurm job 77: 2 of 3 tasks completed, 1 failed (task 1)');
    expect(report).toContain(`  task 1: FAILED, exit code 1; log ${out.slice(1)}/shard-1/task.log\n    | line 25\n`);
    expect(report).toContain(`--shard 1/3 --out ${out.slice(1)}`);
    expect(report).toContain('sbatch --array=1 ');
    expect(formatFailureReport('77', out, [outcomes[0]!], [])).toBe('slurm job 77: all 1 tasks completed\n');
    const many = Array.from({ length: 25 }, (_, i) => combineOutcome(i, { exitCode: i === 3 ? 0 : 9 }, undefined));
    const manyReport = formatFailureReport('78', out, many, failedTasks(out, many), '/');
    expect(manyReport.split('\n')[0]).toBe('slurm job 78: 1 of 25 tasks completed, 24 failed (task 0-2,4-24)');
    expect(manyReport.match(/^ {2}task \d+: FAILED/gm)).toHaveLength(10);
    expect(manyReport).toContain('  and 14 more: task 11-24 (logs: ');
    expect(readFileSync(join(out, 'shard-1', 'task.log'), 'utf8')).toContain('line 0');
  });
});
