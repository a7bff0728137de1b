/**
 * The end of a Slurm sweep, shared by the waiting submit and `enginelab sweep --collect DIR`:
 * follow the job until it leaves the queue (unless told not to wait), settle every task's
 * outcome (exit markers first; a short grace for markers that a shared file system shows late),
 * merge the shards' journals with the sweep core's collect, and report failed tasks by index.
 * Failed tasks do not stop the merge: the table holds every config that a task finished.
 */
import { followJob, type FollowOptions } from './follow-job';
import { formatFailureReport } from './failure-report';
import { readExitMarker, readJobRecord, type SlurmJobRecord } from './slurm-layout';
import { squeueTasks } from './slurm-commands';
import { failedTasks, taskOutcomes, type FailedTask, type TaskOutcome } from './task-outcomes';

export interface CollectSlurmOptions {
  /** Follow a job still in the queue (default true); false: refuse while it is. */
  readonly wait?: boolean;
  readonly pollMs?: number;
  /** How long to wait for exit markers missing once the queue is empty (default 30 s). */
  readonly markerGraceMs?: number;
  /** Lines of each failed task's log in the report (default 20). */
  readonly logLines?: number;
  readonly write?: (text: string) => void;
  readonly tty?: boolean;
  readonly queue?: FollowOptions['queue'];
}

export interface SlurmSweepResult<M> {
  readonly record: SlurmJobRecord;
  readonly outDir: string;
  readonly outcomes: readonly TaskOutcome[];
  /** Failed tasks by array index (= shard index), with their log tails. */
  readonly failed: readonly FailedTask[];
  /** What the sweep core's collect returned for the merged shards. */
  readonly merged: M;
  /** The report printed on the terminal. */
  readonly report: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitForMarkers(outDir: string, numShards: number, graceMs: number, pollMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    let missing = 0;
    for (let i = 0; i < numShards; i++) if (!readExitMarker(outDir, i)) missing++;
    if (missing === 0 || Date.now() >= deadline) return;
    await sleep(Math.min(pollMs, 2000));
  }
}

export async function collectSlurmSweep<M>(outDir: string, merge: (outDir: string) => Promise<M> | M, o: CollectSlurmOptions = {}): Promise<SlurmSweepResult<M>> {
  const write = o.write ?? ((s: string) => void process.stderr.write(s));
  const record = readJobRecord(outDir);
  if (!record) throw new Error(`${outDir}: no slurm-job.json here; is this the --out DIR of an \`enginelab sweep --slurm\` run?`);
  const queue = o.queue ?? squeueTasks;
  const pollMs = o.pollMs ?? 10_000;
  if (o.wait === false) {
    const inQueue = await queue(record.jobId);
    if (inQueue.length > 0) throw new Error(`slurm job ${record.jobId} still has ${inQueue.length} task(s) in the queue; collect again when squeue -j ${record.jobId} is empty, or without --no-wait to wait`);
  } else {
    await followJob(record.jobId, { outDir, numShards: record.numShards, pollMs, write, ...(o.tty === undefined ? {} : { tty: o.tty }), queue });
  }
  await waitForMarkers(outDir, record.numShards, o.markerGraceMs ?? 30_000, pollMs);
  const outcomes = await taskOutcomes(outDir, record.jobId, record.numShards);
  const failed = failedTasks(outDir, outcomes, o.logLines ?? 20);
  const merged = await merge(outDir);
  const report = formatFailureReport(record.jobId, outDir, outcomes, failed);
  write(report);
  return { record, outDir, outcomes, failed, merged, report };
}
