/**
 * Readers for what Slurm's commands say about the tasks of one job array: `squeue -h -r -j JOB
 * -o '%i|%T|%r'`, `scontrol show job -o JOB` and `sacct -j JOB --parsable2 --noheader
 * --format=JobID,State,ExitCode`. Each turns the text into per-task states keyed by the array
 * index (SLURM_ARRAY_TASK_ID), which is the shard index. Tasks not yet split off from the array
 * record appear as one line with an index expression (`14_[2-4%2]`, `ArrayTaskId=2-4%2`); those are
 * expanded, so every reader answers one entry per task it mentions.
 */

/** Slurm's job states that end a task (squeue/scontrol/sacct spell them the same). */
const FINAL_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'REVOKED']);

export interface SlurmTaskState {
  /** The array index: SLURM_ARRAY_TASK_ID, the shard index. */
  readonly taskIndex: number;
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, … */
  readonly state: string;
  /** The pending reason (JobHeldUser, JobArrayTaskLimit, Resources) where the command gives one. */
  readonly reason?: string;
  /** From `ExitCode=code:signal`, where the command gives it. */
  readonly exitCode?: number;
  readonly signal?: number;
}

export function isFinalState(state: string): boolean {
  return FINAL_STATES.has(state);
}

/**
 * The indices of an array index expression: `7`, `2-4`, `0-19%4`, `1,3,5-7` (the `%n` throttle
 * is dropped). Answers [] for text that is not one.
 */
export function expandArrayIndices(expr: string): number[] {
  const body = expr.replace(/%\d+$/, '');
  if (!/^\d+(-\d+(:\d+)?)?(,\d+(-\d+(:\d+)?)?)*$/.test(body)) return [];
  const out: number[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part)!;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]));
    for (let i = lo; i <= hi; i += step) out.push(i);
  }
  return out;
}

/** `3:0` → { exitCode: 3, signal: 0 }; anything else → {}. */
function parseExitCode(text: string | undefined): { exitCode?: number; signal?: number } {
  const m = text === undefined ? null : /^(\d+):(\d+)$/.exec(text);
  return m ? { exitCode: Number(m[1]), signal: Number(m[2]) } : {};
}

/** The task part of a job id as squeue and sacct print it: `14_3` → [3], `14_[2-4%2]` → [2, 3, 4]. */
function taskIndicesOfJobId(jobId: string, arrayJobId: string): number[] {
  if (!jobId.startsWith(`${arrayJobId}_`)) return [];
  const rest = jobId.slice(arrayJobId.length + 1);
  return expandArrayIndices(rest.startsWith('[') && rest.endsWith(']') ? rest.slice(1, -1) : rest);
}

/** Later entries for the same index win (scontrol lists split-off tasks before the array record). */
function byIndex(states: SlurmTaskState[]): SlurmTaskState[] {
  const m = new Map<number, SlurmTaskState>();
  for (const s of states) m.set(s.taskIndex, s);
  return [...m.values()].sort((a, b) => a.taskIndex - b.taskIndex);
}

/** `squeue -h -r -j JOB -o '%i|%T|%r'`: one line per task (or per unsplit range without -r). */
export function parseSqueue(text: string, arrayJobId: string): SlurmTaskState[] {
  const out: SlurmTaskState[] = [];
  for (const line of text.split('\n')) {
    const [id, state, reason] = line.trim().split('|');
    if (!id || !state) continue;
    for (const taskIndex of taskIndicesOfJobId(id, arrayJobId)) out.push({ taskIndex, state, ...(reason && reason !== 'None' ? { reason } : {}) });
  }
  return byIndex(out);
}

function field(line: string, key: string): string | undefined {
  const m = new RegExp(`(?:^| )${key}=(\\S*)`).exec(line);
  return m ? m[1] : undefined;
}

/**
 * `scontrol show job -o JOB`: one line per split-off task, plus one for the tasks still pending
 * together (their ArrayTaskId is a range). A finished job stays listed for MinJobAge (300 s by
 * default), then scontrol answers "Invalid job id specified" (see `isUnknownJobError`).
 */
export function parseScontrolShowJob(text: string, arrayJobId: string): SlurmTaskState[] {
  const out: SlurmTaskState[] = [];
  for (const line of text.split('\n')) {
    if (field(line, 'ArrayJobId') !== arrayJobId) continue;
    const state = field(line, 'JobState');
    const tasks = field(line, 'ArrayTaskId');
    if (!state || tasks === undefined) continue;
    const reason = field(line, 'Reason');
    const exit = isFinalState(state) ? parseExitCode(field(line, 'ExitCode')) : {};
    for (const taskIndex of expandArrayIndices(tasks)) out.push({ taskIndex, state, ...(reason && reason !== 'None' ? { reason } : {}), ...exit });
  }
  return byIndex(out);
}

/**
 * `sacct -j JOB --parsable2 --noheader --format=JobID,State,ExitCode`: the task lines (`14_3`),
 * not their steps (`14_3.batch`, `14_3.extern`). A state may carry words (`CANCELLED by 0`).
 */
export function parseSacct(text: string, arrayJobId: string): SlurmTaskState[] {
  const out: SlurmTaskState[] = [];
  for (const line of text.split('\n')) {
    const [id, stateText, exitText] = line.trim().split('|');
    if (!id || !stateText || id.includes('.')) continue;
    const state = stateText.split(' ')[0]!;
    const exit = isFinalState(state) ? parseExitCode(exitText) : {};
    for (const taskIndex of taskIndicesOfJobId(id, arrayJobId)) out.push({ taskIndex, state, ...exit });
  }
  return byIndex(out);
}

/** The controller has forgotten the job (finished longer than MinJobAge ago) or never had it. */
export function isUnknownJobError(stderr: string): boolean {
  return /Invalid job id specified/i.test(stderr);
}
