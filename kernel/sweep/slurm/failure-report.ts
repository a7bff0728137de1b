/**
 * The terminal report of a finished Slurm sweep: how many tasks ended well, and each failed task
 * by its array index with its state, exit code, log path and the tail of its log, followed by
 * the command that reruns just that shard (on any machine that sees the out dir: its journal keeps
 * the configs already done, so a rerun only computes what is missing).
 */
import { relative } from 'node:path';
import { shardSpecPath, taskLogPath } from './slurm-layout';
import type { FailedTask, TaskOutcome } from './task-outcomes';

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/** `[3, 7, 8, 9, 12]` → `3,7-9,12`: what `sbatch --array=` takes to resubmit just those tasks. */
export function indexRanges(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Failed tasks shown with their log tails; the rest are listed by index only (a whole array can fail). */
export const MAX_TASKS_WITH_LOGS = 10;

export function formatFailureReport(jobId: string, outDir: string, outcomes: readonly TaskOutcome[], failed: readonly FailedTask[], cwd = process.cwd()): string {
  const n = outcomes.length;
  if (failed.length === 0) return `slurm job ${jobId}: all ${n} tasks completed\n`;
  const show = (p: string) => {
    const r = relative(cwd, p);
    return r.startsWith('..') ? p : r;
  };
  const lines = [`slurm job ${jobId}: ${n - failed.length} of ${n} tasks completed, ${failed.length} failed (task ${indexRanges(failed.map((f) => f.taskIndex))})`];
  for (const f of failed.slice(0, MAX_TASKS_WITH_LOGS)) {
    const exit = f.exitCode === undefined ? '' : `, exit code ${f.exitCode}`;
    const why = f.source === 'none' ? ' (no exit marker and Slurm no longer knows the task: node lost, killed, or forgotten after MinJobAge)' : '';
    lines.push(`  task ${f.taskIndex}: ${f.state}${exit}${why}; log ${show(taskLogPath(outDir, f.taskIndex))}`);
    if (f.logTail) lines.push(indent(f.logTail, '    | '));
  }
  if (failed.length > MAX_TASKS_WITH_LOGS) {
    const rest = failed.slice(MAX_TASKS_WITH_LOGS);
    lines.push(`  and ${rest.length} more: task ${indexRanges(rest.map((f) => f.taskIndex))} (logs: ${show(outDir)}/shard-I/task.log)`);
  }
  const first = failed[0]!;
  lines.push(`rerun one shard here: enginelab sweep ${show(shardSpecPath(outDir, first.taskIndex))} --shard ${first.taskIndex}/${n} --out ${show(outDir)}`);
  lines.push(`or resubmit the failed tasks: sbatch --array=${indexRanges(failed.map((f) => f.taskIndex))} ${show(outDir)}/sweep.sbatch (with the same options; see slurm-job.json)`);
  return lines.join('\n') + '\n';
}
