/**
 * Follows a sweep's job array until no task is left in the queue: squeue every poll interval
 * for the pending and running tasks, the exit markers in the out dir for the ended ones, and a
 * progress line on the terminal (redrawn in place on a TTY, one line per change otherwise).
 * A held job gets one hint (how to release it) and is waited for like any other. squeue failing
 * now and then (a busy controller) is tolerated; failing `maxFailures` times in a row is an error.
 */
import { existsSync } from 'node:fs';
import { statusPath } from './slurm-layout';
import { SlurmCommandError, squeueTasks } from './slurm-commands';
import type { SlurmTaskState } from './slurm-job-state';

export interface FollowOptions {
  readonly outDir: string;
  readonly numShards: number;
  /** Between squeue calls; default 10 s (be gentle with a shared controller). */
  readonly pollMs?: number;
  /** Progress output (default: stderr). */
  readonly write?: (text: string) => void;
  /** Redraw the progress line in place (default: whether stderr is a TTY). */
  readonly tty?: boolean;
  readonly maxFailures?: number;
  /** The queue query; the real squeue unless a caller supplies another. */
  readonly queue?: (jobId: string) => Promise<SlurmTaskState[]>;
}

export interface QueueCounts {
  readonly pending: number;
  readonly held: number;
  readonly running: number;
  /** Tasks whose exit marker is in the out dir. */
  readonly ended: number;
}

export function countTasks(tasks: readonly SlurmTaskState[], numEnded: number): QueueCounts {
  let pending = 0, held = 0, running = 0;
  for (const t of tasks) {
    if (t.state === 'PENDING' || t.state === 'REQUEUED') {
      pending++;
      if (t.reason === 'JobHeldUser' || t.reason === 'JobHeldAdmin') held++;
    } else running++; // RUNNING, COMPLETING, CONFIGURING, SUSPENDED: in the queue, not pending
  }
  return { pending, held, running, ended: numEnded };
}

export function progressLine(jobId: string, numShards: number, c: QueueCounts): string {
  const width = 20;
  const filled = Math.min(width, Math.round((c.ended / numShards) * width));
  const held = c.held ? ` (${c.held} held)` : '';
  return `slurm job ${jobId} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${c.ended}/${numShards} tasks ended · ${c.running} running · ${c.pending} pending${held}`;
}

function countMarkers(outDir: string, numShards: number): number {
  let n = 0;
  for (let i = 0; i < numShards; i++) if (existsSync(statusPath(outDir, i))) n++;
  return n;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves once squeue lists no task of the job. */
export async function followJob(jobId: string, o: FollowOptions): Promise<void> {
  const write = o.write ?? ((s: string) => void process.stderr.write(s));
  const tty = o.tty ?? process.stderr.isTTY === true;
  const queue = o.queue ?? squeueTasks;
  const maxFailures = o.maxFailures ?? 30;
  let failures = 0;
  let last = '';
  let hinted = false;
  for (;;) {
    let tasks: SlurmTaskState[];
    try {
      tasks = await queue(jobId);
      failures = 0;
    } catch (err) {
      if (!(err instanceof SlurmCommandError) || ++failures >= maxFailures) throw err;
      if (failures === 1) write(`${tty ? '\n' : ''}${err.message.split('\n')[0]} (retrying)\n`);
      await sleep(o.pollMs ?? 10_000);
      continue;
    }
    const counts = countTasks(tasks, countMarkers(o.outDir, o.numShards));
    const line = progressLine(jobId, o.numShards, counts);
    if (tty) write(`\r${line}\x1b[K`);
    else if (line !== last) write(`${line}\n`);
    last = line;
    if (counts.held > 0 && !hinted) {
      write(`${tty ? '\n' : ''}job ${jobId} is held: inspect ${o.outDir}, then release it with: scontrol release ${jobId}\n`);
      hinted = true;
    }
    if (tasks.length === 0) break;
    await sleep(o.pollMs ?? 10_000);
  }
  if (tty) write('\n');
}
