/**
 * How each array task of a finished sweep job ended, from three witnesses in order of trust:
 * the task's own exit marker in the shared out dir (always there unless the node died or the
 * task was killed hard), sacct where an accounting database answers, and scontrol while the
 * controller still remembers the job (MinJobAge). A task is failed unless it exited 0 and Slurm,
 * where it knows, calls it COMPLETED; a task no witness knows about counts as failed too, so a
 * lost task is never reported as a success.
 */
import { readExitMarker, taskLogTail } from './slurm-layout';
import { sacctTasks, scontrolTasks } from './slurm-commands';
import { isFinalState, type SlurmTaskState } from './slurm-job-state';

export interface TaskOutcome {
  readonly taskIndex: number;
  /** Slurm's final state where known (COMPLETED, FAILED, TIMEOUT, …), else from the marker, else UNKNOWN. */
  readonly state: string;
  readonly exitCode?: number;
  readonly failed: boolean;
  /** Which witness gave the state. */
  readonly source: 'slurm' | 'marker' | 'none';
}

/** Combines the marker and Slurm's record of one task (pure, for tests). */
export function combineOutcome(taskIndex: number, marker: { readonly exitCode: number } | undefined, slurm: SlurmTaskState | undefined): TaskOutcome {
  const slurmFinal = slurm && isFinalState(slurm.state) ? slurm : undefined;
  if (marker) {
    const state = slurmFinal?.state ?? (marker.exitCode === 0 ? 'COMPLETED' : 'FAILED');
    return { taskIndex, state, exitCode: marker.exitCode, failed: marker.exitCode !== 0 || state !== 'COMPLETED', source: slurmFinal ? 'slurm' : 'marker' };
  }
  if (slurmFinal) {
    return { taskIndex, state: slurmFinal.state, ...(slurmFinal.exitCode === undefined ? {} : { exitCode: slurmFinal.exitCode }), failed: true, source: 'slurm' };
  }
  return { taskIndex, state: slurm?.state ?? 'UNKNOWN', failed: true, source: 'none' };
}

/**
 * Every task's outcome. Without its marker a task counts as failed even where Slurm says
 * COMPLETED: the script writes the marker after the sweep process returns, so a missing one
 * means the task did not get that far.
 */
export async function taskOutcomes(outDir: string, jobId: string, numShards: number): Promise<TaskOutcome[]> {
  const markers = Array.from({ length: numShards }, (_, i) => readExitMarker(outDir, i));
  const slurm = new Map<number, SlurmTaskState>();
  // sacct first (it outlives the controller's memory), then scontrol over it: both are cheap,
  // and on a cluster with accounting they agree.
  for (const s of (await sacctTasks(jobId)) ?? []) slurm.set(s.taskIndex, s);
  for (const s of await scontrolTasks(jobId).catch(() => [])) slurm.set(s.taskIndex, s);
  return markers.map((m, i) => combineOutcome(i, m, slurm.get(i)));
}

export interface FailedTask extends TaskOutcome {
  readonly logTail: string;
}

export function failedTasks(outDir: string, outcomes: readonly TaskOutcome[], numLines = 20): FailedTask[] {
  return outcomes.filter((o) => o.failed).map((o) => ({ ...o, logTail: taskLogTail(outDir, o.taskIndex, numLines) }));
}
