/**
 * Where a Slurm sweep keeps its files in the out directory. That directory is the only channel
 * between the submitting process and the array tasks, so it must be on a file system every compute
 * node sees (the repository too: the tasks run its bin/enginelab.mjs).
 *
 *   DIR/slurm-job.json        what was submitted: job id, shard count, spec, the task command
 *   DIR/sweep.sbatch          the batch script given to sbatch
 *   DIR/shard-I/spec.json     shard I's copy of the spec, read by task I only
 *   DIR/shard-I/task.log      task I's stdout+stderr (sbatch --output)
 *   DIR/shard-I/status.json   task I's exit marker, written by the batch script when the task ends
 *   DIR/shard-I/results.jsonl the sweep journal of shard I (written by `enginelab sweep --shard`)
 *
 * The exit markers make failure reports independent of the controller's memory: scontrol forgets
 * a finished job after MinJobAge, and sacct needs an accounting database.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const JOB_FILE = 'slurm-job.json';
export const SCRIPT_FILE = 'sweep.sbatch';

export function shardDir(outDir: string, taskIndex: number): string {
  return join(outDir, `shard-${taskIndex}`);
}
export function shardSpecPath(outDir: string, taskIndex: number): string {
  return join(shardDir(outDir, taskIndex), 'spec.json');
}
export function taskLogPath(outDir: string, taskIndex: number): string {
  return join(shardDir(outDir, taskIndex), 'task.log');
}
export function statusPath(outDir: string, taskIndex: number): string {
  return join(shardDir(outDir, taskIndex), 'status.json');
}

/** The record of one submission, for `--collect DIR` (possibly from another login session). */
export interface SlurmJobRecord {
  readonly jobId: string;
  readonly numShards: number;
  readonly numConfigs: number;
  readonly specPath: string;
  readonly submitTime: string;
  readonly sbatchArgs: readonly string[];
}

export function readJobRecord(outDir: string): SlurmJobRecord | undefined {
  const p = join(outDir, JOB_FILE);
  if (!existsSync(p)) return undefined;
  const v = JSON.parse(readFileSync(p, 'utf8')) as Partial<SlurmJobRecord>;
  if (typeof v.jobId !== 'string' || typeof v.numShards !== 'number') throw new Error(`${p}: not a Slurm sweep record (needs jobId and numShards)`);
  return v as SlurmJobRecord;
}

/** A task's exit marker as the batch script writes it. */
export interface TaskExitMarker {
  readonly taskIndex: number;
  readonly exitCode: number;
  readonly jobId: string;
  readonly host: string;
}

export function readExitMarker(outDir: string, taskIndex: number): TaskExitMarker | undefined {
  const p = statusPath(outDir, taskIndex);
  if (!existsSync(p)) return undefined;
  try {
    const v = JSON.parse(readFileSync(p, 'utf8')) as Partial<TaskExitMarker>;
    return typeof v.exitCode === 'number' ? (v as TaskExitMarker) : undefined;
  } catch {
    return undefined; // half-written by a task killed mid-write: treated as no marker
  }
}

/** The last `numLines` lines of a task's log ('' when there is none). */
export function taskLogTail(outDir: string, taskIndex: number, numLines = 20): string {
  const p = taskLogPath(outDir, taskIndex);
  if (!existsSync(p)) return '';
  const lines = readFileSync(p, 'utf8').replace(/\n+$/, '').split('\n');
  return lines.slice(-numLines).join('\n');
}
