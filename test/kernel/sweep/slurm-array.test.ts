// The Slurm backend against a real Slurm (the single node of scripts/slurm-local.sh in CI; any
// cluster where the test runs on a node that submits and shares /tmp with its compute nodes):
// a 20-task array of a 40-config sweep, submitted held, one shard's spec corrupted before the
// release, that task reported failed by its index with its log, the other 19 merged; a clean
// 20-task array whose merged table equals a local run of the same spec; sbatch's refusal of a bad
// partition shown with the command and its stderr. Under CI=true a missing Slurm fails; otherwise
// these tests skip. Timeouts are generous (2 cores shared, 2 tasks at a time); nothing is timed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectSlurm, slurmExitCode, submitSlurmSweep } from '../../../kernel/sweep/slurm/submit-sweep';
import { readExitMarker, readJobRecord } from '../../../kernel/sweep/slurm/slurm-layout';
import { squeueTasks, scontrolRelease, SlurmCommandError } from '../../../kernel/sweep/slurm/slurm-commands';
import { runSweep } from '../../../kernel/sweep/run-sweep';
import { isCI } from '../helpers/external';

const slurmUp = spawnSync('scontrol', ['ping'], { encoding: 'utf8' }).stdout?.includes('UP') === true;
const dir = mkdtempSync(join(tmpdir(), 'enginelab-slurm-array-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 64 --max-model-len 2176 --no-enable-prefix-caching --kv-cache-dtype fp8 '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\' --async-scheduling';
const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 128 --random-output-len 32 --num-prompts 8 --max-concurrency 8 --ignore-eos';
// 5 × 4 × 2 = 40 configs; over 20 shards, shard I holds configs I and I + 20.
const SPEC = {
  name: 'slurm-test',
  serve: SERVE,
  bench: BENCH,
  axes: [{ kind: 'grid', params: { '--max-concurrency': [1, 2, 4, 8, 16], '--num-speculative-tokens': [0, 1, 2, 3], '--max-num-batched-tokens': [2048, 8192] } }],
};
const specPath = join(dir, 'spec.json');
writeFileSync(specPath, JSON.stringify(SPEC, null, 1));

function sink(): { text: string[]; write: (s: string) => void } {
  const text: string[] = [];
  return { text, write: (s) => void text.push(s) };
}

const rowsOf = (t: { toArray(): unknown[] }) => JSON.stringify(t.toArray().map((r) => (r as { toJSON(): unknown }).toJSON()));

describe.skipIf(!slurmUp && !isCI)('sweeps as Slurm job arrays (real Slurm)', () => {
  it('Slurm answers (scripts/slurm-local.sh start)', () => {
    expect(slurmUp, 'scontrol ping does not say UP: start Slurm with scripts/slurm-local.sh start').toBe(true);
  });

  it('reports the one failed task of a 20-task array by its index, with its log, and merges the other 19', async () => {
    const out = join(dir, 'fail');
    const io = sink();
    const stdout = sink();
    const submitted = await submitSlurmSweep(specPath, { out, arraySize: 20, hold: true, noWait: true, time: '20', write: io.write, stdout: stdout.write });
    expect(submitted.kind).toBe('submitted');
    const record = readJobRecord(out)!;
    expect(record).toMatchObject({ numShards: 20, numConfigs: 40 });
    expect(stdout.text.join('')).toBe(`${record.jobId}\n`);
    expect(io.text.join('')).toContain(`enginelab sweep --collect ${out}`);
    // Held: all 20 tasks wait in the queue, so the shard spec can be spoilt before any task reads it.
    const queued = await squeueTasks(record.jobId);
    expect(queued.map((t) => t.taskIndex)).toEqual([...Array(20).keys()]);
    expect(queued.every((t) => t.state === 'PENDING' && t.reason === 'JobHeldUser')).toBe(true);
    writeFileSync(join(out, 'shard-7', 'spec.json'), '{ "name": "spoilt", "axes": [');
    await scontrolRelease(record.jobId);

    const later = sink();
    const result = await collectSlurm(out, { pollMs: 1000, markerGraceMs: 5000, write: later.write, tty: false });
    expect(result.kind).toBe('collected');
    if (result.kind !== 'collected') return;
    expect(result.failed.map((f) => f.taskIndex)).toEqual([7]);
    expect(result.failed[0]).toMatchObject({ state: 'FAILED', exitCode: expect.any(Number) as number });
    expect(result.failed[0]!.exitCode).not.toBe(0);
    expect(result.failed[0]!.logTail).toContain('shard-7/spec.json');
    expect(result.failed[0]!.logTail).toMatch(/enginelab sweep: .*not valid JSON/); // the sweep's own error for the spoilt spec
    expect(result.outcomes.filter((o) => !o.failed).length).toBe(19);
    expect(readExitMarker(out, 7)?.jobId).toBe(`${record.jobId}_7`);
    const report = later.text.join('');
    expect(report).toContain(`slurm job ${record.jobId}: 19 of 20 tasks completed, 1 failed (task 7)`);
    expect(report).toContain('  task 7: FAILED, exit code ');
    expect(report).toMatch(/slurm job \d+ \[#{20}\] 20\/20 tasks ended/);
    expect(result.merged!.missing.map((m) => m.index)).toEqual([7, 27]);
    expect(result.merged!.incompleteShards).toEqual([7]);
    expect(result.merged!.table.numRows).toBe(38);
    expect(slurmExitCode(result)).toBe(1);
  }, 900_000);

  it('merges a clean 20-task array into the same table as a local run of the same spec', async () => {
    const out = join(dir, 'clean');
    const io = sink();
    const result = await submitSlurmSweep(specPath, { out, arraySize: 20, pollMs: 1000, time: '20', write: io.write, tty: false });
    expect(result.kind).toBe('collected');
    if (result.kind !== 'collected') return;
    expect(result.failed).toEqual([]);
    expect(slurmExitCode(result)).toBe(0);
    const jobId = result.record.jobId;
    for (let i = 0; i < 20; i++) {
      expect(readExitMarker(out, i)).toMatchObject({ taskIndex: i, exitCode: 0, jobId: `${jobId}_${i}` });
      expect(readFileSync(join(out, `shard-${i}`, 'task.log'), 'utf8')).toContain(`enginelab: task ${i} of 20 on `);
    }
    const local = await runSweep(SPEC, { outDir: join(dir, 'local'), workers: 1 });
    const merged = result.merged!;
    expect(merged.missing).toEqual([]);
    expect(merged.table.numRows).toBe(40);
    expect(merged.numFailed).toBe(local.numFailed);
    expect(rowsOf(merged.table)).toBe(rowsOf(local.table));
    expect(readFileSync(merged.arrow).equals(readFileSync(local.arrow))).toBe(true);
    expect(io.text.join('')).toContain(`slurm job ${jobId}: all 20 tasks completed`);
  }, 900_000);

  it('enginelab sweep --slurm --no-wait prints the job id; --collect DIR follows it and merges', () => {
    const out = join(dir, 'cli');
    const bin = join(__dirname, '../../../bin/enginelab.mjs');
    const submit = spawnSync(process.execPath, [bin, 'sweep', specPath, '--slurm', '--no-wait', '--array-size', '4', '--max-running', '2', '--time', '00:20:00', '--out', out], { encoding: 'utf8' });
    expect(submit.stderr).toContain(`then merge with: enginelab sweep --collect ${out}`);
    expect(submit.status).toBe(0);
    const jobId = submit.stdout.trim();
    expect(jobId).toMatch(/^\d+$/);
    const script = readFileSync(join(out, 'sweep.sbatch'), 'utf8');
    expect(script).toContain('#SBATCH --array=0-3%2\n');
    expect(script).toContain('#SBATCH --time=00:20:00\n');
    const collect = spawnSync(process.execPath, [bin, 'sweep', '--collect', out, '--poll', '1'], { encoding: 'utf8' });
    expect(collect.stderr).toContain(`slurm job ${jobId}: all 4 tasks completed`);
    expect(collect.stderr).toContain('merged 40/40 configs');
    expect(collect.status).toBe(0);
    const partitionWithoutSlurm = spawnSync(process.execPath, [bin, 'sweep', specPath, '--partition', 'debug'], { encoding: 'utf8' });
    expect(partitionWithoutSlurm.status).toBe(2);
    expect(partitionWithoutSlurm.stderr).toContain('--partition only apply with --slurm');
  }, 900_000);

  it('names sbatch and its stderr when Slurm refuses the job (bad partition), before any task exists', async () => {
    const out = join(dir, 'bad-partition');
    const err = await submitSlurmSweep(specPath, { out, arraySize: 4, partition: 'no-such-partition', noWait: true, write: () => {}, stdout: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlurmCommandError);
    const e = err as SlurmCommandError;
    expect(e.message).toMatch(/^sbatch --parsable .*sweep\.sbatch: exited with 1:/);
    expect(e.stderr).toContain('invalid partition specified: no-such-partition');
    expect(existsSync(join(out, 'slurm-job.json'))).toBe(false);
  });
});
