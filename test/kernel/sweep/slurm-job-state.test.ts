// Readers of Slurm's own output, on text captured verbatim from slurm-wlm 22.05.8 (single node,
// scripts/slurm-local.sh) in fixtures/slurm/: array records still pending together, split-off
// tasks, held and throttled arrays, a cancelled one, and the error lines of a forgotten job.
// sacct has no accounting database here ("Slurm accounting storage is disabled", also verbatim),
// so its task lines follow the documented --parsable2 layout (JobID|State|ExitCode).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandArrayIndices, isUnknownJobError, parseSacct, parseScontrolShowJob, parseSqueue } from '../../../kernel/sweep/slurm/slurm-job-state';
import { parseSbatchParsable, SlurmCommandError } from '../../../kernel/sweep/slurm/slurm-commands';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/slurm', name), 'utf8');
const brief = (s: { taskIndex: number; state: string; exitCode?: number; reason?: string }[]) => s.map((t) => `${t.taskIndex}:${t.state}${t.exitCode === undefined ? '' : `:${t.exitCode}`}${t.reason ? `(${t.reason})` : ''}`);

describe('array index expressions', () => {
  it('expands ranges, lists, steps and drops the % throttle', () => {
    expect(expandArrayIndices('7')).toEqual([7]);
    expect(expandArrayIndices('0-3%2')).toEqual([0, 1, 2, 3]);
    expect(expandArrayIndices('1,3,5-7')).toEqual([1, 3, 5, 6, 7]);
    expect(expandArrayIndices('0-9:4')).toEqual([0, 4, 8]);
    expect(expandArrayIndices('4294967294')).toEqual([4294967294]);
    expect(expandArrayIndices('N/A')).toEqual([]);
    expect(expandArrayIndices('')).toEqual([]);
  });
});

describe('scontrol show job -o', () => {
  it('reads every task of a finished array with its state and exit code (task 2 exited 3)', () => {
    const tasks = parseScontrolShowJob(fixture('scontrol-show-job-finished-array.txt'), '1');
    expect(brief(tasks)).toEqual(['0:COMPLETED:0', '1:COMPLETED:0', '2:FAILED:3(NonZeroExitCode)', '3:COMPLETED:0']);
    expect(tasks[2]!.signal).toBe(0);
  });

  it('expands the array record of tasks still pending together (held: JobHeldUser)', () => {
    const text = fixture('scontrol-show-job-held-array.txt');
    expect(text).toContain('ArrayTaskId=0-2 ');
    const tasks = parseScontrolShowJob(text, '5');
    expect(brief(tasks)).toEqual(['0:PENDING(JobHeldUser)', '1:PENDING(JobHeldUser)', '2:PENDING(JobHeldUser)']);
    expect(tasks.every((t) => t.exitCode === undefined)).toBe(true); // not final: ExitCode=0:0 means nothing yet
  });

  it('mixes split-off running tasks with the pending remainder', () => {
    const tasks = parseScontrolShowJob(fixture('scontrol-show-job-running-array.txt'), '5');
    expect(tasks.map((t) => t.taskIndex)).toEqual([0, 1, 2]);
    expect(tasks.filter((t) => t.state === 'RUNNING').map((t) => t.taskIndex)).toEqual([0, 1]);
    expect(tasks[2]!.state).toBe('PENDING');
  });

  it('gives a cancelled range every index, CANCELLED', () => {
    const tasks = parseScontrolShowJob(fixture('scontrol-show-job-cancelled-array.txt'), '14');
    expect(tasks.map((t) => `${t.taskIndex}:${t.state}`)).toEqual(['0:CANCELLED', '1:CANCELLED', '2:CANCELLED', '3:CANCELLED', '4:CANCELLED']);
  });

  it("ignores another job's lines and recognises the forgotten-job error", () => {
    expect(parseScontrolShowJob(fixture('scontrol-show-job-finished-array.txt'), '12')).toEqual([]);
    expect(isUnknownJobError(fixture('scontrol-show-job-invalid.txt'))).toBe(true);
    expect(isUnknownJobError(fixture('sbatch-invalid-partition.txt'))).toBe(false);
  });
});

describe('squeue -h -o %i|%T|%r', () => {
  it('reads one line per task with -r', () => {
    expect(brief(parseSqueue(fixture('squeue-array-held-r.txt'), '14'))).toEqual(['0:PENDING(JobHeldUser)', '1:PENDING(JobHeldUser)', '2:PENDING(JobHeldUser)', '3:PENDING(JobHeldUser)', '4:PENDING(JobHeldUser)']);
    expect(brief(parseSqueue(fixture('squeue-array-throttled-r.txt'), '14'))).toEqual(['0:RUNNING', '1:RUNNING', '2:PENDING(JobArrayTaskLimit)', '3:PENDING(JobArrayTaskLimit)', '4:PENDING(JobArrayTaskLimit)']);
  });

  it('expands the bracketed range squeue prints without -r (throttle included)', () => {
    expect(fixture('squeue-array-held.txt').trim()).toBe('14_[0-4%2]|PENDING|JobHeldUser');
    expect(parseSqueue(fixture('squeue-array-held.txt'), '14').map((t) => t.taskIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(brief(parseSqueue(fixture('squeue-array-throttled.txt'), '14'))).toEqual(['0:RUNNING', '1:RUNNING', '2:PENDING(JobArrayTaskLimit)', '3:PENDING(JobArrayTaskLimit)', '4:PENDING(JobArrayTaskLimit)']);
    expect(brief(parseSqueue(fixture('squeue-running.txt'), '5'))).toEqual(['0:RUNNING', '1:RUNNING', '2:PENDING(Resources)']);
  });

  it('answers nothing for an empty queue or another job', () => {
    expect(parseSqueue('', '14')).toEqual([]);
    expect(parseSqueue(fixture('squeue-array-held-r.txt'), '1')).toEqual([]);
    expect(parseSqueue('140_1|RUNNING|None\n', '14')).toEqual([]);
  });
});

describe('sacct --parsable2 --noheader --format=JobID,State,ExitCode', () => {
  it('keeps task lines, drops .batch/.extern steps, reads "CANCELLED by UID" and exit codes', () => {
    const text = ['22_0|COMPLETED|0:0', '22_0.batch|COMPLETED|0:0', '22_0.extern|COMPLETED|0:0', '22_1|FAILED|3:0', '22_1.batch|FAILED|3:0', '22_2|TIMEOUT|0:15', '22_3|CANCELLED by 0|0:15', '22_[4-5]|PENDING|0:0', ''].join('\n');
    expect(brief(parseSacct(text, '22'))).toEqual(['0:COMPLETED:0', '1:FAILED:3', '2:TIMEOUT:0', '3:CANCELLED:0', '4:PENDING', '5:PENDING']);
    expect(parseSacct(text, '22')[2]!.signal).toBe(15);
  });

  it('reads nothing from the disabled-accounting message', () => {
    expect(parseSacct(fixture('sacct-disabled.txt'), '1')).toEqual([]);
  });
});

describe('sbatch --parsable', () => {
  it('takes the job id, with or without ;cluster', () => {
    expect(parseSbatchParsable('5\n')).toBe('5');
    expect(parseSbatchParsable('1234;cluster-a\n')).toBe('1234');
    expect(() => parseSbatchParsable(fixture('sbatch-invalid-partition.txt'))).toThrow(SlurmCommandError);
  });
});
