// Following a job array: the progress line counts the queue's pending, held and running tasks
// and the exit markers in the out dir; a held job gets one release hint; squeue failing now and
// then is retried, failing every time is an error. The queue answers here are scripted (the same
// shapes parseSqueue gives for real squeue output; the real path is slurm-array.test.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countTasks, followJob, progressLine } from '../../../kernel/sweep/slurm/follow-job';
import { SlurmCommandError } from '../../../kernel/sweep/slurm/slurm-commands';
import type { SlurmTaskState } from '../../../kernel/sweep/slurm/slurm-job-state';

const dir = mkdtempSync(join(tmpdir(), 'enginelab-slurm-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const held = (i: number): SlurmTaskState => ({ taskIndex: i, state: 'PENDING', reason: 'JobHeldUser' });
const running = (i: number): SlurmTaskState => ({ taskIndex: i, state: 'RUNNING' });

describe('following a job array', () => {
  it('counts pending, held and running tasks and draws the progress line', () => {
    const c = countTasks([held(0), { taskIndex: 1, state: 'PENDING', reason: 'JobArrayTaskLimit' }, running(2), { taskIndex: 3, state: 'COMPLETING' }], 4);
    expect(c).toEqual({ pending: 2, held: 1, running: 2, ended: 4 });
    expect(progressLine('9', 8, c)).toBe('slurm job 9 [##########----------] 4/8 tasks ended · 2 running · 2 pending (1 held)');
  });

  it('hints once at a held job, counts markers as tasks end, and stops when the queue is empty', async () => {
    const out = join(dir, 'held');
    for (let i = 0; i < 2; i++) mkdirSync(join(out, `shard-${i}`), { recursive: true });
    const answers: SlurmTaskState[][] = [[held(0), held(1)], [held(0), held(1)], [running(0), running(1)], [running(1)], []];
    let calls = 0;
    const lines: string[] = [];
    await followJob('31', {
      outDir: out, numShards: 2, pollMs: 1, tty: false, write: (s) => void lines.push(s),
      queue: () => {
        const a = answers[calls++]!;
        if (calls === 4) writeFileSync(join(out, 'shard-0', 'status.json'), '{"taskIndex":0,"exitCode":0,"jobId":"31_0","host":"h"}');
        if (calls === 5) writeFileSync(join(out, 'shard-1', 'status.json'), '{"taskIndex":1,"exitCode":0,"jobId":"31_1","host":"h"}');
        return Promise.resolve(a);
      },
    });
    expect(calls).toBe(5);
    expect(lines.filter((l) => l.includes('is held')).length).toBe(1);
    expect(lines).toContain(`job 31 is held: inspect ${out}, then release it with: scontrol release 31\n`);
    // One line per change (the repeated held answer draws nothing new).
    expect(lines.filter((l) => l.startsWith('slurm job 31 ['))).toEqual([
      'slurm job 31 [--------------------] 0/2 tasks ended · 0 running · 2 pending (2 held)\n',
      'slurm job 31 [--------------------] 0/2 tasks ended · 2 running · 0 pending\n',
      'slurm job 31 [##########----------] 1/2 tasks ended · 1 running · 0 pending\n',
      'slurm job 31 [####################] 2/2 tasks ended · 0 running · 0 pending\n',
    ]);
  });

  it('retries a failing squeue, and gives up after maxFailures in a row', async () => {
    const fail = () => Promise.reject(new SlurmCommandError('squeue -h -r -j 5', 'slurm_load_jobs error: Socket timed out on send/recv operation', 1, 'exited with 1'));
    let n = 0;
    const lines: string[] = [];
    await followJob('5', { outDir: dir, numShards: 1, pollMs: 1, tty: false, write: (s) => void lines.push(s), queue: () => (++n < 3 ? fail() : Promise.resolve([])) });
    expect(n).toBe(3);
    expect(lines.filter((l) => l.includes('(retrying)'))).toEqual(['squeue -h -r -j 5: exited with 1 (retrying)\n']);
    await expect(followJob('5', { outDir: dir, numShards: 1, pollMs: 1, tty: false, write: () => {}, maxFailures: 3, queue: fail })).rejects.toThrow(/squeue -h -r -j 5: exited with 1/);
    await expect(followJob('5', { outDir: dir, numShards: 1, pollMs: 1, write: () => {}, queue: () => Promise.reject(new TypeError('bug')) })).rejects.toThrow(TypeError);
  });
});
